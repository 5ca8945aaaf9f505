from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import User, timezone_choices


class ProfileForm(forms.ModelForm):
    timezone = forms.ChoiceField(label=_("Time zone"), choices=timezone_choices)
    language = forms.ChoiceField(label=_("Language"))

    class Meta:
        model = User
        fields = ["name", "timezone", "language"]

    def __init__(self, *args, **kwargs) -> None:
        from django.conf import settings

        super().__init__(*args, **kwargs)
        # Declared above as a ChoiceField; its choices are the settings' languages.
        cast(forms.ChoiceField, self.fields["language"]).choices = settings.LANGUAGES
