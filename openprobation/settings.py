"""Django settings. Every value comes from the environment (see README, "Configuration")."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import dj_database_url

from openprobation.core.env import ImproperlyConfiguredEnv, env_bool, env_int, env_list, env_str
from openprobation.core.network import parse_networks

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = PACKAGE_DIR.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))
NODE_MODULES = Path(env_str("NODE_MODULES_DIR", str(BASE_DIR / "node_modules")))

SECRET_KEY = env_str("SECRET_KEY")
if len(SECRET_KEY) < 32:
    raise ImproperlyConfiguredEnv("SECRET_KEY must be at least 32 characters long.")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "openprobation.web.admin_site.OpenProbationAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "openprobation.core.apps.CoreConfig",
    "openprobation.accounts.apps.AccountsConfig",
    "openprobation.audit.apps.AuditConfig",
    "openprobation.rules.apps.RulesConfig",
    "openprobation.staff.apps.StaffConfig",
    "openprobation.people.apps.PeopleConfig",
    "openprobation.cases.apps.CasesConfig",
    "openprobation.notifications.apps.NotificationsConfig",
    "openprobation.conditions.apps.ConditionsConfig",
    "openprobation.enforcement.apps.EnforcementConfig",
    "openprobation.assessments.apps.AssessmentsConfig",
    "openprobation.supervision.apps.SupervisionConfig",
    "openprobation.labour.apps.LabourConfig",
    "openprobation.programmes.apps.ProgrammesConfig",
    "openprobation.employment.apps.EmploymentConfig",
    "openprobation.releases.apps.ReleasesConfig",
    "openprobation.volunteers.apps.VolunteersConfig",
    "openprobation.monitoring.apps.MonitoringConfig",
    "openprobation.workqueue.apps.WorkqueueConfig",
    "openprobation.web.apps.WebConfig",
    "openprobation.demo.apps.DemoConfig",
]

MIDDLEWARE = [
    "openprobation.audit.context.RequestContextMiddleware",
    # Outside everything that may refuse a request (a bad Host header, the HTTPS redirect, CSRF).
    "openprobation.web.security.RefusedRequestLogMiddleware",
    "openprobation.web.security.ContentSecurityPolicyMiddleware",
    "openprobation.web.security.ApiErrorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Devices posting positions stop here (the rest of the stack serves people and browsers).
    "openprobation.monitoring.ingest_api.DeviceIngestMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "openprobation.urls"
WSGI_APPLICATION = "openprobation.wsgi.application"
ASGI_APPLICATION = "openprobation.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "openprobation.web.context.navigation",
            ],
        },
    }
]

# Database: DATABASE_URL, e.g. sqlite:///var/openprobation.sqlite3 or postgres://host/db
DATABASES = {"default": dj_database_url.parse(env_str("DATABASE_URL"), conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})
    # IMMEDIATE transactions serialise writers up front, so the audit chain never forks and
    # concurrent writers wait instead of failing half-way.
    DATABASES["default"]["OPTIONS"].update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

CACHE_URL = env_str("CACHE_URL", "")
if CACHE_URL.startswith("redis"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTHENTICATION_BACKENDS = [
    # Refuses an address with too many failed sign-ins before any password is checked.
    "openprobation.accounts.backends.AddressLimitBackend",
    "axes.backends.AxesStandaloneBackend",
    "openprobation.accounts.backends.RoleBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "openprobation.accounts.validators.NotCurrentPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Repeated failed logins lock the user name for a while (django-axes).
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "web/locked_out.html"
AXES_VERBOSE = False
# Offices share one public address behind NAT: lock by user name, not by address.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
# Attempts refused during a lock-out (per name or per address) are not counted again: otherwise a
# refused address could go on locking user names after its own lock.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# Every failure is logged with its address; the per-address limit counts them.
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_CLIENT_IP_CALLABLE = "openprobation.core.network.client_address"
# One address trying many user names: after this many failures within the window (any names),
# further sign-ins from it are refused without checking the password. Higher than the per-name
# limit, because an office's staff share one NAT address.
LOGIN_ADDRESS_FAILURE_LIMIT = env_int("LOGIN_ADDRESS_FAILURE_LIMIT", 30)
LOGIN_ADDRESS_WINDOW_MINUTES = env_int("LOGIN_ADDRESS_WINDOW_MINUTES", 15)
if LOGIN_ADDRESS_FAILURE_LIMIT < 1 or LOGIN_ADDRESS_WINDOW_MINUTES < 1:
    raise ImproperlyConfiguredEnv("LOGIN_ADDRESS_FAILURE_LIMIT and LOGIN_ADDRESS_WINDOW_MINUTES must be at least 1.")

# Forwarding headers (X-Forwarded-For, X-Request-ID) are believed only from these proxies
# (comma-separated IP addresses or CIDR networks); see openprobation.core.network.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")
try:
    parse_networks(TRUSTED_PROXIES)
except ValueError as exc:
    raise ImproperlyConfiguredEnv(f"TRUSTED_PROXIES: {exc}.") from exc

# Sessions end after a period of inactivity and when the browser closes.
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 30)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# HTTPS protections are on unless this is a developer's own machine (LOCAL_DEVELOPMENT=true, set
# by `make run` and the tests): cookies only over HTTPS, HSTS for a year including subdomains
# (preload only when the operator opts in: it is hard to undo), and plain HTTP redirected to HTTPS
# (turn SECURE_SSL_REDIRECT off only when the proxy in front already redirects).
LOCAL_DEVELOPMENT = env_bool("LOCAL_DEVELOPMENT", False)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not LOCAL_DEVELOPMENT)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_FAILURE_VIEW = "openprobation.web.security.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not LOCAL_DEVELOPMENT)
# Load balancers probe over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if LOCAL_DEVELOPMENT else 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
if env_bool("BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if not SECURE_HSTS_PRELOAD:
    # Preloading puts the domain into the browsers' built-in HTTPS list; leaving it takes months,
    # so it is the operator's decision (SECURE_HSTS_PRELOAD=true), not a default.
    SILENCED_SYSTEM_CHECKS.append("security.W021")

# API tokens (openprobation.accounts.tokens): an absolute lifetime, and an idle timeout like the
# session's; a password change ends them all.
API_TOKEN_TTL_HOURS = env_int("API_TOKEN_TTL_HOURS", 12)
API_TOKEN_IDLE_MINUTES = env_int("API_TOKEN_IDLE_MINUTES", SESSION_IDLE_MINUTES)
if API_TOKEN_TTL_HOURS < 1 or API_TOKEN_IDLE_MINUTES < 2:  # noqa: PLR2004 - last use is written once a minute
    raise ImproperlyConfiguredEnv("API_TOKEN_TTL_HOURS must be at least 1 and API_TOKEN_IDLE_MINUTES at least 2.")

LANGUAGE_CODE = env_str("LANGUAGE_CODE", "kk")
LANGUAGES = [("kk", "Қазақша"), ("ru", "Русский"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Almaty")
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_NAME = "op_language"
# Dates are entered and shown as dd.mm.yyyy in every language (openprobation/formats/<lang>/);
# forms also accept ISO dates (yyyy-mm-dd), and the API keeps ISO.
FORMAT_MODULE_PATH = ["openprobation.formats"]
DATE_FORMAT = "d.m.Y"
SHORT_DATE_FORMAT = "d.m.Y"
DATE_INPUT_FORMATS = ["%d.%m.%Y", "%Y-%m-%d"]
LANGUAGE_COOKIE_SAMESITE = "Lax"

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [
    (prefix, NODE_MODULES / path)
    for prefix, path in [
        ("vendor/uswds", "@uswds/uswds/dist"),
        ("vendor/htmx", "htmx.org/dist"),
        # One font with the full Cyrillic and Kazakh alphabets (USWDS's bundled fonts lack Cyrillic).
        ("vendor/noto-sans", "@fontsource/noto-sans"),
        # Maps of electronic monitoring: Leaflet and the zone-drawing tools.
        ("vendor/leaflet", "leaflet/dist"),
        ("vendor/geoman", "@geoman-io/leaflet-geoman-free/dist"),
    ]
    if (NODE_MODULES / path).is_dir()
]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so an anonymous call gets 401 with ``WWW-Authenticate: Token`` (session
        # first would answer 403); the session serves the web UI.
        "openprobation.accounts.tokens.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "openprobation.core.api.Pagination",
    "DEFAULT_PARSER_CLASSES": [
        "openprobation.core.parsers.JsonParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "PAGE_SIZE": 25,
    "DEFAULT_SCHEMA_CLASS": "openprobation.core.openapi.ApiAutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "EXCEPTION_HANDLER": "openprobation.core.api.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"anon": "30/minute"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "OpenProbation API",
    "DESCRIPTION": "Case management for the probation service. Every call is scoped by role and jurisdiction and audited.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Choice sets used by several fields get one stable name each in the schema.
    "ENUM_NAME_OVERRIDES": {
        "DeviceKindEnum": "openprobation.monitoring.catalogue.DeviceKind",
        "DeviceStatusEnum": "openprobation.monitoring.catalogue.DeviceStatus",
        "ZoneKindEnum": "openprobation.monitoring.catalogue.ZoneKind",
        "MonitoringRuleEnum": "openprobation.monitoring.catalogue.Rule",
        "AlertSeverityEnum": "openprobation.monitoring.catalogue.Severity",
        "AlertStatusEnum": "openprobation.monitoring.alerting.AlertStatus",
        "AlertResolutionEnum": "openprobation.monitoring.alerting.AlertResolution",
        "AlertCallPartyEnum": "openprobation.monitoring.alerting.CallParty",
        "AlertCallOutcomeEnum": "openprobation.monitoring.alerting.CallOutcome",
        "EmResolutionStatusEnum": "openprobation.monitoring.models.ResolutionStatus",
        "EmResolutionGroundsEnum": "openprobation.monitoring.models.ResolutionGrounds",
        "CaseStatusEnum": "openprobation.cases.models.CaseStatus",
        "DocumentStatusEnum": "openprobation.people.models.DocumentStatus",
        "RuleStatusEnum": "openprobation.rules.models.RuleStatus",
        "LanguageEnum": "openprobation.people.models.Language",
        "SentenceKindEnum": "openprobation.cases.models.SentenceKind",
        "DecisionKindEnum": "openprobation.cases.models.DecisionKind",
        "AppointmentKindEnum": "openprobation.supervision.models.AppointmentKind",
        "EmploymentDutyStatusEnum": "openprobation.labour.models.DutyStatus",
        "ReferralKindEnum": "openprobation.labour.models.ReferralKind",
        "TaskStatusEnum": "openprobation.cases.models.TaskStatus",
        "ViolationKindEnum": "openprobation.enforcement.models.ViolationKind",
        "ViolationStatusEnum": "openprobation.enforcement.models.ViolationStatus",
        "InstrumentKindEnum": "openprobation.assessments.models.InstrumentKind",
        "AnalysisKindEnum": "openprobation.assessments.models.AnalysisKind",
        "AssessmentReasonEnum": "openprobation.assessments.models.AssessmentReason",
        "ProgrammeStatusEnum": "openprobation.programmes.models.ProgrammeStatus",
        "ProgrammeMeasureStatusEnum": "openprobation.programmes.models.MeasureStatus",
        "ProgrammeParticipantKindEnum": "openprobation.programmes.models.ParticipantKind",
        "VolunteerKindEnum": "openprobation.volunteers.models.VolunteerKind",
        "VolunteerStatusEnum": "openprobation.volunteers.models.VolunteerStatus",
        "VolunteerCheckKindEnum": "openprobation.volunteers.models.CheckKind",
        "SupportSessionKindEnum": "openprobation.volunteers.models.SessionKind",
        "PartnerOrganisationKindEnum": "openprobation.programmes.catalogue.OrganisationKind",
        "AssistanceReferralStatusEnum": "openprobation.programmes.models.ReferralStatus",
        "AssistanceMeasureEnum": "openprobation.programmes.catalogue.Measure",
    },
}

# Background work. With CELERY_BROKER_URL set (redis://, amqp://), tasks go to Celery workers and
# beat; without it (the embedded default) `openprobation run` runs the same schedule in-process.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_BEAT_SCHEDULE = {
    "registration-deadlines": {"task": "openprobation.cases.tasks.check_registration_deadlines", "schedule": 3600.0},
    "enforcement-search-tasks": {"task": "openprobation.enforcement.tasks.create_search_tasks", "schedule": 3600.0},
    "audit-seal": {
        "task": "openprobation.audit.tasks.seal_pending",
        "schedule": float(env_int("AUDIT_SEAL_INTERVAL_SECONDS", 30)),
    },
    "audit-chain-verify": {"task": "openprobation.audit.tasks.verify_chain", "schedule": 6 * 3600.0},
    "supervision-appointments": {"task": "openprobation.supervision.tasks.generate_appointments", "schedule": 3600.0},
    "supervision-reminders": {"task": "openprobation.supervision.tasks.send_appointment_reminders", "schedule": 900.0},
    "employment-deadlines": {"task": "openprobation.labour.tasks.check_employment_deadlines", "schedule": 24 * 3600.0},
    "reassessments": {"task": "openprobation.assessments.tasks.scan_reassessments", "schedule": 3600.0},
    "programme-reviews": {"task": "openprobation.programmes.tasks.check_programme_reviews", "schedule": 24 * 3600.0},
    "referral-deadlines": {"task": "openprobation.programmes.tasks.check_referral_deadlines", "schedule": 3600.0},
    "release-planning": {"task": "openprobation.releases.tasks.run_release_planning", "schedule": 3600.0},
    "volunteer-checks": {"task": "openprobation.volunteers.tasks.check_volunteer_checks", "schedule": 24 * 3600.0},
    "analysis-jobs": {
        "task": "openprobation.assessments.tasks.run_analysis_jobs",
        "schedule": float(env_int("ANALYSIS_POLL_SECONDS", 5)),
    },
    "audit-checkpoint": {
        "task": "openprobation.audit.tasks.write_checkpoint",
        "schedule": float(env_int("AUDIT_CHECKPOINT_INTERVAL_SECONDS", 3600)),
    },
    "notifications": {
        "task": "openprobation.notifications.tasks.send_due_messages",
        "schedule": float(env_int("NOTIFY_SEND_INTERVAL_SECONDS", 60)),
    },
    # Electronic monitoring: position partitions ahead, retention of positions and raw payloads.
    "em-positions": {"task": "openprobation.monitoring.tasks.maintain_positions", "schedule": 3600.0},
    # EM resolutions whose period is over end by themselves.
    "em-resolutions": {"task": "openprobation.monitoring.tasks.end_expired_resolutions", "schedule": 3600.0},
}

# Electronic monitoring (the data plane; README "Electronic monitoring"). With EM_NATS_URL set the
# receivers append to NATS JetStream and `openprobation em-evaluate` workers consume it; without it
# the log is a table of the application's database, and `openprobation run` evaluates in-process.
EM_NATS_URL = env_str("EM_NATS_URL", "")
EM_NATS_STREAM = env_str("EM_NATS_STREAM", "OP_EM")
# Where `openprobation em-receive-mqtt` subscribes (owntracks/<subject>/<device>); empty = no MQTT.
EM_MQTT_URL = env_str("EM_MQTT_URL", "")
# Partitions of the log (devices are spread over them by id; each is evaluated in order by one worker).
EM_PARTITIONS = env_int("EM_PARTITIONS", 16)
# Raw payloads (log entries, rejected messages) and positions are kept this many days.
EM_RAW_RETENTION_DAYS = env_int("EM_RAW_RETENTION_DAYS", 30)
EM_POSITION_RETENTION_DAYS = env_int("EM_POSITION_RETENTION_DAYS", 400)
# Evaluate in-process in `openprobation run` (the embedded default) rather than in em-evaluate workers.
EM_EVALUATE_IN_PROCESS = env_bool("EM_EVALUATE_IN_PROCESS", not EM_NATS_URL)
# `openprobation run` streams the demo's monitored devices from the simulator (loopback, demo data only).
EM_DEMO_STREAM = env_bool("EM_DEMO_STREAM", LOCAL_DEVELOPMENT)
# The maps' tile server (a URL template with {z}/{x}/{y}, e.g. https://tiles.example.kz/{z}/{x}/{y}.png)
# and the attribution its licence asks for. Empty: the maps draw zones and tracks on a plain
# background with a scale bar (no request leaves the service).
EM_MAP_TILES_URL = env_str("EM_MAP_TILES_URL", "")
EM_MAP_TILES_ATTRIBUTION = env_str("EM_MAP_TILES_ATTRIBUTION", "")

# Analysts' uploaded files (validation and batch scoring): where they are kept (private, never
# served as static files), the largest file accepted, and how long a job and its files are kept.
ANALYSIS_DIR = Path(env_str("ANALYSIS_DIR", str(VAR_DIR / "analysis")))
ANALYSIS_MAX_UPLOAD_MB = env_int("ANALYSIS_MAX_UPLOAD_MB", 200)
ANALYSIS_RETENTION_HOURS = env_int("ANALYSIS_RETENTION_HOURS", 72)

# The audit trail's keys, kept outside the database (see openprobation/audit/keys.py and README).
# The chain key: HMAC-SHA256 of every event; empty derives it from SECRET_KEY under its own label.
AUDIT_CHAIN_KEY = env_str("AUDIT_CHAIN_KEY", "")
# Retired chain keys (whitespace- or comma-separated), so that events written with them still verify.
AUDIT_CHAIN_OLD_KEYS = env_str("AUDIT_CHAIN_OLD_KEYS", "").replace(",", " ").split()
# Signed checkpoints of the chain head: where they are written, the Ed25519 private key (PEM) that
# signs them, and the public keys (PEM bundle) that verification trusts (default: the signing key's).
AUDIT_CHECKPOINT_DIR = Path(env_str("AUDIT_CHECKPOINT_DIR", str(VAR_DIR / "audit-checkpoints")))
AUDIT_CHECKPOINT_SIGNING_KEY = env_str("AUDIT_CHECKPOINT_SIGNING_KEY", "")
AUDIT_CHECKPOINT_PUBLIC_KEYS = env_str("AUDIT_CHECKPOINT_PUBLIC_KEYS", "")
# Events are sealed in batches after their transaction commits (and by the "audit-seal" task every
# AUDIT_SEAL_INTERVAL_SECONDS); an event still not sealed this long after it was written is never
# sealed and is reported by verification (the sealer is not running, or the row was inserted behind
# the application's back).
AUDIT_SEAL_MAX_AGE_SECONDS = env_int("AUDIT_SEAL_MAX_AGE_SECONDS", 600)


# A refused request (4xx) is one line from openprobation.refused; Django's request and security
# loggers keep their lines for suspicious requests but without a traceback. A 500 logs its traceback.
REFUSAL_LOGGERS = [
    "django.request",
    "django.security.csrf",
    *(
        f"django.security.{name}"
        for name in (
            "SuspiciousOperation",
            "DisallowedHost",
            "DisallowedRedirect",
            "DisallowedModelAdminLookup",
            "DisallowedModelAdminToField",
            "InvalidSessionKey",
            "RequestDataTooBig",
            "SuspiciousFileOperation",
            "SuspiciousMultipartForm",
            "SuspiciousSession",
            "TooManyFieldsSent",
            "TooManyFilesSent",
        )
    ),
]
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"refusals": {"()": "openprobation.web.security.RefusalLogFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        **{name: {"filters": ["refusals"]} for name in REFUSAL_LOGGERS},
    },
}

# Notifications (openprobation/notifications): the outbox's transports per channel, checked here so
# that an unknown name or a missing gateway address stops the service at start-up.
NOTIFY_SMS_TRANSPORT = env_str("NOTIFY_SMS_TRANSPORT", "file")
NOTIFY_EMAIL_TRANSPORT = env_str("NOTIFY_EMAIL_TRANSPORT", "file")
for _var, _value, _known in (
    ("NOTIFY_SMS_TRANSPORT", NOTIFY_SMS_TRANSPORT, ("console", "file", "http")),
    ("NOTIFY_EMAIL_TRANSPORT", NOTIFY_EMAIL_TRANSPORT, ("console", "file", "smtp")),
):
    if _value not in _known:
        raise ImproperlyConfiguredEnv(f"{_var}={_value!r} is not a transport; use one of {', '.join(_known)}.")
NOTIFY_FILE_PATH = Path(env_str("NOTIFY_FILE_PATH", str(VAR_DIR / "outbox.jsonl")))
NOTIFY_SMS_URL = env_str("NOTIFY_SMS_URL", "")
NOTIFY_SMS_TOKEN = env_str("NOTIFY_SMS_TOKEN", "")
NOTIFY_SMS_SENDER = env_str("NOTIFY_SMS_SENDER", "PROBATION")
NOTIFY_SMS_IDEMPOTENT = env_bool("NOTIFY_SMS_IDEMPOTENT", False)
if NOTIFY_SMS_TRANSPORT == "http" and not NOTIFY_SMS_URL.startswith(("https://", "http://")):
    raise ImproperlyConfiguredEnv("NOTIFY_SMS_TRANSPORT=http needs NOTIFY_SMS_URL (an http:// or https:// address).")
NOTIFY_TIMEOUT_SECONDS = env_int("NOTIFY_TIMEOUT_SECONDS", 10)
NOTIFY_MAX_ATTEMPTS = env_int("NOTIFY_MAX_ATTEMPTS", 8)
NOTIFY_RETRY_BASE_SECONDS = env_int("NOTIFY_RETRY_BASE_SECONDS", 60)
NOTIFY_RETRY_MAX_SECONDS = env_int("NOTIFY_RETRY_MAX_SECONDS", 6 * 3600)
NOTIFY_STALE_SENDING_MINUTES = env_int("NOTIFY_STALE_SENDING_MINUTES", 15)
NOTIFY_BATCH_SIZE = env_int("NOTIFY_BATCH_SIZE", 100)
for _var, _number in (
    ("NOTIFY_TIMEOUT_SECONDS", NOTIFY_TIMEOUT_SECONDS),
    ("NOTIFY_MAX_ATTEMPTS", NOTIFY_MAX_ATTEMPTS),
    ("NOTIFY_RETRY_BASE_SECONDS", NOTIFY_RETRY_BASE_SECONDS),
    ("NOTIFY_RETRY_MAX_SECONDS", NOTIFY_RETRY_MAX_SECONDS),
    ("NOTIFY_STALE_SENDING_MINUTES", NOTIFY_STALE_SENDING_MINUTES),
    ("NOTIFY_BATCH_SIZE", NOTIFY_BATCH_SIZE),
):
    if _number < 1:
        raise ImproperlyConfiguredEnv(f"{_var}={_number} must be at least 1.")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfiguredEnv("EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be true.")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "probation@localhost")
NOTIFY_EMAIL_DOMAIN = env_str("NOTIFY_EMAIL_DOMAIN", DEFAULT_FROM_EMAIL.rpartition("@")[2] or "localhost")
