from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubmissionsConfig(AppConfig):
    name = "submissions"
    verbose_name = _("Submissions")

    def ready(self) -> None:
        from coalitions.withheld import WITHHOLD_CHECKS
        from upr import panels

        from .live import signals as live_signals
        from .selectors.budgets import over_budget_panel
        from .selectors.signons import awaiting_signature_panel
        from .services.documents import documents_led_unsubmitted

        # An organisation that leads a document not yet submitted cannot be marked withheld (see coalitions.withheld).
        if documents_led_unsubmitted not in WITHHOLD_CHECKS:
            WITHHOLD_CHECKS.append(documents_led_unsubmitted)
        live_signals.connect()
        panels.register("dashboard", awaiting_signature_panel)
        panels.register("dashboard", over_budget_panel)  # a working group's sections over their word budget
