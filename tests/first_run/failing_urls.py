"""The app's URLs and one more that fails: how a server error looks under `make run`'s settings."""

import os

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def fail(request: HttpRequest) -> HttpResponse:
    raise RuntimeError(f"a failure that names {os.environ.get('UPR_FIRST_RUN_CANARY', '')}")


urlpatterns = [path("first-run-failure/", fail), path("", include("hub.urls"))]
