from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImplementationConfig(AppConfig):
    name = "implementation"
    verbose_name = _("Implementation")

    def ready(self) -> None:
        from recommendations.shared_imports import UNDO_REFUSALS

        from .selectors import followed_by_a_matrix

        if followed_by_a_matrix not in UNDO_REFUSALS:
            UNDO_REFUSALS.append(followed_by_a_matrix)
