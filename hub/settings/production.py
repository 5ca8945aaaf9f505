"""Production: every secret from the environment, HTTPS only.

`python manage.py check --deploy` passes with these settings.
"""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import SECRET_KEY, env

# Never DEBUG in production, whatever the environment says: the debug page shows the settings and
# the environment to whoever opens it. A DEBUG=true given here is a mistake, refused loudly.
DEBUG = False
if env.bool("DEBUG", default=False):
    raise ImproperlyConfigured("DEBUG is never on under hub.settings.production: unset DEBUG (use hub.settings.dev to debug).")
if SECRET_KEY.startswith("dev-only"):
    raise ImproperlyConfigured("Set SECRET_KEY in the environment for production.")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# /health/ is probed over plain HTTP from inside the stack.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
# Static files for slow connections: collectstatic names each file after a hash of its content
# (css/app.5678f90aa8cf.css) and writes a gzip (.gz) and, with the `brotli` package, a Brotli (.br)
# copy beside it, once, at the best compression; WhiteNoise (MIDDLEWARE) then answers each browser with
# the smallest copy it accepts, and hashed names with "Cache-Control: max-age=315360000, public,
# immutable" (a changed file gets a new name, so a browser never asks twice). Tested in
# tests/test_compression.py; measured in benchmarks/slow_line.py.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
