"""Consultations and the advocacy log: their forms and their writes.

A follow-up with a due date becomes a task of the person who recorded it, so that it shows in the
plan, in "my deadlines", in the calendar feed and in the reminders, like any other deadline.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any, cast

from django import forms
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from coalitions.audit import audit_record
from coalitions.models import Engagement, MemberOrganisation, Membership
from upr.dates import DATE_HELP, DatePicker
from upr.models import State

from .models import AdvocacyMeeting, Consultation, Task, TaskStatus

FOLLOW_UP_TIME = dt.time(9, 0)
DATE_WIDGET = DatePicker()


class FollowUpFormMixin(forms.ModelForm):
    """A follow-up due date, kept as the due date of the record's follow-up task."""

    follow_up_due = forms.DateField(
        label=gettext_lazy("Follow-up due on"),
        required=False,
        widget=DATE_WIDGET,
        help_text=gettext_lazy("Optional. You will be reminded like any other deadline."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        task = self.instance.follow_up_task if self.instance.pk else None
        if task is not None and task.status == TaskStatus.OPEN:
            self.initial["follow_up_due"] = task.due_at.astimezone(zoneinfo.ZoneInfo(task.time_zone)).date()


class ConsultationForm(FollowUpFormMixin):
    class Meta:
        model = Consultation
        fields = ["kind", "held_on", "place", "online", "organiser", "attended", "issues_raised", "our_input", "follow_up"]
        widgets = {
            "held_on": DATE_WIDGET,
            "attended": forms.CheckboxSelectMultiple,
            "issues_raised": forms.Textarea(attrs={"rows": 3}),
            "our_input": forms.Textarea(attrs={"rows": 3}),
            "follow_up": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {"held_on": DATE_HELP}

    def __init__(self, *args: Any, engagement: Engagement, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Form.fields is typed as plain Fields: these are ModelChoiceFields (declared, or made for the model's relations).
        cast(forms.ModelChoiceField, self.fields["attended"]).queryset = MemberOrganisation.objects.for_coalition(
            engagement.coalition
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("online") and not (data.get("place") or "").strip():
            self.add_error("place", _("Say where it was held, or tick “online”."))
        return data


class AdvocacyMeetingForm(FollowUpFormMixin):
    state = forms.ModelChoiceField(State.objects.order_by("name"), label=gettext_lazy("State met"))

    class Meta:
        model = AdvocacyMeeting
        fields = [
            "state",
            "venue",
            "met_on",
            "person_met",
            "issues_raised",
            "themes",
            "documents",
            "drafts",
            "follow_up",
            "outcome",
        ]
        widgets = {
            "met_on": DATE_WIDGET,
            "issues_raised": forms.Textarea(attrs={"rows": 3}),
            "documents": forms.CheckboxSelectMultiple,
            "drafts": forms.CheckboxSelectMultiple,
            "follow_up": forms.Textarea(attrs={"rows": 2}),
            "outcome": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {"met_on": DATE_HELP}

    def __init__(self, *args: Any, engagement: Engagement, **kwargs: Any) -> None:
        from recommendations.models import Theme
        from submissions.models import Document, DraftRecommendation

        super().__init__(*args, **kwargs)
        coalition = engagement.coalition
        # Form.fields is typed as plain Fields: these are ModelChoiceFields (declared, or made for the model's relations).
        cast(forms.ModelChoiceField, self.fields["themes"]).queryset = Theme.objects.order_by("name")
        cast(forms.ModelChoiceField, self.fields["documents"]).queryset = Document.objects.for_coalition(coalition).filter(
            engagement=engagement
        )
        cast(forms.ModelChoiceField, self.fields["drafts"]).queryset = DraftRecommendation.objects.for_coalition(
            coalition
        ).filter(engagement=engagement)


class ReviewAdoptionForm(forms.ModelForm):
    webcast_url = forms.URLField(
        label=gettext_lazy("Webcast of the review"),
        required=False,
        assume_scheme="https",
        help_text=Engagement._meta.get_field("webcast_url").help_text,
    )

    class Meta:
        model = Engagement
        fields = ["webcast_url", "oral_statement", "oral_statement_by", "oral_statement_slot"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Form.fields is typed as plain Fields: these are ModelChoiceFields (declared, or made for the model's relations).
        cast(forms.ModelChoiceField, self.fields["oral_statement_by"]).queryset = MemberOrganisation.objects.for_coalition(
            self.instance.coalition
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("oral_statement") == "signed_up" and not data.get("oral_statement_slot"):
            self.add_error("oral_statement_slot", _("Give the slot you obtained (1 to 10)."))
        return data


# --- writes ---------------------------------------------------------------------------------------


def can_change(membership: Membership, record: Consultation | AdvocacyMeeting) -> bool:
    """Editors and the secretariat change any record; a member the ones they recorded."""
    return membership.can_edit or record.created_by_id == membership.user_id


def _follow_up(record: Consultation | AdvocacyMeeting, actor: User, due: dt.date | None, title: str) -> None:
    """Create, move or withdraw the record's follow-up task (one done already is left as it is)."""
    task = record.follow_up_task
    if task is not None and task.status == TaskStatus.DONE:
        return
    if due is None:
        if task is not None:
            record.follow_up_task = None
            record.save(update_fields=["follow_up_task"])
            task.delete()  # its claimed reminders find the task gone and are not sent
        return
    zone = getattr(actor, "timezone", "") or "Europe/Zurich"
    due_at = dt.datetime.combine(due, FOLLOW_UP_TIME, tzinfo=zoneinfo.ZoneInfo(zone))
    if task is None:
        record.follow_up_task = Task.objects.create(
            coalition=record.coalition,
            engagement=record.engagement,
            title=title[:200],
            due_at=due_at,
            time_zone=zone,
            owner=actor,
            created_by=actor,
        )
        record.save(update_fields=["follow_up_task"])
    else:
        task.title, task.due_at, task.time_zone = title[:200], due_at, zone
        task.save(update_fields=["title", "due_at", "time_zone", "updated_at"])


def _save(record: Any, form: forms.ModelForm, actor: User, action: str) -> Any:
    creating = record.pk is None
    record = form.save(commit=False)
    if creating:
        record.created_by = actor
    record.save()
    form.save_m2m()
    audit_record(coalition=record.coalition, actor=actor, action=f"{action}.{'create' if creating else 'update'}", target=record)
    return record


@transaction.atomic
def consultation_save(*, engagement: Engagement, actor: User, form: ConsultationForm) -> Consultation:
    """Save a valid ConsultationForm (bound to a new or an existing consultation of `engagement`)."""
    form.instance.coalition, form.instance.engagement = engagement.coalition, engagement
    consultation = _save(form.instance, form, actor, "consultation")
    title = _("Follow up the consultation of %(date)s") % {"date": consultation.held_on.isoformat()}
    _follow_up(consultation, actor, form.cleaned_data.get("follow_up_due"), title)
    return consultation


@transaction.atomic
def meeting_save(*, engagement: Engagement, actor: User, form: AdvocacyMeetingForm) -> AdvocacyMeeting:
    """Save a valid AdvocacyMeetingForm (bound to a new or an existing entry of `engagement`)."""
    form.instance.coalition, form.instance.engagement = engagement.coalition, engagement
    meeting = _save(form.instance, form, actor, "advocacy")
    title = _("Follow up the meeting with %(state)s (%(venue)s)") % {
        "state": meeting.state.name,
        "venue": meeting.get_venue_display(),
    }
    _follow_up(meeting, actor, form.cleaned_data.get("follow_up_due"), title)
    return meeting


@transaction.atomic
def record_delete(*, record: Consultation | AdvocacyMeeting, membership: Membership) -> None:
    if not can_change(membership, record):
        raise PermissionDenied(_("Only the person who recorded it, an editor or the secretariat can delete it."))
    action = "consultation.delete" if isinstance(record, Consultation) else "advocacy.delete"
    audit_record(coalition=record.coalition, actor=membership.user, action=action, target=record)
    task = record.follow_up_task
    record.delete()
    if task is not None and task.status == TaskStatus.OPEN:
        task.delete()


@transaction.atomic
def review_adoption_save(*, engagement: Engagement, actor: User, form: ReviewAdoptionForm) -> Engagement:
    from coalitions.audit import diff_fields

    changes = diff_fields(Engagement.objects.get(pk=engagement.pk), form.cleaned_data)
    engagement = form.save()
    if changes:
        audit_record(coalition=engagement.coalition, actor=actor, action="engagement.update", target=engagement, changes=changes)
    return engagement
