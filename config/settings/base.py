"""Settings shared by every environment, read from the environment with django-environ.

local.py, test.py and production.py import this module and override little.
"""

from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

from config.storage import default_storage_config

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="insecure-local-only-key-do-not-use-in-production")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

# Databases: SQLite is the embedded default; DATABASE_URL selects PostgreSQL.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'portal.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the dev server and an in-process task read while another writes.
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = "PRAGMA journal_mode=WAL;"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    # Programme-written texts (edition, categories, form guidance, rubric, awards) in English and Korean:
    # modeltranslation adds <field>_en and <field>_ko beside each; it must come before the admin.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # portal before allauth: its templates (allauth/layouts, allauth/elements, account/, mfa/) override allauth's own.
    "portal",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "rules.apps.AutodiscoverRulesConfig",
    "django_countries",
    "django_filters",
    "django_htmx",
    "csp",
    "storages",
    "submissions",
    "judging",
    "worker",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "portal.middleware.RoleMfaMiddleware",
    # Refuses an oversized body (413, in the layout) before CSRF's check, the first reader of a POST, reads it.
    "portal.request_limits.RequestBodyLimitMiddleware",
    # An id in the address past a 64-bit column is a 404, not a database error.
    "portal.request_limits.PathIdRangeMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.portal",
            ],
        },
    },
]

AUTH_USER_MODEL = "portal.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
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
LOGIN_REDIRECT_URL = "portal:dashboard"

# django-allauth: e-mail is the login, verified before first use.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = False
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Award portal] "
ACCOUNT_RATE_LIMITS = {
    # Failed logins: 10 a minute per address, 5 per 5 minutes per account.
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "confirm_email": "1/3m/key",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Award portal"
# Roles that must have MFA before they can open their pages. Enforcement is a setting:
# on in production, off in the local demo so a newcomer can click through every role.
PORTAL_MFA_REQUIRED = env.bool("PORTAL_MFA_REQUIRED", default=True)
PORTAL_MFA_ROLES = ("secretariat", "judge", "chair", "committee")

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ko", _("Korean"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Texts a programme writes are entered per language (modeltranslation); a reader sees their language's text,
# else the other one, never an empty field because one language is missing.
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_LANGUAGES = ("en", "ko")
MODELTRANSLATION_FALLBACK_LANGUAGES = {"default": ("en", "ko")}
# Dates read as each language writes them ("3 May 2026, 18:00"; "2026년 5월 3일 18:00").
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]

# Files: applicant files are never public. Local private folder by default (no URL is
# ever served for it: downloads go through a view that checks rights); S3 with signed
# URLs when a bucket is named.
PRIVATE_MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", default=BASE_DIR / "var" / "private")
AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME", default="")
STORAGES = {
    "default": default_storage_config(
        bucket=AWS_STORAGE_BUCKET_NAME,
        private_root=str(PRIVATE_MEDIA_ROOT),
        endpoint_url=env("AWS_S3_ENDPOINT_URL", default=None),
        region=env("AWS_S3_REGION_NAME", default=None),
        access_key=env("AWS_ACCESS_KEY_ID", default=None),
        secret_key=env("AWS_SECRET_ACCESS_KEY", default=None),
        expire=env.int("AWS_QUERYSTRING_EXPIRE", default=300),
        location=env("AWS_LOCATION", default="private"),
    ),
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Nothing is public: no storage writes here. Django's test live server insists on a media URL and root.
MEDIA_URL = "/media/"
MEDIA_ROOT = BASE_DIR / "var" / "no-public-media"

# Request and upload limits, chosen, not defaulted (portal/request_limits.py enforces them before a body is read).
# The largest file any form accepts: attachments and minutes files (20 MB); a public image (5 MB) and a CSV of
# invitations (512 KB) are smaller. A test holds these figures together.
PORTAL_UPLOAD_MAX_BYTES = 20 * 1024 * 1024
# Every field but the files, in one request: the longest draft (sections of up to some thousands of characters,
# three bytes each in Korean) and a previewed CSV carried back in a hidden field (512 KB) fit with room to spare.
# A multipart body may be PORTAL_UPLOAD_MAX_BYTES plus this much.
DATA_UPLOAD_MAX_MEMORY_SIZE = 4 * 1024 * 1024
# A file larger than this is spooled to a temporary file on disk while it is checked, not kept in memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2621440
# The widest form (screening's bulk selection of one page, a rubric's criteria and levels) posts a few hundred.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
# Every upload form takes one file.
DATA_UPLOAD_MAX_NUMBER_FILES = 5

# Celery: without REDIS_URL tasks run in-process (eager), the embedded default.
REDIS_URL = env("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE: dict = {
    "worker-heartbeat": {"task": "worker.heartbeat", "schedule": 60.0},
    # Reminders before judging deadlines; each (round, judge, hours) is sent once, so the rate only sets the lag.
    "judging-send-reminders": {"task": "judging.send_reminders", "schedule": 3600.0},
}

CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", default="127.0.0.1")
EMAIL_PORT = env.int("EMAIL_PORT", default=1025)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Award portal <noreply@example.org>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Absolute links in e-mails sent by tasks, which have no request to build them from.
PORTAL_BASE_URL = env("PORTAL_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")

# Strict Content-Security-Policy: templates carry no inline scripts or styles.
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
    }
}

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    # pypdf logs a warning per oddity it repairs; a hostile upload would write thousands of lines.
    "loggers": {"pypdf": {"level": "ERROR"}},
}
