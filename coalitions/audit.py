"""The audit trail: one call, from every service that changes something in a coalition."""

from typing import Any, TypeVar

from django.db import models

from accounts.models import User

from .models import AuditEvent, Coalition

_M = TypeVar("_M", bound=models.Model)


def audit_record(
    *,
    coalition: Coalition,
    actor: User | None,  # None: the app itself (a task, an import by the site staff)
    action: str,
    target: models.Model,
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    """Record that `actor` did `action` to `target`; `changes` maps a field to [before, after]."""
    return AuditEvent.objects.create(
        coalition=coalition,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        target_type=target._meta.model_name or "",
        target_id=str(target.pk or ""),
        target_label=str(target)[:300],
        changes=changes or {},
    )


def save_audited(*, instance: _M, actor: User, action: str, data: dict[str, Any]) -> _M:
    """Apply `data` to a coalition's object, save those fields, and record what changed (if anything)."""
    changes = diff_fields(instance, data)
    for field, value in data.items():
        setattr(instance, field, value)
    instance.save(update_fields=list(data))
    if changes:
        coalition = instance if isinstance(instance, Coalition) else instance.coalition  # type: ignore[attr-defined]  # any other audited object is a CoalitionOwnedModel
        audit_record(coalition=coalition, actor=actor, action=action, target=instance, changes=changes)
    return instance


def diff_fields(instance: models.Model, data: dict[str, Any]) -> dict[str, list[str]]:
    """Fields of `instance` that `data` changes, as [before, after] strings for the trail."""
    changed = {}
    for field, new in data.items():
        old = getattr(instance, field)
        if old != new:
            changed[field] = [_as_text(old), _as_text(new)]
    return changed


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, models.Model):
        return str(value)
    if hasattr(value, "all"):  # a related manager or queryset
        return ", ".join(sorted(str(v) for v in value.all()))
    return str(value)
