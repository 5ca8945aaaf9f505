"""The forms of the decisions: opening one (its closing date and time entered in Geneva time, as
OHCHR's deadlines are) and an organisation's vote."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from upr.dates import DATE_ERRORS, DATE_HELP, DatePicker
from upr.rules import GENEVA

from .forms import choice_field
from .models import DecisionKind, DecisionOption


class DecisionOpenForm(forms.Form):
    title = forms.CharField(
        label=_("Question"), max_length=300, help_text=_("E.g. Approve the final text; Choose the wording of recommendation 12.")
    )
    description = forms.CharField(
        label=_("Details (optional)"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=DecisionKind.choices,
        initial=DecisionKind.APPROVE,
        widget=forms.RadioSelect,
        help_text=_("Approving the text offers Approve, Object and Abstain."),
    )
    options = forms.CharField(
        label=_("Options of a choice, one per line"),
        max_length=10000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Two at least."),
    )
    closes_on = forms.DateField(
        label=_("Closes on (Geneva)"), widget=DatePicker(), help_text=DATE_HELP, error_messages=DATE_ERRORS
    )
    closes_time = forms.TimeField(
        label=_("At (Geneva time)"),
        initial=dt.time(15, 0),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"invalid": _("Enter a time such as 15:00.")},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("closes_on") and data.get("closes_time") is not None:
            try:
                data["closes_at"] = dt.datetime.combine(data["closes_on"], data["closes_time"], tzinfo=GENEVA)
            except (OverflowError, ValueError):
                self.add_error("closes_on", _("Enter a real date: choose it in the calendar, or type it as 2027-03-15."))
        data["option_lines"] = (data.get("options") or "").splitlines()
        if data.get("kind") == DecisionKind.CHOOSE and len([o for o in data["option_lines"] if o.strip()]) < 2:
            self.add_error("options", _("A choice needs at least two options: write one per line."))
        return data


class VoteForm(forms.Form):
    option = forms.TypedChoiceField(label=_("Your organisation's vote"), coerce=int, widget=forms.RadioSelect, choices=())
    reason = forms.CharField(
        label=_("Reason (optional)"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, options: list[DecisionOption], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Labels as the reader reads them (selectors.decisions.option_label, set as `.shown`).
        choice_field(self, "option").choices = [(o.pk, getattr(o, "shown", o.label)) for o in options]
