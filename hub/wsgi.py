"""The WSGI entry point of gunicorn (and of `runserver`, which names it in WSGI_APPLICATION).

Unset, DJANGO_SETTINGS_MODULE means production here: a server started without it must never run with
DEBUG on (production refuses to start without a SECRET_KEY). `manage.py` keeps the development default.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings.production")
application = get_wsgi_application()

# The serving process, and only it, runs the beat schedule itself when there is no broker.
from upr.scheduler import start_embedded_beat  # noqa: E402

start_embedded_beat()
