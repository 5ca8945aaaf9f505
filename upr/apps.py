from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UprConfig(AppConfig):
    name = "upr"
    verbose_name = _("UPR mechanism")

    def ready(self) -> None:
        # Every connection records its writes for the fresh caches (upr.freshness).
        from django.core.signals import request_finished, request_started
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_migrate, pre_migrate

        from . import freshness

        connection_created.connect(freshness.install, dispatch_uid="freshness-install")
        pre_migrate.connect(freshness.pause, dispatch_uid="freshness-pause")
        post_migrate.connect(freshness.resume, dispatch_uid="freshness-resume")
        request_started.connect(freshness.request_started, dispatch_uid="freshness-request-started")
        request_finished.connect(freshness.request_finished, dispatch_uid="freshness-request-finished")
