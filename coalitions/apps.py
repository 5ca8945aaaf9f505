from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoalitionsConfig(AppConfig):
    name = "coalitions"
    verbose_name = _("Coalitions")

    def ready(self) -> None:
        from . import signup  # noqa: F401  # its receiver joins an invited person on sign-up
