from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubmissionsConfig(AppConfig):
    name = "submissions"
    verbose_name = _("Submissions")

    def ready(self) -> None:
        from coalitions.dashboard_panels import DASHBOARD_PANELS
        from coalitions.reminders import DEADLINE_SOURCES
        from coalitions.withheld import WITHHOLD_CHECKS

        from . import decision_reminders
        from .live import signals as live_signals
        from .selectors.budgets import over_budget_panel
        from .selectors.signons import awaiting_signature_panel
        from .services.documents import documents_led_unsubmitted

        # An organisation that leads a document not yet submitted cannot be marked withheld (see coalitions.withheld).
        if documents_led_unsubmitted not in WITHHOLD_CHECKS:
            WITHHOLD_CHECKS.append(documents_led_unsubmitted)
        live_signals.connect()
        if awaiting_signature_panel not in DASHBOARD_PANELS:
            DASHBOARD_PANELS.append(awaiting_signature_panel)
        # Open decisions remind the organisations that have not voted, through the reminder sweep.
        DEADLINE_SOURCES[decision_reminders.KIND] = decision_reminders.SOURCE
        if over_budget_panel not in DASHBOARD_PANELS:  # a working group's sections over their word budget
            DASHBOARD_PANELS.append(over_budget_panel)
