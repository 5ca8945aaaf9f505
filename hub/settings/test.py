"""The test suite: real PostgreSQL and Redis (started by `make test`)."""

from .base import *  # noqa: F403
from .base import env

INSTALLED_APPS = [*INSTALLED_APPS, "demo"]  # noqa: F405  # the demo loader is tested (dev-only app)

DATABASES = {"default": env.db("TEST_DATABASE_URL", default="postgres://upr:upr@127.0.0.1:5432/upr")}
DATABASES["default"]["CONN_MAX_AGE"] = 0
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only; never in production
# In-process tests read mail.outbox; a real worker started by a test is given EMAIL_URL (a real
# SMTP server in the test) and CELERY_TASK_ALWAYS_EAGER=false.
if env("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
ACCOUNT_RATE_LIMITS = {"login_failed": "1000/m/ip"}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True  # serve from the app folders; no collectstatic before tests
import tempfile  # noqa: E402

EVIDENCE_ROOT = tempfile.mkdtemp(prefix="upr-evidence-")  # each run its own, never the checkout's
# The test process imports hub.wsgi (schemathesis, the schema test): it must never run the embedded
# beat behind a test's back (sweeps sending into mail.outbox); tests of the beat turn it on.
EMBEDDED_BEAT = False
