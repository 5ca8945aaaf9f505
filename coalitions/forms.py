"""Forms of the coalition pages. Every related-field queryset is limited to the coalition."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from upr.dates import DATE_ERRORS, DatePicker
from upr.models import Review

from .models import Coalition, MemberOrganisation, Membership, Role, WorkingGroup

DATE_WIDGET = DatePicker()


class CoalitionForm(forms.ModelForm):
    class Meta:
        model = Coalition
        fields = ["name", "slug", "description"]


class CoalitionSettingsForm(forms.ModelForm):
    class Meta:
        model = Coalition
        fields = ["name", "description"]


class OrganisationForm(forms.ModelForm):
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    established_on = forms.DateField(
        label=_("Date of establishment"), required=False, widget=DATE_WIDGET, error_messages=DATE_ERRORS
    )

    class Meta:
        model = MemberOrganisation
        fields = ["name", "acronym", "website", "activities", "established_on", "ecosoc_status", "withheld"]

    def __init__(self, *args, coalition: Coalition, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.coalition = coalition

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        clash = MemberOrganisation.objects.for_coalition(self.coalition).filter(name__iexact=name)
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("The coalition already has an organisation with this name."))
        return name


class CoalitionScopedForm(forms.Form):
    """A form whose choices come from one coalition only."""

    def __init__(self, *args, coalition: Coalition, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.coalition = coalition
        if "organisation" in self.fields:
            self.fields["organisation"].queryset = MemberOrganisation.objects.for_coalition(coalition)  # type: ignore[attr-defined]  # a ModelChoiceField in every subclass
        for name in ("lead", "members"):
            if name in self.fields:
                self.fields[name].queryset = (  # type: ignore[attr-defined]  # ModelChoiceFields in every subclass
                    Membership.objects.for_coalition(coalition).select_related("user").order_by("user__email")
                )


class InvitationForm(CoalitionScopedForm):
    email = forms.EmailField(label=_("Email address"))
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=MemberOrganisation.objects.none(),
        required=False,
        help_text=_("The member organisation this person speaks for, if any."),
    )
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.MEMBER)


class MembershipForm(CoalitionScopedForm):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=MemberOrganisation.objects.none(), required=False)


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Membership) -> str:
        return str(obj.user)


class PeopleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Membership) -> str:
        return str(obj.user)


class WorkingGroupForm(CoalitionScopedForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    theme = forms.CharField(label=_("Theme"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    lead = PersonChoiceField(label=_("Lead"), queryset=Membership.objects.none(), required=False)
    members = PeopleChoiceField(
        label=_("Members"), queryset=Membership.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    @classmethod
    def initial_for(cls, group: WorkingGroup) -> dict:
        return {"name": group.name, "theme": group.theme, "lead": group.lead, "members": list(group.members.all())}


class EngagementForm(forms.Form):
    review = forms.ModelChoiceField(
        label=_("Review"),
        queryset=Review.objects.with_related().order_by("-session__number", "state__name"),
        help_text=_("The State under Review and the Working Group session, e.g. Slovenia, session 48."),
    )


class MilestoneDateForm(forms.Form):
    date = forms.DateField(
        label=_("Date"),
        required=False,
        widget=DATE_WIDGET,
        error_messages=DATE_ERRORS,
        help_text=_("Leave empty to use the date computed from the review."),
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class CustomMilestoneForm(forms.Form):
    title = forms.CharField(label=_("Internal deadline"), max_length=200)
    date = forms.DateField(label=_("Date"), widget=DATE_WIDGET, error_messages=DATE_ERRORS)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)
