"""upr.settings.production, unchanged but for where collected static files go.

Production serves {% static %} through whitenoise's CompressedManifestStaticFilesStorage, so pages
answer 500 until `collectstatic` has written a manifest into STATIC_ROOT. STATIC_ROOT is fixed in
upr/settings/base.py (BASE_DIR / "staticfiles"); the benchmark collects into a temporary folder
instead, so that it writes nothing outside benchmarks/ and /tmp. Everything else, middleware,
database settings (CONN_MAX_AGE...), DEBUG=False, the password hashers, is production's.
"""
from upr.settings.production import *  # noqa: F401,F403
from upr.settings.production import env

STATIC_ROOT = env.path("BENCH_STATIC_ROOT")
