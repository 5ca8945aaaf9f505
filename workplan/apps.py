from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkplanConfig(AppConfig):
    name = "workplan"
    verbose_name = _("Working plan")

    def ready(self) -> None:
        from . import decision_reminders, panels
        from .reminders import DEADLINE_SOURCES

        panels.register()
        # Open decisions (submissions) are deadlines too: they remind the organisations that have not voted.
        DEADLINE_SOURCES[decision_reminders.KIND] = decision_reminders.SOURCE
