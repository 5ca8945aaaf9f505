"""The ASGI entry point. Unset, DJANGO_SETTINGS_MODULE means production here (see upr.wsgi)."""
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "upr.settings.production")
application = get_asgi_application()

# The serving process, and only it, runs the beat schedule itself when there is no broker.
from coalitions.scheduler import start_embedded_beat  # noqa: E402

start_embedded_beat()
