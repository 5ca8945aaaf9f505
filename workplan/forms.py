"""The person's choices about deadlines: how reminders come, and what a calendar address shows."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from upr.inputs import parse_int

from .models.reminders import MAX_LEAD_DAYS, Delivery


class ReminderPreferenceForm(forms.Form):
    """When (days before each deadline) and how a person gets reminders."""

    lead_days = forms.CharField(
        label=_("Remind me this many days before each deadline"),
        max_length=60,
        initial="30, 7, 1, 0",
        help_text=_("Numbers from 0 (on the day) to 60, separated by commas."),
    )
    delivery = forms.ChoiceField(label=_("How"), choices=Delivery.choices, widget=forms.RadioSelect)

    def clean_lead_days(self) -> list[int]:
        raw = [part.strip() for part in self.cleaned_data["lead_days"].split(",") if part.strip()]
        days = [parse_int(part, minimum=0, maximum=MAX_LEAD_DAYS) for part in raw]
        if not days or None in days:
            raise forms.ValidationError(_("Give whole numbers of days from 0 to 60, e.g. 30, 7, 1, 0."))
        return sorted({day for day in days if day is not None}, reverse=True)  # every one: a None is refused above


class CalendarFeedForm(forms.Form):
    """The choice made with a new calendar address (see workplan.feeds)."""

    with_coalition_name = forms.BooleanField(
        label=_("Name the coalition in the events' titles"),
        required=False,
        help_text=_("Off by default: a calendar shared with others would show them which coalition you work with."),
    )
