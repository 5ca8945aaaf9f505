from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from coalitions.models import Engagement, MemberOrganisation, Membership, WorkingGroup
from recommendations.models import Recommendation
from upr.models import State
from upr.rules import DOCUMENT_KINDS, DOCUMENT_LANGUAGES

from .models import Document, DocumentStatus, DraftRecommendation, SignOn


def model_choice_field(form: forms.BaseForm, name: str) -> forms.ModelChoiceField:
    """A form's field that chooses among model instances, typed as such (`form.fields` holds plain
    Fields for the checker)."""
    # A ModelChoiceField (or its subclass ModelMultipleChoiceField): declared so, or made by the ModelForm
    # from a ForeignKey or a ManyToManyField.
    return cast(forms.ModelChoiceField, form.fields[name])


def choice_field(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    """A form's field declared as a ChoiceField (or TypedChoiceField), typed as such."""
    return cast(forms.ChoiceField, form.fields[name])  # declared as a ChoiceField in the form's class


class DraftRecommendationForm(forms.ModelForm):
    class Meta:
        model = DraftRecommendation
        fields = ["text", "responsible_actor", "indicator", "timeframe", "states_to_ask", "follows_up", "working_group"]
        widgets = {
            "text": forms.Textarea(attrs={"rows": 3}),
            "states_to_ask": forms.SelectMultiple(attrs={"size": 8}),
        }
        help_texts = {
            "responsible_actor": _("E.g. the Ministry of Labour, the National Assembly."),
            "indicator": _("How anyone will know it was done, e.g. the law adopted, the number of shelters."),
            "timeframe": _("E.g. by the mid-term report, within two years."),
            "states_to_ask": _("The States you will ask to make it. Hold Ctrl (or Cmd) to choose several."),
        }

    def __init__(self, *args: Any, engagement: Engagement, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "states_to_ask").queryset = State.objects.exclude(pk=engagement.review.state_id).order_by("name")
        model_choice_field(self, "working_group").queryset = WorkingGroup.objects.for_coalition(engagement.coalition)
        # What it follows up: a recommendation this State received in an earlier review.
        follows_up = model_choice_field(self, "follows_up")
        follows_up.queryset = Recommendation.objects.filter(
            review__state_id=engagement.review.state_id, review__session__number__lt=engagement.review.session.number
        ).select_related("review__session")
        follows_up.label_from_instance = lambda obj: f"{obj.paragraph or obj.review.session.number} {obj.text[:110]}"  # type: ignore[method-assign]  # this field's own labels, as Django's docs allow


# --- documents ---------------------------------------------------------------------------------


class DocumentCreateForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=[(k.key, k.label) for k in DOCUMENT_KINDS.values()])
    title = forms.CharField(label=_("Title"), max_length=300)
    language = forms.ChoiceField(
        label=_("Language"), choices=DOCUMENT_LANGUAGES, initial="en", help_text=_("OHCHR prefers English, French or Spanish.")
    )
    lead_organisation = forms.ModelChoiceField(
        MemberOrganisation.objects.none(),
        required=False,
        label=_("Lead submitter"),
        help_text=_(
            "Needed for a stakeholder submission: OHCHR publishes every submission with its submitters' names. "
            "An organisation whose name is withheld cannot lead: it signs on, counted without being named."
        ),
    )
    theme = forms.CharField(label=_("Theme (factsheets)"), max_length=200, required=False)

    def __init__(self, *args: Any, coalition: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        lead_choices(model_choice_field(self, "lead_organisation"), coalition.pk)


def lead_choices(field: forms.ModelChoiceField, coalition_id: int) -> None:
    """The coalition's organisations; a withheld one is offered marked, and refused by the service
    (submissions.services.lead_refusal) with the reason and the usual route."""
    field.queryset = MemberOrganisation.objects.filter(coalition_id=coalition_id)
    field.label_from_instance = lambda obj: (  # type: ignore[method-assign]  # this field's own labels, as Django's docs allow
        _("%(organisation)s (name withheld: cannot lead)") % {"organisation": obj} if obj.withheld else str(obj)
    )


class DocumentSettingsForm(forms.ModelForm):
    """The document's settings; a submission's lead submitter too (left empty: unchanged)."""

    class Meta:
        model = Document
        fields = ["title", "language", "theme", "keywords", "word_limit_override", "period_covered", "lead_organisation"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.kind_rules.submission:
            self.fields["lead_organisation"].required = False
            lead_choices(model_choice_field(self, "lead_organisation"), self.instance.coalition_id)
        else:
            del self.fields["lead_organisation"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        assert data is not None  # a ModelForm's clean() returns its cleaned_data
        if "lead_organisation" in data and data["lead_organisation"] is None:
            del data["lead_organisation"]  # a form posted without the lead keeps it
        return data


class SectionAddForm(forms.Form):
    title = forms.CharField(label=_("Title of the new section"), max_length=300)
    annex = forms.BooleanField(label=_("An annex (does not count)"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Its own ids: the document's settings form on the same page has a `title` too (id_title twice
        # would tie each label to the wrong field for a screen reader).
        kwargs.setdefault("auto_id", "id_new_section_%s")
        super().__init__(*args, **kwargs)


class SectionAssignForm(forms.Form):
    """Who writes a section: a working group and/or a person (by user id) of the coalition. The
    choices are read once per page (`groups`, `people`), not once per section."""

    working_group = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label=_("Working group"))
    assignee = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label=_("Person"))

    def __init__(self, *args: Any, coalition: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.groups = list(WorkingGroup.objects.for_coalition(coalition).values_list("pk", "name"))
        self.people = [(m.user_id, str(m.user)) for m in Membership.objects.for_coalition(coalition).select_related("user")]
        choice_field(self, "working_group").choices = [("", "—"), *self.groups]
        choice_field(self, "assignee").choices = [("", "—"), *self.people]


class StatusForm(forms.Form):
    to = forms.ChoiceField(choices=DocumentStatus.choices)
    reason = forms.CharField(max_length=500, required=False, label=_("Reason"))


class SignOnRequestForm(forms.Form):
    organisations = forms.ModelMultipleChoiceField(
        MemberOrganisation.objects.none(),
        label=_("Ask these organisations to sign"),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, document: Document, signed_earlier: list[int] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The lead submitter needs no asking; an organisation that signed or is asked already is not offered
        # again, unless it signed an earlier version of the text (`signed_earlier`: those organisations' ids,
        # when the page knows them; signon_request checks it again against the text as it is then).
        taken = SignOn.objects.filter(document=document, status__in=["signed", "requested"]).exclude(
            status="signed", organisation__in=signed_earlier or []
        )
        model_choice_field(self, "organisations").queryset = (
            MemberOrganisation.objects.for_coalition(document.coalition)
            .exclude(pk=document.lead_organisation_id)
            .exclude(pk__in=taken.values("organisation"))
        )


class SignOnAnswerForm(forms.Form):
    answer = forms.ChoiceField(
        choices=[("sign", _("Sign")), ("decline", _("Decline"))], widget=forms.RadioSelect, label=_("Answer")
    )
    named = forms.BooleanField(
        required=False,
        initial=True,
        label=_("Name our organisation on the cover"),
        help_text=_("Untick if naming you puts you at risk: you will be counted among the submitters, not named."),
    )
    note = forms.CharField(max_length=500, required=False, label=_("Note"))

    def __init__(self, *args: Any, withheld: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if withheld:  # its name is withheld for its security: it is counted, never named, and not asked
            del self.fields["named"]


class DocxImportForm(forms.Form):
    file = forms.FileField(
        label=_("Word file (.docx)"), help_text=_("At most 20 MB. Headings 1 start new sections; footnotes come across.")
    )


class RecommendationsChoiceForm(forms.Form):
    recommendations = forms.ModelMultipleChoiceField(
        DraftRecommendation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Draft recommendations in this document"),
    )

    def __init__(self, *args: Any, document: Document, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "recommendations").queryset = DraftRecommendation.objects.for_coalition(
            document.coalition
        ).filter(engagement=document.engagement)
