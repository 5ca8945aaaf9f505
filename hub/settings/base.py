"""Settings shared by every environment.

Everything an operator may change comes from the environment (django-environ). With nothing set,
the embedded defaults of `make run` apply: SQLite, tasks run in-process, email to the console.
"""

from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key-change-me")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = [o for o in env.list("CSRF_TRUSTED_ORIGINS", default=[]) if o]

INSTALLED_APPS = [
    # Daphne first: its runserver serves the ASGI application (pages and the live editor's
    # WebSockets) from the one command of `make run`.
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "channels",
    # The apps, lowest layer first: each imports only those above it in this list (README, "Layers";
    # import-linter checks it in `make test`). The demo loader is a development app (settings/dev.py).
    "upr",
    "accounts",
    "coalitions",
    "recommendations",
    "submissions",
    "implementation",
    "workplan",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages, fragments and JSON gzipped for slow connections (static files are not: WhiteNoise above
    # answers them first, already compressed by collectstatic, with Range and 304 handled). Placed above
    # every middleware that writes a header or reads the body, so it compresses the final body; the ETag
    # it sees (none of our views sets one) is made weak, which conditional requests still match; a
    # streamed download (CSV export, evidence FileResponse) is compressed as it streams; WebSockets never
    # pass through Django's middleware. Why compressing pages is safe from BREACH (guessing a secret in a
    # compressed page from the lengths of many responses that also reflect the attacker's text):
    # Django's GZipMiddleware pads each response with 0-100 random bytes (Heal-The-Breach, Django 4.2),
    # so lengths vary from one identical request to the next; the only secret on every page, the CSRF
    # token, is masked afresh in each response; the session id never appears in a body; the session
    # cookie is SameSite=Lax, so another site's requests (images, scripts, fetches) get the signed-out
    # page; and the secrets a page shows (a new API token, a calendar address) are shown once.
    "django.middleware.gzip.GZipMiddleware",
    "upr.headers.SecurityHeadersMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "accounts.middleware.UserTimezoneMiddleware",
    "accounts.middleware.AccountLanguageMiddleware",
    "coalitions.tenancy.CoalitionMiddleware",
]

# Content-Security-Policy (django-csp): our own origin only, no inline script or style anywhere
# (scripts live in static/js, styles in static/css; htmx is told not to inject its indicator style,
# see base.html). A stored-XSS that slipped past the sanitiser or the escaping could then still
# not run: an injected <script>, onerror= or style= is refused by the browser. No page relaxes it:
# the API docs use drf-spectacular's split view, whose set-up script is a file of its own.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}
# Browser features no page of ours uses, switched off for every page (upr.headers).
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"

ROOT_URLCONF = "hub.urls"
WSGI_APPLICATION = "hub.wsgi.application"
ASGI_APPLICATION = "hub.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "coalitions.context_processors.coalition_nav",
            ],
        },
    },
    {
        # The hot fragments only (upr/jinja2.py says why): the rows of the people list, the recommendations
        # list and the matrix, the list's filter selects. Their templates are in templates/jinja2/, named
        # from there ("coalitions/member_rows.html"), and rendered through upr.jinja2.fragment; Django's
        # engine, first, never asks for a name under jinja2/. Autoescape is always on.
        "NAME": "jinja2",
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "upr.jinja2.environment"},
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # make run's SQLite serves pages, the live editor's sockets and the embedded beat from one process
    # and several threads: a transaction takes the write lock when it begins (IMMEDIATE) and waits for
    # it rather than failing with "database is locked"; WAL lets pages read while an update commits.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"}
    )
# Served by ASGI, Django runs each request in a thread of its own, so a connection kept open for the
# next request (CONN_MAX_AGE) is never reused: each thread leaves one behind until PostgreSQL runs out
# (measured: two workers held 95 of 100 under load). Connections are closed after each request, and
# PostgreSQL's are taken from a pool (psycopg's, per process) instead.
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env.bool("DATABASE_POOL", default=True):
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1,
        "max_size": env.int("DATABASE_POOL_SIZE", default=10),
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis is optional: without it, tasks run in-process and the cache is per process.
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    # One pool per process, not per thread: under ASGI each request is a thread (upr/redis_pool.py).
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"pool_class": "upr.redis_pool.ProcessConnectionPool"},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# The live editor's channel layer: with Redis, every web process relays a document's changes to the
# editors connected to the others; without it (make run: one process), in memory.
if REDIS_URL:
    # No socket timeout: channels-redis waits up to 5 s for the next message (BZPOPMIN), and redis-py's
    # default 5 s read timeout would end that wait with an error that drops every idle editor's socket.
    # redis-py's pool allows 100 connections by default: 400 editors leaving at once exhausted it.
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": [{"address": REDIS_URL, "socket_timeout": None, "max_connections": 1000}],
                "capacity": 1500,
                "expiry": 30,
            },
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
# Seconds without a change before a live text's HTML is rendered (pages, counts, exports read it),
# and before a version is kept in its history.
LIVE_RENDER_PAUSE = env.float("LIVE_RENDER_PAUSE", default=2.0)
LIVE_VERSION_PAUSE = env.float("LIVE_VERSION_PAUSE", default=60.0)

CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True  # a worker that dies mid-task leaves the task to be redelivered
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A task whose worker died unacknowledged is given to another worker after this many seconds (Redis).
# Kombu looks for such tasks every interval x throttle seconds (tests lower all three).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
    "unacked_restore_interval": env.int("CELERY_RESTORE_INTERVAL", default=10),
    "unacked_restore_throttle": env.int("CELERY_RESTORE_THROTTLE", default=10),
}
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
# The reminder sweep: every 15 minutes. A sweep claims each reminder once (workplan.reminders), so
# a second beat, an overlapping sweep or a late one sends nothing twice.
CELERY_BEAT_SCHEDULE: dict = {
    "reminder-sweep": {"task": "workplan.tasks.sweep_reminders", "schedule": 15 * 60},
    # Decisions close at their time: each once (a conditional update), so a second beat closes nothing twice.
    "decision-close": {"task": "submissions.tasks.close_due_decisions", "schedule": 60},
}
# Without a broker there is no beat: the serving process runs this schedule itself (upr.scheduler).
EMBEDDED_BEAT = env.bool("EMBEDDED_BEAT", default=not REDIS_URL)
# Seconds; when set, every beat entry runs this often instead of on its schedule (tests, demos).
EMBEDDED_BEAT_INTERVAL = env.float("EMBEDDED_BEAT_INTERVAL", default=None)

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# django-allauth: email is the login; a coalition is private, so sign-up is open only to the
# holder of a valid invitation (see coalitions.signup).
ACCOUNT_ADAPTER = "coalitions.signup.InvitationOnlyAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_PREVENT_ENUMERATION = True
# Failed logins: 10 a minute from one address, and 5 in 5 minutes for one account from one address
# (the key is the address with the account: coalitions.signup), so that a stranger's failures never
# lock the owner out from theirs. Behind a reverse proxy, set TRUSTED_PROXY_COUNT so that the address
# is the client's (X-Forwarded-For), not the proxy's, which would make every client one.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
    "change_password": "5/m/user",
}
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[UPR Coalition Hub] "
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "UPR Coalition Hub"

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="UPR Coalition Hub <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

LANGUAGE_CODE = "en"
# The UPR's working languages; French and Spanish translations will follow.
LANGUAGES = [("en", _("English")), ("fr", _("French")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
# One way of writing dates per language (upr/formats): templates use the named formats only.
FORMAT_MODULE_PATH = ["upr.formats"]
USE_TZ = True
TIME_ZONE = "UTC"

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(BASE_DIR / "media"))
# Evidence of implementation: never under MEDIA_ROOT or any served folder (implementation/evidence.py serves it to members).
EVIDENCE_ROOT = env.path("EVIDENCE_ROOT", default=str(BASE_DIR / "private" / "evidence"))
EVIDENCE_MAX_BYTES = 20 * 1024 * 1024
# Uploads: no form takes a file over 20 MB. Django itself bounds only the non-file fields
# (DATA_UPLOAD_MAX_MEMORY_SIZE, 2.5 MB) and keeps files of up to FILE_UPLOAD_MAX_MEMORY_SIZE (2.5 MB) in
# memory, larger ones in a temporary file; the bounded handler writes at most UPLOAD_MAX_BYTES of a
# file there and drops the rest, so that a larger file gets the form's "larger than 20 MB" without
# being kept (upr/uploads.py).
UPLOAD_MAX_BYTES = 20 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_HANDLERS = ["django.core.files.uploadhandler.MemoryFileUploadHandler", "upr.uploads.BoundedUploadHandler"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so that a request without credentials gets 401 with a WWW-Authenticate header.
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # A JSON body must be an object, not nested too deep, without lone surrogates (upr.inputs).
    "DEFAULT_PARSER_CLASSES": [
        "upr.inputs.JSONObjectParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "UPR Coalition Hub API",
    "DESCRIPTION": "Coalition-scoped API. Every path under /api/c/{coalition_slug}/ answers 404 to non-members.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several models have a "status": name each choice set after what it is the status of.
    "ENUM_NAME_OVERRIDES": {
        "SuggestionVerdictEnum": "submissions.suggestion_api.SUGGESTION_DECISIONS",
        "DocumentStatusEnum": "submissions.models.DocumentStatus",
        "SignOnStatusEnum": "submissions.models.SignOnStatus",
        "ExportStatusEnum": "submissions.models.ExportStatus",
        "DocumentKindEnum": "submissions.models.DOCUMENT_KIND_CHOICES",
        "ConsultationKindEnum": "workplan.models.advocacy.ConsultationKind",
        "TaskStatusEnum": "workplan.models.tasks.TaskStatus",
        "ImplementationLevelEnum": "implementation.models.Level",
        "TrafficLightEnum": "implementation.models.Light",
        "DecisionKindEnum": "submissions.models.DecisionKind",
    },
}

# Sessions are read from the cache (Redis in production) and written through to the database.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# How long an invitation link stays valid.
INVITATION_TTL_DAYS = env.int("INVITATION_TTL_DAYS", default=14)
# How long a search's matching ids are kept (recommendations.search); 0 switches the cache off.
RECOMMENDATION_SEARCH_CACHE_SECONDS = env.int("RECOMMENDATION_SEARCH_CACHE_SECONDS", default=300)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # WeasyPrint logs every page it lays out at INFO: fifty lines per exported submission.
    "loggers": {"weasyprint.progress": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}

# Where links in emails point (tasks run without a request to build them from).
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
