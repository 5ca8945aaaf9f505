"""Forms of the recommendations pages: the coalition's own record, a later response, imports, statistics
and lobbying targets (the list's filters are read by recommendations.filters)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _

from coalitions.models import Coalition, WorkingGroup
from upr.dates import DATE_HELP, DatePicker
from upr.models import RegionalGroup, Review, Session, State
from upr.uploads import display_name

from .lobbying import Subject
from .models import ACTION_CATEGORIES, Issue, LinkDecision, Response, Theme
from .statistics import latest_review_of


class OursForm(forms.Form):
    priority = forms.BooleanField(required=False, label=_("A priority for our coalition"))
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False, label=_("Our notes"), max_length=10000)
    working_group = forms.ModelChoiceField(
        WorkingGroup.objects.none(), required=False, label=_("Our working group"), empty_label=_("None")
    )

    def __init__(self, *args: Any, coalition: Coalition, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Form.fields is typed as plain Fields: these are ModelChoiceFields (declared, or made for the model's relations).
        cast(forms.ModelChoiceField, self.fields["working_group"]).queryset = WorkingGroup.objects.for_coalition(coalition)


class ResponseForm(forms.Form):
    response = forms.ChoiceField(choices=Response.choices, label=_("The State's response"))
    source = forms.CharField(
        max_length=200,
        label=_("Where the State said it"),
        help_text=_("E.g. the mid-term report, or A/HRC/59/15/Add.1 - Para.3."),
    )
    stated_on = forms.DateField(required=False, label=_("On (date)"), widget=DatePicker(), help_text=DATE_HELP)

    def __init__(self, *args: Any, operator: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if operator:
            self.fields["shared"] = shared_field()


def shared_field() -> forms.BooleanField:
    """The site staff's choice to change the shared value for every coalition, not only their own."""
    return forms.BooleanField(
        required=False,
        label=_("Record it for every coalition (site staff)"),
        help_text=_("Changes the shared data; every coalition following this State is told."),
    )


class ActionCategoryForm(forms.Form):
    category = forms.TypedChoiceField(choices=ACTION_CATEGORIES, coerce=int, label=_("Action category"))

    def __init__(self, *args: Any, operator: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if operator:
            self.fields["shared"] = shared_field()


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=LinkDecision.choices)


class ImportForm(forms.Form):
    MAX_BYTES = 20 * 1024 * 1024

    review = forms.ModelChoiceField(
        Review.objects.none(),
        required=False,
        label=_("Review"),
        help_text=_("Needed for OHCHR's Word list and for our template. An UPR Info export may cover many reviews."),
        empty_label=_("Each row's own review (UPR Info export)"),
    )
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "OHCHR's thematic list of recommendations (.docx), UPR Info's database export (.csv or .xlsx), or our template (.csv or .xlsx). At most 20 MB."
        ),
    )
    mode = forms.ChoiceField(
        choices=[
            ("skip", _("Import the rows that are fine and list the others")),
            ("all_or_nothing", _("Import nothing if any row has a problem")),
        ],
        initial="skip",
        widget=forms.RadioSelect,
        label=_("If some rows have problems"),
    )

    def __init__(self, *args: Any, reviews: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Form.fields is typed as plain Fields: these are ModelChoiceFields (declared, or made for the model's relations).
        cast(forms.ModelChoiceField, self.fields["review"]).queryset = reviews

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB. Split it, or import it on the command line."))
        if not upload.name.lower().endswith((".docx", ".csv", ".xlsx")):
            raise forms.ValidationError(_("Give a .docx, .csv or .xlsx file."))
        upload.name = display_name(upload.name)  # shown in the trail and the report: no path, no control characters
        return upload


# --- statistics and lobbying targets -------------------------------------------------------------


class SessionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Session) -> str:
        return _("Session %(number)d (cycle %(cycle)d)") % {"number": obj.number, "cycle": obj.cycle}


class ReviewChoiceForm(forms.Form):
    """Which review to count: a State under Review, and a session (or its latest review in our data)."""

    state = forms.ModelChoiceField(
        State.objects.filter(Exists(Review.objects.filter(state=OuterRef("pk")))).order_by("name"),
        to_field_name="iso3",
        required=False,
        label=gettext_lazy("State under Review"),
        empty_label=gettext_lazy("Choose a State"),
    )
    session = SessionChoiceField(
        Session.objects.all(),
        to_field_name="number",
        required=False,
        label=gettext_lazy("Working Group session"),
        empty_label=gettext_lazy("Its latest review in our data"),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        state, session = cleaned.get("state"), cleaned.get("session")
        if self.errors or not (state or session):
            return cleaned
        if not state:
            raise forms.ValidationError(_("Choose the State under Review as well."))
        review = (
            Review.objects.with_related().filter(state=state, session=session).first() if session else latest_review_of(state)
        )
        if review is None:
            assert session is not None  # a State offered has a review: only one of a session can be missing
            raise forms.ValidationError(
                _("%(state)s was not reviewed in session %(number)d.") % {"state": state.name, "number": session.number}
            )
        cleaned["review"] = review
        return cleaned


class LobbyingForm(forms.Form):
    """The subject to find lobbying targets for: a theme, an issue and/or words (at least one)."""

    theme = forms.ModelChoiceField(
        Theme.objects.all(),
        required=False,
        label=gettext_lazy("Theme (OHCHR's thematic lists)"),
        empty_label=gettext_lazy("Any theme"),
    )
    issue = forms.ModelChoiceField(
        Issue.objects.all(),
        required=False,
        label=gettext_lazy("Issue (UPR Info's database)"),
        empty_label=gettext_lazy("Any issue"),
    )
    q = forms.CharField(
        max_length=200,
        required=False,
        label=gettext_lazy("Words in the recommendation"),
        help_text=gettext_lazy('For example HIV, or "sexual orientation". Every word must appear.'),
    )
    group = forms.ChoiceField(
        choices=[("", gettext_lazy("Any regional group")), *RegionalGroup.choices],
        required=False,
        label=gettext_lazy("Regional group of the recommending States"),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.errors and not (cleaned.get("theme") or cleaned.get("issue") or (cleaned.get("q") or "").strip()):
            raise forms.ValidationError(_("Choose a theme or an issue, or type words to look for."))
        return cleaned

    def subject(self) -> Subject:
        """The subject of a valid form."""
        data = self.cleaned_data
        return Subject(theme=data.get("theme"), issue=data.get("issue"), q=data.get("q") or "", group=data.get("group") or "")
