"""Forms of the implementation matrix."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.utils.translation import gettext_lazy as _

from coalitions.models import WorkingGroup
from upr.dates import DATE_HELP, DatePicker

from . import evidence
from .models import Assessment, Cluster, ClusterScheme, Indicator, Level, Light, Matrix, MatrixRow, SupportAction

DATE_WIDGET = DatePicker()


class BuildForm(forms.Form):
    scheme = forms.ChoiceField(
        label=_("Group the rows into"), choices=ClusterScheme.choices, widget=forms.RadioSelect, initial=ClusterScheme.OHCHR
    )


class ClusterForm(forms.Form):
    name = forms.CharField(label=_("Cluster"), max_length=200)
    working_group = forms.ModelChoiceField(WorkingGroup.objects.none(), required=False, label=_("Owned by the working group"))

    def __init__(self, *args: Any, matrix: Matrix, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Form.fields is typed as plain Fields: these are ModelChoiceFields (declared, or made for the model's relations).
        cast(forms.ModelChoiceField, self.fields["working_group"]).queryset = WorkingGroup.objects.for_coalition(matrix.coalition)


class RowForm(forms.ModelForm):
    base_version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = MatrixRow
        fields = [
            "cluster",
            "lead_body",
            "supporting_bodies",
            "actions_expected",
            "due_on",
            "national_plan",
            "related_mechanisms",
        ]
        widgets = {
            "due_on": DATE_WIDGET,
            "actions_expected": forms.Textarea(attrs={"rows": 3}),
            "related_mechanisms": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {"due_on": DATE_HELP}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Form.fields is typed as plain Fields: these are ModelChoiceFields (declared, or made for the model's relations).
        cast(forms.ModelChoiceField, self.fields["cluster"]).queryset = Cluster.objects.filter(matrix_id=self.instance.matrix_id)
        self.initial.setdefault("base_version", self.instance.version)


IndicatorFormSet: type[BaseInlineFormSet[Indicator, MatrixRow, forms.ModelForm[Indicator]]] = inlineformset_factory(
    MatrixRow,
    Indicator,
    fields=["measure", "baseline", "target", "source", "sdg"],
    extra=1,
    can_delete=True,
    labels={"sdg": _("SDG indicator (e.g. 5.3.1)")},  # type: ignore[dict-item]  # Django takes lazy labels; the stubs say str
)
ActionFormSet: type[BaseInlineFormSet[SupportAction, MatrixRow, forms.ModelForm[SupportAction]]] = inlineformset_factory(
    MatrixRow, SupportAction, fields=["what", "who", "when"], extra=1, can_delete=True
)


def suggested_light(law: str, policy: str, practice: str) -> str:
    """The overall light the three levels suggest: all fully = green, all not = red, none known = grey,
    anything in between = orange (practice partly there counts: the guides call it partial)."""
    levels = {law, policy, practice} - {Level.NO_INFO}
    if not levels:
        return Light.GREY
    if levels == {Level.FULL} and practice == Level.FULL:
        return Light.GREEN
    if levels == {Level.NOT}:
        return Light.RED
    return Light.ORANGE


class EvidenceFields(forms.Form):
    """One piece of evidence: a file or a link, with its source and date."""

    evidence_title = forms.CharField(label=_("Evidence: what it is"), max_length=200, required=False)
    evidence_file = forms.FileField(
        label=_("File"), required=False, help_text=_("PDF, Word, Excel, OpenDocument, PNG, JPEG, text or CSV; at most 20 MB.")
    )
    evidence_url = forms.URLField(label=_("or a link"), required=False, assume_scheme="https", max_length=500)
    evidence_source = forms.CharField(
        label=_("Source"),
        max_length=200,
        required=False,
        help_text=_("Who published it: a ministry, the ombudsperson, a newspaper…"),
    )
    evidence_dated = forms.DateField(label=_("Date of the source"), required=False, widget=DATE_WIDGET, help_text=DATE_HELP)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload, url = data.get("evidence_file"), data.get("evidence_url")
        given = [name for name in ("evidence_title", "evidence_source", "evidence_dated") if data.get(name)]
        if not upload and not url:
            if given:
                self.add_error("evidence_file", _("Give a file or a link for this evidence."))
            return data
        for name in ("evidence_title", "evidence_source", "evidence_dated"):
            if not data.get(name) and name not in self.errors:
                self.add_error(name, _("Needed for a piece of evidence."))
        if upload:
            try:
                evidence.checked(upload)
            except forms.ValidationError as error:
                self.add_error("evidence_file", error)
        return data

    def evidence(self) -> dict[str, Any] | None:
        data = self.cleaned_data
        if not data.get("evidence_file") and not data.get("evidence_url"):
            return None
        return {
            "title": data["evidence_title"],
            "source": data["evidence_source"],
            "dated": data["evidence_dated"],
            "url": data.get("evidence_url") or "",
            "upload": data.get("evidence_file"),
        }


class AssessmentForm(EvidenceFields, forms.ModelForm):
    light = forms.ChoiceField(
        label=_("Overall"), choices=[("", _("As the three levels suggest"))] + list(Light.choices), required=False
    )

    class Meta:
        model = Assessment
        fields = ["assessed_on", "law", "policy", "practice", "light", "narrative", "shared"]
        widgets = {"assessed_on": DATE_WIDGET, "narrative": forms.Textarea(attrs={"rows": 4})}
        help_texts = {"assessed_on": DATE_HELP}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("light") and all(data.get(k) for k in ("law", "policy", "practice")):
            data["light"] = suggested_light(data["law"], data["policy"], data["practice"])
            self.instance.light = data["light"]
        return data

    def assessment_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class EvidenceForm(EvidenceFields):
    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("evidence_file") and not data.get("evidence_url") and "evidence_file" not in self.errors:
            self.add_error("evidence_file", _("Give a file or a link for this evidence."))
        return data
