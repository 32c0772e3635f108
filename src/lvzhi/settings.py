"""Django settings, read from the environment.

LVZHI_DATABASE_URL   sqlite:///path or postgres://user@host:port/db (default: SQLite in $LVZHI_VAR_DIR)
LVZHI_VAR_DIR        where the SQLite file, uploads and generated files live (default ./var)
LVZHI_SECRET_KEY     required in production; otherwise generated once into $LVZHI_VAR_DIR/secret_key
LVZHI_DEBUG          1 to show debug pages (never in production)
LVZHI_ALLOWED_HOSTS  comma-separated host names (default localhost,127.0.0.1)
LVZHI_PRODUCTION     1 for production: HTTPS-only cookies, HSTS, secret key from the environment
"""

import os
import secrets
import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


PACKAGE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("LVZHI_VAR_DIR", "var")).resolve()
if os.environ.get("PYTEST_XDIST_WORKER") and "pytest" in sys.modules:
    # Parallel test workers each keep their own keys, anchors and files (not the programs the tests start).
    VAR_DIR = VAR_DIR / f"test-{os.environ['PYTEST_XDIST_WORKER']}"
PRODUCTION = _flag("LVZHI_PRODUCTION")
DEBUG = _flag("LVZHI_DEBUG") and not PRODUCTION


def _secret_key() -> str:
    key = os.environ.get("LVZHI_SECRET_KEY")
    if key:
        return key
    if PRODUCTION:
        raise ImproperlyConfigured("生产模式必须通过环境变量 LVZHI_SECRET_KEY 提供密钥（至少 50 个随机字符）。")
    # Development and demo: one random key per installation, kept out of the repository.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(64))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("LVZHI_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("LVZHI_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]


def _database() -> dj_database_url.DBConfig:
    url = os.environ.get("LVZHI_DATABASE_URL", "").strip()
    if not url:
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{VAR_DIR / 'lvzhi.sqlite3'}"
    try:
        config = dj_database_url.parse(url, conn_max_age=60 if url.startswith("postgres") else 0)
    except Exception as exc:  # dj_database_url raises several types; the user needs one message
        raise ImproperlyConfigured(
            f"环境变量 LVZHI_DATABASE_URL 无法解析（{url!r}）：{exc}。"
            "示例：sqlite:///var/lvzhi.sqlite3 或 postgres://postgres@127.0.0.1:5432/lvzhi"
        ) from exc
    engine = config.get("ENGINE", "")
    if engine.endswith("sqlite3"):
        # IMMEDIATE makes writers take the lock at BEGIN, so the audit chain never races;
        # WAL lets readers run beside one writer.
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        }
    elif "postgresql" in engine:
        config.setdefault("OPTIONS", {})
        # No JIT: lvzhi's reports and checks are many short queries over large tables, whose cost estimates trip
        # PostgreSQL's JIT threshold; compiling then took 0.3–0.7 s of a 0.8 s query (see BENCHMARKS.md).
        # random_page_cost 2 (PostgreSQL's default 4 is for spinning disks): on SSDs with the working set in
        # memory an index lookup is not 4× a sequential page; with 4 a list page's 50 rows fetched their
        # attendees through a hash of all 52,000 people (22 ms) instead of 144 index lookups (1 ms). Not lower:
        # at 1.1 a metric's 81,000 rows of a year were read through an index (77 ms) instead of in order (42 ms).
        # cursor_tuple_fraction 1: every iterator() here reads its server-side cursor to the end; planned for the
        # first 10 % (the default) the check's grouped counts chose slower plans (谈心谈话, province: 344 → 155 ms).
        config["OPTIONS"].setdefault("options", "-c jit=off -c random_page_cost=2 -c cursor_tuple_fraction=1")
        config["CONN_HEALTH_CHECKS"] = True
    else:
        raise ImproperlyConfigured(f"LVZHI_DATABASE_URL 指定了不支持的数据库（{engine or url}）：仅支持 sqlite 与 postgres。")
    if not config.get("NAME"):
        raise ImproperlyConfigured(f"LVZHI_DATABASE_URL 缺少数据库名（{url!r}）。")
    config["TEST"] = {"NAME": os.environ.get("LVZHI_TEST_DATABASE_NAME") or None}
    return config


DATABASES = {"default": _database()}
# "results": whole-subtree computations reused while the data is unchanged (lvzhi.web.datacache), shared by every
# worker: with LVZHI_RESULTS_CACHE_URL (redis://…) by every worker on every machine; else on PostgreSQL in an
# unlogged table of the database (lvzhi_results_cache, created with the change counter after migrate); on SQLite
# (one process) in memory. The key prefix holds the release, so no result outlives the code that computed it.
RESULTS_CACHE_URL = os.environ.get("LVZHI_RESULTS_CACHE_URL", "").strip()
# Seconds a result may be served out of date (with its 数据截至 time) while one request recomputes it; 0: never.
RESULTS_MAX_STALE = float(os.environ.get("LVZHI_RESULTS_MAX_STALE", "60"))
# Who recomputes: "background" (a thread; the request that found the result out of date is served the previous
# one too) or "inline" (that request recomputes first). Default: background on PostgreSQL, inline on SQLite.
RESULTS_REFRESH = os.environ.get("LVZHI_RESULTS_REFRESH", "").strip()
if RESULTS_REFRESH not in ("", "background", "inline"):
    raise ImproperlyConfigured(f"LVZHI_RESULTS_REFRESH 只能是 background 或 inline，而不是 {RESULTS_REFRESH!r}。")
if RESULTS_CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    _RESULTS_CACHE = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": RESULTS_CACHE_URL,
                      "KEY_PREFIX": "lvzhi", "TIMEOUT": 3600}
elif DATABASES["default"]["ENGINE"].endswith("postgresql"):
    _RESULTS_CACHE = {"BACKEND": "lvzhi.web.resultscache.ResultsCache", "LOCATION": "lvzhi_results_cache",
                      "TIMEOUT": 3600, "OPTIONS": {"MAX_ENTRIES": 2000}}
else:
    _RESULTS_CACHE = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "lvzhi-results",
                      "OPTIONS": {"MAX_ENTRIES": 200}}
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "lvzhi-default"},
    "results": _RESULTS_CACHE,
    # used instead of the database table inside an atomic block (lvzhi.web.datacache._cache)
    "results_local": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "lvzhi-results-local",
                      "OPTIONS": {"MAX_ENTRIES": 200}},
}
if RESULTS_CACHE_URL and not RESULTS_CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured(f"LVZHI_RESULTS_CACHE_URL 只支持 Redis 地址（redis://主机:端口/库号），而不是 {RESULTS_CACHE_URL!r}。")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "treebeard",
    "axes",
    "lvzhi.audit",
    "lvzhi.org",
    "lvzhi.records",
    "lvzhi.imports",
    "lvzhi.partybuilding",
    "lvzhi.membership",
    "lvzhi.cadres",
    "lvzhi.governance",
    "lvzhi.integrity",
    "lvzhi.ideology",
    "lvzhi.obligations",
    "lvzhi.metrics",
    "lvzhi.reports",
    "lvzhi.appraisal",
    "lvzhi.backup",
    "lvzhi.tokens",
    "lvzhi.demo",
    "lvzhi.scale",
    "lvzhi.web",
]

MIDDLEWARE = [
    "lvzhi.web.logs.RequestLogMiddleware",  # first: times and logs the whole request, sets its id for every log line
    "lvzhi.web.middleware.TrustedProxyMiddleware",  # before anything reads X-Forwarded-Proto
    "django.middleware.security.SecurityMiddleware",
    "lvzhi.web.middleware.ContentSecurityPolicyMiddleware",
    "lvzhi.web.middleware.RequestSizeLimitMiddleware",  # before anything reads an upload's body
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "lvzhi.web.middleware.FreshAfterWriteMiddleware",  # a writer's next pages show their write (web/datacache.py)
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "lvzhi.urls"
WSGI_APPLICATION = "lvzhi.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "lvzhi.web.context.navigation",
            ],
        },
    },
]

AUTH_USER_MODEL = "org.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "lvzhi.org.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "lvzhi.org.passwords.CharacterClassValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling (django-axes): five wrong passwords are answered as wrong; the sixth within the cool-off window
# locks the account for that window (axes locks when the count of failures reaches the limit).
AXES_FAILURE_LIMIT = int(os.environ.get("LVZHI_LOGIN_FAILURE_LIMIT", "6"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LVZHI_LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Where `collectstatic` puts the files (the nginx example serves them from there: deploy/nginx.conf).
STATIC_ROOT = Path(os.environ.get("LVZHI_STATIC_ROOT") or VAR_DIR / "static").resolve()
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns on every start when it is missing
MEDIA_URL = "media/"
MEDIA_ROOT = VAR_DIR / "media"
OUTPUT_DIR = VAR_DIR / "out"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed names and gzip copies: cached for a year by browsers and the proxy (lvzhi.web.staticfiles).
    "staticfiles": {"BACKEND": "lvzhi.web.staticfiles.StaticStorage"},
}
WHITENOISE_USE_FINDERS = True  # before the first collectstatic (tests, development), the apps' own folders

# Uploads: Excel files are parsed from disk in streaming mode; refuse oversized bodies before parsing.
MAX_UPLOAD_BYTES = int(os.environ.get("LVZHI_MAX_UPLOAD_MB", "20")) * 1024 * 1024
# Large sheets are imported this many rows at a time (validated, then written inside the one transaction), so an
# import's memory does not grow with the sheet (lvzhi.imports.streaming).
IMPORT_CHUNK_ROWS = int(os.environ.get("LVZHI_IMPORT_CHUNK_ROWS", "5000"))
# Sheets are read by calamine where it reads the same values (~1.5-2× less CPU), in pieces of this many MB of XML:
# calamine holds a piece in memory meanwhile, ~1 MB per MB (bigger pieces were no faster); 0: the XML reader only
# (lvzhi.imports.xlsx_fast).
IMPORT_FAST_READ_MB = int(os.environ.get("LVZHI_IMPORT_FAST_READ_MB", "1"))
# Long work (imports …) on Celery workers when set (redis://…); otherwise in a thread of the web process (lvzhi.tasks).
CELERY_BROKER = os.environ.get("LVZHI_CELERY_BROKER", "")
CELERY_QUEUE = os.environ.get("LVZHI_CELERY_QUEUE", "lvzhi")  # one queue per installation sharing a broker
# A revised rule is recomputed on the task queue (off the request); "1": right after the revision commits, in the
# process that revised it (tests, scripts).
RULE_RECOMPUTE_INLINE = os.environ.get("LVZHI_RULE_RECOMPUTE_INLINE", "") == "1"
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# A report template renders in a child process within these limits (lvzhi.reports.bounded): wall-clock seconds,
# memory beyond the worker's own, characters of output. A real report takes well under a second, a few MB, 20,000 chars.
REPORT_TEMPLATE_SECONDS = float(os.environ.get("LVZHI_TEMPLATE_SECONDS", "30"))
REPORT_TEMPLATE_MEMORY_MB = int(os.environ.get("LVZHI_TEMPLATE_MEMORY_MB", "512"))
REPORT_TEMPLATE_OUTPUT_CHARS = int(os.environ.get("LVZHI_TEMPLATE_OUTPUT_CHARS", "1000000"))
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# An on-premises language model behind an OpenAI-compatible chat-completions URL drafts the wording of sections 二 and
# 三 from the evidence (lvzhi.reports.llm); off unless LVZHI_LLM_URL is set. Its drafts pass lvzhi.reports.verify.
LLM_URL = os.environ.get("LVZHI_LLM_URL", "").strip()
LLM_MODEL = os.environ.get("LVZHI_LLM_MODEL", "").strip()
LLM_API_KEY = os.environ.get("LVZHI_LLM_API_KEY", "").strip()
LLM_TIMEOUT = float(os.environ.get("LVZHI_LLM_TIMEOUT", "30"))

SESSION_COOKIE_AGE = int(os.environ.get("LVZHI_SESSION_HOURS", "8")) * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (lvzhi.web.middleware): scripts only from lvzhi's own static files — no inline script, no
# event-handler attribute, no eval; data only from lvzhi itself. Styles may be inline (style attributes, the report
# preview's and Swagger UI's <style>), images also data: URIs (Swagger UI's icons).
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'", "script-src 'self'", "style-src 'self' 'unsafe-inline'", "img-src 'self' data:",
    "font-src 'self' data:", "connect-src 'self'", "object-src 'none'", "base-uri 'self'", "form-action 'self'",
    "frame-ancestors 'none'",
])
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Reverse proxies whose forwarded headers are believed — X-Forwarded-Proto (https?) by Django and gunicorn,
# X-Forwarded-For (the visitor's address in the access log): addresses or networks, comma-separated, e.g. 127.0.0.1
# for an nginx on the same host. From anyone else they are dropped (web.middleware.TrustedProxyMiddleware).
def _networks(name: str) -> list[str]:
    import ipaddress

    text = os.environ.get(name, "")
    try:
        return [str(ipaddress.ip_network(x.strip(), strict=False)) for x in text.split(",") if x.strip()]
    except ValueError as exc:
        raise ImproperlyConfigured(f"环境变量 {name} 应为逗号分隔的 IP 地址或网段（如 127.0.0.1,10.1.2.0/24）：{exc}") from None


TRUSTED_PROXIES = _networks("LVZHI_TRUSTED_PROXIES")

if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = _flag("LVZHI_SSL_REDIRECT", True)
    if TRUSTED_PROXIES:
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("LVZHI_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# The record list API reads its rows as values (records.api_rows: the serializer's output at a third of the CPU);
# off, every list goes through DRF's serializer — the reference that tests/api/test_list_rows.py compares with.
API_LIST_AS_VALUES = _flag("LVZHI_API_LIST_AS_VALUES", True)
REST_FRAMEWORK = {
    # Token (Bearer, or Basic with the token as password) before the session: a request without credentials is
    # answered 401 with the Bearer challenge (DRF takes the first class's), not 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "lvzhi.tokens.authentication.AccessTokenAuthentication",
        "lvzhi.tokens.authentication.TokenBasicAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["lvzhi.org.api_permissions.ScopedPermission",
                                   "lvzhi.tokens.authentication.ReadOnlyTokenPermission"],
    # One request format per operation (JSON; multipart only on the upload operations, which say so), so the schema
    # has one request body per operation.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    # DRF's own two; the JSON one encodes a reused answer once (lvzhi.web.api_conventions.ReusedAnswer)
    "DEFAULT_RENDERER_CLASSES": ["lvzhi.web.api_conventions.JSONRenderer",
                                 "rest_framework.renderers.BrowsableAPIRenderer"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_FILTER_BACKENDS": ["lvzhi.web.api_conventions.StrictFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "lvzhi.web.api_conventions.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "lvzhi.org.api_permissions.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "履职 lvzhi API",
    "DESCRIPTION": "企业党委三项责任制记录、检查与述职报告的接口。所有数据按当前用户的单位范围过滤。",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and its documentation page describe every record type: signed-in users only.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "lvzhi.web.api_errors.document_errors"],
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a "category" or "level" field with different choices: name each set.
    "ENUM_NAME_OVERRIDES": {
        "UnitCategoryEnum": "lvzhi.org.models.UnitCategory",
        "CadreLevelEnum": "lvzhi.org.models.CadreLevel",
        "MatterCategoryEnum": "lvzhi.governance.models.MatterCategory",
        "RecordLevelEnum": "lvzhi.records.fields.Level",
        "AppointmentLevelEnum": "lvzhi.cadres.models.APPOINTMENT_LEVELS",
        "CheckStateEnum": "lvzhi.obligations.results_api.STATE_CHOICES",
        "TokenStateEnum": "lvzhi.tokens.api.STATES",
        "ReportStatusEnum": "lvzhi.reports.models.ReportStatus",
        "ImportStatusEnum": "lvzhi.imports.models.ImportStatus",
        "ImportModeEnum": "lvzhi.imports.models.ImportMode",
        # every record type (what an import names) and the types a 记录完整性声明 can declare kept
        "RecordTypeEnum": "lvzhi.imports.api.type_choices",
        "KeptRecordTypeEnum": "lvzhi.records.models.record_type_choices",
    },
    # Intranet users have no CDN: Swagger UI is served from the sidecar package.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No call to the public validator service: the page must work on an intranet and send nothing outside.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None, "persistAuthorization": False},
}

# Pin "today" (YYYY-MM-DD) for pages and defaults. `lvzhi demo` pins it to 2023-01-10 for the demo company and keeps
# that in $LVZHI_VAR_DIR/as_of, so a later `lvzhi serve` shows the demo the same way; the environment variable wins
# (set but empty: the real date).
AS_OF_FILE = VAR_DIR / "as_of"
if "LVZHI_AS_OF" in os.environ:
    LVZHI_AS_OF, LVZHI_AS_OF_SOURCE = os.environ["LVZHI_AS_OF"].strip(), "环境变量 LVZHI_AS_OF"
elif AS_OF_FILE.exists():
    LVZHI_AS_OF = AS_OF_FILE.read_text(encoding="utf-8").strip()
    LVZHI_AS_OF_SOURCE = f"演示数据的日期，保存在 {AS_OF_FILE}；删除该文件即按实际日期"
else:
    LVZHI_AS_OF, LVZHI_AS_OF_SOURCE = "", ""
if LVZHI_AS_OF:
    try:
        __import__("datetime").date.fromisoformat(LVZHI_AS_OF)
    except ValueError:
        raise ImproperlyConfigured(f"“今天”的设置 {LVZHI_AS_OF!r}（{LVZHI_AS_OF_SOURCE}）不是 YYYY-MM-DD 格式的日期。") from None

# Pages of the "检查与报告" part of the navigation: (label, URL name); a name that does not resolve is left out.
LVZHI_NAV = [
    ("待办与预警", "obligations:warnings"),
    ("合规看板", "obligations:dashboard"),
    ("检查规则", "obligations:rules"),
    ("指标", "metrics:index"),
    ("述职报告", "reports:index"),
    ("述职评议", "appraisal:index"),
    ("党支部分类定级", "appraisal:grading"),
    ("报告模板", "reports:templates"),
    ("数据导入导出", "imports:dataset"),
]

# Counts of confidential records for roles that may not open them (lvzhi.records.disclosure): only for whole
# finished blocks of this many months, and units with at least this many people.
CONFIDENTIAL_PERIOD_MONTHS = int(os.environ.get("LVZHI_CONFIDENTIAL_PERIOD_MONTHS", "3"))
CONFIDENTIAL_MIN_PEOPLE = int(os.environ.get("LVZHI_CONFIDENTIAL_MIN_PEOPLE", "50"))

# The audit trail's key (HMAC) and anchors live outside the database (lvzhi.audit.keys, lvzhi.audit.anchors).
AUDIT_KEY = os.environ.get("LVZHI_AUDIT_KEY", "")
AUDIT_KEY_FILE = Path(os.environ.get("LVZHI_AUDIT_KEY_FILE") or VAR_DIR / "audit_key")
AUDIT_ANCHOR_FILE = Path(os.environ.get("LVZHI_AUDIT_ANCHOR_FILE") or VAR_DIR / "audit_anchors.log")
AUDIT_ANCHOR_SECONDS = int(os.environ.get("LVZHI_AUDIT_ANCHOR_SECONDS", "60"))  # per process; negative: only on demand

# A record entered more than this many days after its date is marked 补录 (lists, counts per unit, the form).
BACKFILL_DAYS = int(os.environ.get("LVZHI_BACKFILL_DAYS", "30"))

# The daily digest to 企业微信/钉钉 group robots: "单位编码=URL" pairs (lvzhi.obligations.webhooks); empty: off.
DIGEST_WEBHOOKS = os.environ.get("LVZHI_DIGEST_WEBHOOKS", "")

EMAIL_BACKEND = os.environ.get("LVZHI_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("LVZHI_FROM_EMAIL", "lvzhi@localhost")



# Logs: time, level, logger, request id and user on every line; one access-log line per request (lvzhi.web.logs).
LOG_FORMAT = os.environ.get("LVZHI_LOG_FORMAT", "text").strip().lower()
if LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured("环境变量 LVZHI_LOG_FORMAT 只能是 text 或 json。")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "lvzhi.web.logs.RequestContextFilter"},
                "refusal": {"()": "lvzhi.web.logs.RefusalWithoutTraceback"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s %(user)s] %(message)s"},
        "json": {"()": "lvzhi.web.logs.JsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["context", "refusal"], "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": os.environ.get("LVZHI_LOG_LEVEL", "WARNING").upper()},
    "loggers": {"lvzhi.access": {"level": "INFO" if _flag("LVZHI_ACCESS_LOG", True) else "WARNING"}},
}
