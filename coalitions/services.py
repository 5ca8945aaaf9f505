"""Every write in a coalition: validated, atomic, audited. Views and the API call these."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from upr.models import Review
from upr.rules import MILESTONE_RULES, USUAL_INTERNAL_DEADLINES

from .audit import audit_record, diff_fields, save_audited
from .models import (
    Coalition,
    Engagement,
    Invitation,
    MemberOrganisation,
    Membership,
    Milestone,
    Role,
    WorkingGroup,
    default_invitation_expiry,
    hash_token,
)

_M = TypeVar("_M", bound=models.Model)


class InvitationError(Exception):
    """An invitation that cannot be used, with a message fit to show the person."""


def _create_or_refuse(model: type[_M], error: ValidationError, **fields: Any) -> _M:
    """Create a row whose uniqueness was checked just before; if a concurrent request won the race,
    the database constraint refuses it and the person sees the same clear message, not an error page."""
    try:
        with transaction.atomic():
            return model._default_manager.create(**fields)  # `objects`, these models' only manager
    except IntegrityError:
        raise error from None


# --- coalitions ---------------------------------------------------------------------------------


@transaction.atomic
def coalition_create(*, name: str, slug: str, description: str = "", creator: User) -> Coalition:
    """Create a coalition with its creator as its first secretariat admin."""
    taken = ValidationError({"slug": _("Another coalition already uses this address. Choose another one.")})
    if Coalition.objects.filter(slug=slug).exists():
        raise taken
    coalition = _create_or_refuse(Coalition, taken, name=name, slug=slug, description=description)
    Membership.objects.create(coalition=coalition, user=creator, role=Role.ADMIN)
    audit_record(coalition=coalition, actor=creator, action="coalition.create", target=coalition)
    return coalition


@transaction.atomic
def coalition_update(*, coalition: Coalition, actor: User, data: dict[str, Any]) -> Coalition:
    """Change the coalition's name or description (its address stays: links and bookmarks depend on it)."""
    return save_audited(instance=coalition, actor=actor, action="coalition.update", data=data)


# --- member organisations -----------------------------------------------------------------------


@transaction.atomic
def organisation_save(
    *, coalition: Coalition, actor: User, data: dict[str, Any], organisation: MemberOrganisation | None = None
) -> MemberOrganisation:
    """Create a member organisation, or update `organisation` with `data`."""
    creating = organisation is None
    organisation = organisation or MemberOrganisation(coalition=coalition)
    changes = {} if creating else diff_fields(organisation, data)
    if data.get("withheld") and not organisation.withheld and not creating:
        from .withheld import withhold_problems

        # Held until the commit: a document being given this lead at the same moment waits, then sees it withheld.
        MemberOrganisation.objects.select_for_update().filter(pk=organisation.pk).first()
        problems = withhold_problems(organisation)
        if problems:  # a document not yet submitted would publish its name as lead submitter
            raise ValidationError({"withheld": problems})
    for field, value in data.items():
        setattr(organisation, field, value)
    organisation.full_clean()
    organisation.save()
    if creating or changes:
        action = "organisation.create" if creating else "organisation.update"
        audit_record(coalition=coalition, actor=actor, action=action, target=organisation, changes=changes)
    return organisation


# --- invitations and memberships ----------------------------------------------------------------


@transaction.atomic
def invitation_create(
    *,
    coalition: Coalition,
    actor: User,
    email: str,
    role: str,
    organisation: MemberOrganisation | None = None,
) -> tuple[Invitation, str]:
    """Invite `email` into the coalition; return the invitation and its one-time token.

    The plain token leaves this function only in the emailed link; the database keeps its hash.
    """
    email = email.strip().lower()
    if Membership.objects.filter(coalition=coalition, user__email__iexact=email).exists():
        raise ValidationError({"email": _("This person is already a member of the coalition.")})
    already_open = ValidationError(
        {"email": _("An invitation to this address is already open. Withdraw it first to send a new one.")}
    )
    if Invitation.objects.filter(coalition=coalition, email=email, accepted_at__isnull=True, revoked_at__isnull=True).exists():
        raise already_open
    if organisation is not None and organisation.coalition_id != coalition.pk:
        raise ValidationError({"organisation": _("Choose one of the coalition's organisations.")})
    token = secrets.token_urlsafe(32)
    invitation = _create_or_refuse(
        Invitation,
        already_open,
        coalition=coalition,
        email=email,
        role=role,
        organisation=organisation,
        token_hash=hash_token(token),
        invited_by=actor,
        expires_at=default_invitation_expiry(),
    )
    audit_record(
        coalition=coalition,
        actor=actor,
        action="invitation.create",
        target=invitation,
        changes={"role": ["", role], "organisation": ["", str(organisation or "")]},
    )
    from .tasks import send_invitation_email

    transaction.on_commit(lambda: send_invitation_email.delay(invitation_id=invitation.pk, token=token))
    return invitation, token


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, actor: User) -> Invitation:
    if invitation.accepted_at is None and invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        audit_record(coalition=invitation.coalition, actor=actor, action="invitation.revoke", target=invitation)
    return invitation


def invitation_for_token(*, token: str, usable_only: bool = False) -> Invitation | None:
    """The invitation behind a token, or None for a forged or (if asked) spent one."""
    if not token or len(token) > 200:
        return None
    invitation = Invitation.objects.select_related("coalition").filter(token_hash=hash_token(token)).first()
    if invitation is None or (usable_only and not invitation.is_usable):
        return None
    return invitation


def invitation_problem(invitation: Invitation | None) -> str | None:
    """Why an invitation cannot be used, in words for the person holding the link; None if it can."""
    if invitation is None:
        return _("This invitation link is not valid. Check that you copied the whole link from the email.")
    if invitation.accepted_at is not None:
        return _("This invitation has already been used. Log in to reach the coalition.")
    if invitation.revoked_at is not None:
        return _("This invitation was withdrawn. Ask the coalition's secretariat for a new one.")
    if invitation.is_expired:
        return _("This invitation has expired. Ask the coalition's secretariat to send a new one.")
    return None


@transaction.atomic
def invitation_accept(*, token: str, user: User) -> Membership:
    """Turn an invitation into a membership for `user`, whose email must be the invited one."""
    invitation = invitation_for_token(token=token)
    if invitation is not None:
        # Lock the row: two clicks on the same link must not make two memberships.
        invitation = Invitation.objects.select_for_update().select_related("coalition").get(pk=invitation.pk)
    problem = invitation_problem(invitation)
    if problem:
        raise InvitationError(problem)
    assert invitation is not None
    if user.email.lower() != invitation.email:
        raise InvitationError(
            _("This invitation was sent to %(email)s, but you are logged in as %(user)s. Log in with the invited address.")
            % {"email": invitation.email, "user": user.email}
        )
    membership = Membership.objects.filter(coalition=invitation.coalition, user=user).first()
    if membership is None:
        membership = Membership.objects.create(
            coalition=invitation.coalition, user=user, role=invitation.role, organisation=invitation.organisation
        )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit_record(coalition=invitation.coalition, actor=user, action="invitation.accept", target=membership)
    return membership


@transaction.atomic
def membership_update(*, membership: Membership, actor: User, role: str, organisation: MemberOrganisation | None) -> Membership:
    """Change a person's role or organisation. The last admin cannot step down."""
    if organisation is not None and organisation.coalition_id != membership.coalition_id:
        raise ValidationError({"organisation": _("Choose one of the coalition's organisations.")})
    if membership.role == Role.ADMIN and role != Role.ADMIN and _is_last_admin(membership):
        raise ValidationError({"role": _("The coalition needs at least one admin. Make someone else admin first.")})
    data = {"role": role, "organisation": organisation}
    return save_audited(instance=membership, actor=actor, action="membership.update", data=data)


@transaction.atomic
def membership_remove(*, membership: Membership, actor: User) -> None:
    """Remove a person from the coalition. Access ends with this transaction: every request
    resolves the membership afresh, and API tokens are checked against it too."""
    if membership.role == Role.ADMIN and _is_last_admin(membership):
        raise ValidationError(_("The coalition needs at least one admin. Make someone else admin first."))
    audit_record(coalition=membership.coalition, actor=actor, action="membership.remove", target=membership)
    WorkingGroup.objects.filter(lead=membership).update(lead=None)
    membership.delete()


def _is_last_admin(membership: Membership) -> bool:
    admins = Membership.objects.select_for_update().filter(coalition_id=membership.coalition_id, role=Role.ADMIN)
    return [m.pk for m in admins] == [membership.pk]


# --- working groups -----------------------------------------------------------------------------


@transaction.atomic
def working_group_save(
    *,
    coalition: Coalition,
    actor: User,
    name: str,
    theme: str,
    lead: Membership | None,
    members: list[Membership],
    group: WorkingGroup | None = None,
) -> WorkingGroup:
    """Create or update a thematic working group; its lead is always one of its members."""
    for person in [lead, *members]:
        if person is not None and person.coalition_id != coalition.pk:
            raise ValidationError(_("Choose people from this coalition."))
    creating = group is None
    group = group or WorkingGroup(coalition=coalition)
    changes = {} if creating else diff_fields(group, {"name": name, "theme": theme, "lead": lead})
    group.name, group.theme, group.lead = name, theme, lead
    try:
        with transaction.atomic():
            group.save()
    except IntegrityError:
        raise ValidationError({"name": _("The coalition already has a working group with this name.")}) from None
    all_members = {m.pk: m for m in members}
    if lead is not None:
        all_members[lead.pk] = lead
    before = set(group.members.values_list("pk", flat=True)) if not creating else set()
    group.members.set(all_members.values())
    if before != set(all_members):
        changes["members"] = [str(len(before)), str(len(all_members))]
    if creating or changes:
        action = "working_group.create" if creating else "working_group.update"
        audit_record(coalition=coalition, actor=actor, action=action, target=group, changes=changes)
    return group


# --- engagements and their timeline -------------------------------------------------------------


@transaction.atomic
def engagement_create(*, coalition: Coalition, actor: User, review: Review) -> Engagement:
    """Start the coalition's engagement in a review, with the default milestones of the cycle."""
    exists = ValidationError({"review": _("The coalition already has an engagement in this review.")})
    if Engagement.objects.filter(coalition=coalition, review=review).exists():
        raise exists
    engagement = _create_or_refuse(Engagement, exists, coalition=coalition, review=review)
    Milestone.objects.bulk_create(
        [Milestone(coalition=coalition, engagement=engagement, kind=rule.kind) for rule in MILESTONE_RULES]
    )
    audit_record(coalition=coalition, actor=actor, action="engagement.create", target=engagement)
    return engagement


@transaction.atomic
def milestone_set_date(*, milestone: Milestone, actor: User, date: dt.date | None, note: str = "") -> Milestone:
    """Override a milestone's date for this coalition only (None returns to the computed date)."""
    data = {"override_date": date, "note": note}
    return save_audited(instance=milestone, actor=actor, action="milestone.update", data=data)


@transaction.atomic
def internal_deadlines_propose(*, engagement: Engagement, actor: User) -> list[Milestone]:
    """Add the usual internal deadlines (upr.rules.USUAL_INTERNAL_DEADLINES) counted back from the
    engagement's stakeholder deadline; those already there (by title) are not added twice."""
    from .selectors import engagement_timeline

    deadline = next(
        (e.date for e in engagement_timeline(engagement=engagement) if e.milestone.kind == "stakeholder_deadline"), None
    )
    if deadline is None:
        raise ValidationError(_("The engagement has no stakeholder deadline yet: set its date first."))
    existing = set(engagement.milestones.filter(kind="custom").values_list("title", flat=True))
    return [
        milestone_add(engagement=engagement, actor=actor, title=str(title), date=deadline - dt.timedelta(days=days))
        for title, days in USUAL_INTERNAL_DEADLINES
        if str(title) not in existing
    ]


def milestone_add(*, engagement: Engagement, actor: User, title: str, date: dt.date, note: str = "") -> Milestone:
    """Add an internal deadline of the coalition's own (e.g. "working group drafts due")."""
    milestone = Milestone.objects.create(
        coalition=engagement.coalition, engagement=engagement, kind="custom", title=title, override_date=date, note=note
    )
    audit_record(coalition=engagement.coalition, actor=actor, action="milestone.create", target=milestone)
    return milestone
