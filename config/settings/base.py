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
# Production refuses this default (and every other known placeholder): see production.py.
INSECURE_DEFAULT_SECRET_KEY = "insecure-local-only-key-do-not-use-in-production"  # noqa: S105
SECRET_KEY = env("DJANGO_SECRET_KEY", default=INSECURE_DEFAULT_SECRET_KEY)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

# Databases: SQLite is the embedded default; DATABASE_URL selects PostgreSQL.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'portal.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
# Persistent connections: each gunicorn thread (and Celery worker) keeps its connection for up to
# DJANGO_CONN_MAX_AGE seconds instead of opening one per request (a PostgreSQL connection costs a backend process
# and several milliseconds); health checks replace one the server closed meanwhile before a request uses it.
# psycopg's own pool (OPTIONS "pool") would need psycopg[pool], which is not installed. runserver closes its
# connections after each request anyway; 0 turns persistence off.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=600)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default must hold a small team working at once (Django's documented SQLite set-up):
    # - WAL: readers never wait for the writer, and the writer never waits for readers;
    # - IMMEDIATE transactions take the write lock when they begin, so two requests never both read and then
    #   both try to write, which SQLite refuses at once with "database is locked" (the busy timeout cannot help);
    # - a busy timeout: a request waits up to 20 s for the other writer instead of failing;
    # - synchronous=NORMAL is safe with WAL (a power cut loses at most the last commits, never the database).
    DATABASES["default"].setdefault("OPTIONS", {}).update({
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    })
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
    # Sign-in with an organiser's own identity provider (OpenID Connect), configured by the OIDC_* settings below.
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "rules.apps.AutodiscoverRulesConfig",
    "django_countries",
    "django_filters",
    "django_htmx",
    "ninja",  # the results API's schema and its documentation page (static files only, no models)
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

# Django's form renderer with a cheaper field template (same HTML): portal/form_renderer.py.
FORM_RENDERER = "portal.form_renderer.PortalFormRenderer"

AUTH_USER_MODEL = "portal.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
# Argon2id first (Django's recommended hasher, with its defaults: 2 passes over 100 MiB, 8 lanes): memory-hard, so
# far costlier to attack on GPUs than PBKDF2, and about 40 % less CPU per login than PBKDF2's 1,000,000 iterations
# on this kind of machine (0.28 s against 0.45 s, measured under load). PBKDF2 stays to check the hashes stored
# before; Django re-hashes such a password with Argon2 when its owner next logs in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
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
# Wrong passwords throttled in the database (portal.throttle); account e-mails through the outbox, never sent
# inside the request (worker.account_mail).
ACCOUNT_ADAPTER = "portal.adapters.AccountAdapter"
# A password reset link signs the person in: the way back in for an owner whose account is being attacked.
# The second factor, when they have one, is still asked for.
ACCOUNT_LOGIN_ON_PASSWORD_RESET = True
ACCOUNT_RATE_LIMITS = {
    # Wrong passwords are throttled by portal.throttle (per account and address, in the database), not here:
    # allauth's per-account limit let anyone lock the chair out with five wrong passwords. allauth still
    # applies this rate to wrong second-factor codes (per user), where only a holder of the password gets.
    "login_failed": "10/m/ip,5/5m/key",
    # Every sign-in, right or wrong, per address: allauth's default (30 a minute) refused a judges' briefing or a
    # ceremony room behind one address; wrong passwords are counted by portal.throttle, so this only caps floods.
    "login": "300/m/ip",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "confirm_email": "1/3m/key",
}
# Wrong passwords, counted in the database (portal.throttle): (failures, minutes) per account and address,
# per address across accounts, per account across addresses. Past the account's limit only addresses the
# account signed in from in the last PORTAL_LOGIN_TRUSTED_DAYS, a reset link, or password and second factor
# get in, so a distributed attack cannot lock the owner out.
PORTAL_LOGIN_THROTTLE = {
    "pair": (env.int("PORTAL_LOGIN_PAIR_LIMIT", default=5), 15),
    "address": (env.int("PORTAL_LOGIN_ADDRESS_LIMIT", default=30), 15),
    "account": (env.int("PORTAL_LOGIN_ACCOUNT_LIMIT", default=100), 60),
}
PORTAL_LOGIN_TRUSTED_DAYS = 30
# Sign-in with an external OpenID Connect provider, for organisers whose staff have one (Entra ID, Google
# Workspace, Keycloak, …). Off unless OIDC_SERVER_URL and OIDC_CLIENT_ID are set. The provider's verified e-mail
# joins an existing account with that address; roles still come from the portal, and MFA still applies to roles
# that need it (the provider's login counts as the first factor only).
OIDC_SERVER_URL = env("OIDC_SERVER_URL", default="")
OIDC_CLIENT_ID = env("OIDC_CLIENT_ID", default="")
OIDC_ALLOW_SIGNUP = env.bool("OIDC_ALLOW_SIGNUP", default=True)
SOCIALACCOUNT_PROVIDERS = {
    "openid_connect": {
        "OAUTH_PKCE_ENABLED": True,
        "APPS": [
            {
                "provider_id": env("OIDC_PROVIDER_ID", default="organisation"),
                "name": env("OIDC_PROVIDER_NAME", default="your organisation's account"),
                "client_id": OIDC_CLIENT_ID,
                "secret": env("OIDC_CLIENT_SECRET", default=""),
                # The name as Korean readers see it (the English name is translated by the catalogue otherwise).
                "settings": {"server_url": OIDC_SERVER_URL, "name_ko": env("OIDC_PROVIDER_NAME_KO", default="")},
            },
        ] if OIDC_SERVER_URL and OIDC_CLIENT_ID else [],
    },
}
SOCIALACCOUNT_ADAPTER = "portal.adapters.SocialAccountAdapter"
SOCIALACCOUNT_LOGIN_ON_GET = False  # the provider button posts (allauth's advice against login CSRF)
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True  # a verified provider e-mail signs in the portal account with it
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_EMAIL_VERIFICATION = "mandatory"
SOCIALACCOUNT_ONLY = False

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
# With late acknowledgement a message stays unacknowledged in Redis while its task runs; Redis hands it to another
# worker once this many seconds pass without the ack, assuming the first worker died. It must exceed the longest
# task's hard time limit (judging.assign_round: 1800 s), or a long run that is still alive would be started a
# second time beside itself; tests/worker/test_jobs_settings.py checks it against every registered task. A worker
# killed mid-task (SIGKILL, out of memory) thus gets its message back at the latest this long after it was taken;
# the stalled-job sweep below restarts or fails the run much sooner (PORTAL_JOB_STALL_SECONDS).
_visibility_timeout = env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": _visibility_timeout,
    # Kombu 5.7 looks for messages past their visibility timeout only on every `throttle`-th call of a sweep that
    # runs every `interval` seconds (10 x 10 by default): a message whose worker died came back up to 100 s after its
    # timeout, and never within a short timeout unless a worker happened to start after it had passed (its first
    # sweep runs at start). Every sweep looks now, at least three times per timeout and at most every 10 s (one
    # ZRANGE on the unacknowledged index), so "at the latest this long" above holds within 10 s.
    "unacked_restore_interval": max(1, min(10, _visibility_timeout // 3)),
    "unacked_restore_throttle": 1,
}
# Background jobs (assigner runs, result computations, awards jobs) and a worker that dies under them: a running
# job's worker writes a heartbeat every PULSE seconds; a job with no heartbeat for STALL seconds is stalled. The
# page says so at once (never "running"); the sweep (beat, every SWEEP seconds) sends it to a worker again while
# it has been tried fewer than MAX_ATTEMPTS times, and otherwise marks it failed with its "Try again" button.
PORTAL_JOB_PULSE_SECONDS = env.float("PORTAL_JOB_PULSE_SECONDS", default=30.0)
PORTAL_JOB_STALL_SECONDS = env.float("PORTAL_JOB_STALL_SECONDS", default=180.0)
PORTAL_JOB_SWEEP_SECONDS = env.float("PORTAL_JOB_SWEEP_SECONDS", default=60.0)
PORTAL_JOB_MAX_ATTEMPTS = env.int("PORTAL_JOB_MAX_ATTEMPTS", default=2)
# Celery's persistent scheduler, which also records beat's own tick (worker/beat.py) for the health checks.
CELERY_BEAT_SCHEDULER = "worker.beat:PortalScheduler"
CELERY_BEAT_SCHEDULE: dict = {
    "worker-heartbeat": {"task": "worker.heartbeat", "schedule": 60.0},
    "worker-sweep-stalled-jobs": {"task": "worker.sweep_stalled_jobs", "schedule": PORTAL_JOB_SWEEP_SECONDS},
    # Reminders before judging deadlines; each (round, judge, hours) is sent once, so the rate only sets the lag.
    "judging-send-reminders": {"task": "judging.send_reminders", "schedule": 3600.0},
    # The outbox: tasks and e-mails the broker or the mail server refused earlier are sent when due.
    "worker-outbox-relay": {"task": "worker.outbox_relay", "schedule": 30.0},
    # Data protection: drafts and files of unsuccessful entries go once an edition's retention period has run out.
    "submissions-retention-sweep": {"task": "submissions.retention_sweep",
                                    "schedule": env.float("PORTAL_RETENTION_SWEEP_SECONDS", default=86400.0)},
    # Webhook deliveries whose receiver was down, tried again with backoff (portal.services.webhooks).
    "portal-webhook-relay": {"task": "portal.webhook_relay", "schedule": 30.0},
}
# Webhooks may post to private and loopback addresses (tests, a local trial); never in production.
PORTAL_WEBHOOK_ALLOW_PRIVATE = env.bool("PORTAL_WEBHOOK_ALLOW_PRIVATE", default=False)

# With Redis the cache degrades to each process's memory while Redis is unreachable (portal.cache): a
# stopped broker slows nothing down and refuses no request. Nothing in the cache must survive an outage;
# the login throttle, which must, keeps its counts in the database (portal.throttle).
CACHES = {
    "default": (
        {"BACKEND": "portal.cache.DegradingRedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Sessions: in the database, read from Redis when there is one (portal.sessions; a signed-in page then asks
# PostgreSQL for its user only). While Redis is down the database alone answers, as without Redis.
if REDIS_URL:
    SESSION_ENGINE = "portal.sessions"
# How long a session's copy stays in Redis: a bound on a stale copy that a process dying during an outage left
# there (portal.sessions); a miss costs one database read.
PORTAL_SESSION_CACHE_SECONDS = env.int("PORTAL_SESSION_CACHE_SECONDS", default=600)

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
