"""Response headers that Django's SecurityMiddleware does not set.

Django sets X-Content-Type-Options, Referrer-Policy and Cross-Origin-Opener-Policy (settings
SECURE_*), X-Frame-Options comes from XFrameOptionsMiddleware and the Content-Security-Policy
from django-csp. What is left is the Permissions-Policy: a page that a script was injected into
still cannot turn on the camera, the microphone or the location of a defender at risk.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.permissions_policy: str = getattr(settings, "PERMISSIONS_POLICY", "")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.permissions_policy and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = self.permissions_policy
        return response
