"""The ASGI entry point: pages (Django) and the live editor's WebSockets (Channels) from one process.

Unset, DJANGO_SETTINGS_MODULE means production here (see hub.wsgi). WebSockets are authenticated by
the session cookie and accepted only from this site's own hosts (ALLOWED_HOSTS): a page of another
site open in the same browser cannot open a socket in the person's name.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings.production")
django_application = get_asgi_application()  # sets Django up before the consumers are imported

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from submissions.live.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_application,
        "websocket": AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)

# The serving process, and only it, runs the beat schedule itself when there is no broker.
from upr.scheduler import start_embedded_beat  # noqa: E402

start_embedded_beat()
