from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkplanConfig(AppConfig):
    name = "workplan"
    verbose_name = _("Working plan")

    def ready(self) -> None:
        from . import panels

        panels.register()
