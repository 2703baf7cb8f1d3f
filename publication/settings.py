import json
import os
import warnings
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

from publication.db import database_from_env, database_from_url
from publication.env import env_bool, env_int, env_list
from publication.html import IMAGE_STYLES, editor_markup_options
from publication.logs import json_stdout_logging

BASE_DIR = Path(__file__).resolve().parent.parent


def media_origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


DEBUG = env_bool("DJANGO_DEBUG", default=False)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or ("dev-insecure" if DEBUG else "")
ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", default="localhost,127.0.0.1,[::1]" if DEBUG else ""
)
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
# Absolute links in email and canonical URLs; guessing it in production would mail out localhost.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000" if DEBUG else "").rstrip("/")

# Production refuses to start half-configured, and names everything missing at once.
_missing = []
if not SECRET_KEY:
    _missing.append("DJANGO_SECRET_KEY")
elif not DEBUG and (
    len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith("django-insecure")
):
    _missing.append("DJANGO_SECRET_KEY (a real one: 50+ random characters)")
if not ALLOWED_HOSTS:
    _missing.append("DJANGO_ALLOWED_HOSTS (e.g. www.example.org)")
if not SITE_URL:
    _missing.append("SITE_URL (e.g. https://www.example.org)")
if _missing:
    raise ImproperlyConfigured(
        "Production settings need " + ", ".join(_missing) + " (or DJANGO_DEBUG=true to develop)."
    )
# SITE_URL says whether the public site is HTTPS; secure cookies and the redirect follow it.
HTTPS = SITE_URL.startswith("https://")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.sitemaps",
    "taggit",
    "django_ckeditor_5",
    "csp",
    "axes",
    "reversion",
    "procrastinate.contrib.django",
    "publication",
    "articles",
    "newsletter",
]

MIDDLEWARE = [
    "publication.middleware.RequestLogMiddleware",
    # Before host validation and the HTTPS redirect: load balancers probe by IP over HTTP.
    "publication.middleware.HealthCheckMiddleware",
    # Outside every check that may refuse an editor upload, so each refusal is JSON.
    "publication.uploads.EditorUploadErrorsMiddleware",
    "publication.middleware.RequestSizeLimitMiddleware",
    # Refuses text that is not UTF-8 (form fields, query strings) before anything reads it.
    "publication.middleware.Utf8Middleware",
    # Whole public pages from the cache, before the rest: see publication/page_cache.py
    # for what a hit skips and why that is safe. It also gives every answer from below
    # without a Cache-Control a deliberate one.
    "publication.page_cache.PageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "publication.middleware.ControlCharacterMiddleware",
    "publication.middleware.SecurityHeadersMiddleware",
    "publication.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After sessions, authentication and messages; see its docstring.
    "publication.middleware.OneAddPerFormMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "publication.middleware.StaffHintMiddleware",
    # Locks out repeated failed admin logins (django-axes); after authentication.
    "axes.middleware.AxesMiddleware",
    # Inside everything: it sees every 404, and its 301s are never cached, so a new or
    # changed redirect applies at once.
    "publication.middleware.RedirectFallbackMiddleware",
]

ROOT_URLCONF = "publication.urls"
TEST_RUNNER = "publication.test_runner.TestRunner"
WSGI_APPLICATION = "publication.wsgi.application"

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
                "publication.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": database_from_env(
        BASE_DIR, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", default=60)
    )
}
# An optional read replica for public pages (publication.routers); the primary for the rest,
# and for public reads too during DATABASE_REPLICA_LAG_SECONDS after any content change:
# set it above the replica's worst replay delay.
DATABASE_REPLICA_LAG_SECONDS = env_int("DATABASE_REPLICA_LAG_SECONDS", default=10)
# A process that cannot reach the replica reads from the primary this long before trying again.
DATABASE_REPLICA_RETRY_SECONDS = env_int("DATABASE_REPLICA_RETRY_SECONDS", default=30, minimum=1)
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = database_from_url(
        os.environ["DATABASE_REPLICA_URL"],
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", default=60),
    )
    # Tests run against one database: the replica alias then reads the primary.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["publication.routers.ReplicaRouter"]
    MIDDLEWARE.insert(
        MIDDLEWARE.index("publication.middleware.HealthCheckMiddleware") + 1,
        "publication.routers.ReplicaMiddleware",
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# django-axes counts failed logins; it must come first to refuse a locked-out login.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Admin login brute force: after AXES_FAILURE_LIMIT failures, that user name is locked
# (from anywhere) and that address is locked (for any user name) for the cool-off period.
# Superusers unlock early by deleting the attempts in Axes › Access attempts, or
# `manage.py axes_reset_username NAME` / `axes_reset_ip ADDRESS`.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", default=5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", default=15, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# A good sign-in clears that user name's failures only (publication.security), not its
# address's: axes' own reset clears both, so anyone with a staff account could sign in as
# themselves between guesses at a colleague's password and never be locked out.
AXES_RESET_ON_SUCCESS = False
AXES_LOCKOUT_CALLABLE = "publication.security.lockout_response"
AXES_CLIENT_IP_CALLABLE = "publication.security.client_ip"
AXES_VERBOSE = False

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "Europe/Berlin")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "var" / "static"))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "var" / "media"))
WITHDRAWN_MEDIA_ROOT = Path(
    os.environ.get("DJANGO_WITHDRAWN_MEDIA_ROOT", BASE_DIR / "var" / "withdrawn")
)
if DEBUG:
    # Development serves static files from the apps' folders; nothing is collected.
    warnings.filterwarnings("ignore", message="No directory at")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Production: content-hashed names (cached for a year by whitenoise) and gzip/brotli
    # copies, made by `collectstatic`. Development serves the files as they are.
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
    # Originals of withdrawn photos (licence run out), kept for a reinstatement but never
    # served: outside MEDIA_ROOT, so neither the media view nor a proxy serving the folder
    # reaches them (publication.renditions.withdraw_original).
    "withdrawn": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": WITHDRAWN_MEDIA_ROOT},
    },
}
# Media on S3-compatible object storage (django-storages) when a bucket is configured, for
# several app servers; credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY.
AWS_STORAGE_BUCKET_NAME = os.environ.get("AWS_STORAGE_BUCKET_NAME", "")
if AWS_STORAGE_BUCKET_NAME:
    S3_OPTIONS = {
        "bucket_name": AWS_STORAGE_BUCKET_NAME,
        "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
        "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
        "custom_domain": os.environ.get("AWS_S3_CUSTOM_DOMAIN") or None,
        # Public photos under random names: plain URLs that CDNs and browsers may cache.
        "querystring_auth": False,
        "file_overwrite": False,
        "default_acl": None,
        "object_parameters": {"CacheControl": "public, max-age=31536000, immutable"},
    }
    STORAGES["default"] = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": S3_OPTIONS}
    # The public policy must not cover "withdrawn/" (docs/deploy.md), or name a private bucket.
    STORAGES["withdrawn"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            **S3_OPTIONS,
            "bucket_name": os.environ.get("AWS_WITHDRAWN_BUCKET_NAME") or AWS_STORAGE_BUCKET_NAME,
            "location": "withdrawn",
            "custom_domain": None,
            "querystring_auth": True,
            "object_parameters": {},
        },
    }
    if S3_OPTIONS["custom_domain"]:
        MEDIA_URL = f"https://{S3_OPTIONS['custom_domain']}/"
    else:
        endpoint = S3_OPTIONS["endpoint_url"] or "https://s3.amazonaws.com"
        MEDIA_URL = f"{endpoint.rstrip('/')}/{AWS_STORAGE_BUCKET_NAME}/"

# Rate limits (and, later, cached pages) live in the cache, so production needs one shared
# by every process: Redis when REDIS_URL is set (Django's own backend), else the database
# cache, whose table `migrate` creates (publication.apps). Development too: with memory per
# process, what `make run`'s job worker changed (renditions) never reached runserver's
# cached pages. Tests use memory (publication.test_runner).
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("DJANGO_CACHE_KEY_PREFIX", "meridian"),
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": os.environ.get(
                "DJANGO_CACHE_BACKEND", "django.core.cache.backends.db.DatabaseCache"
            ),
            "LOCATION": os.environ.get("DJANGO_CACHE_LOCATION", "django_cache"),
        }
    }

# Purging a CDN in front of the site (publication/cdn.py, docs/deploy.md): off while
# CDN_PURGE_URL (or, for CloudFront, CDN_CLOUDFRONT_DISTRIBUTION_ID) is unset. The job
# worker sends the requests, never a request of a reader.
CDN_PURGE_URL = os.environ.get("CDN_PURGE_URL", "")
CDN_PURGE_METHOD = os.environ.get("CDN_PURGE_METHOD", "POST")
CDN_CLOUDFRONT_DISTRIBUTION_ID = os.environ.get("CDN_CLOUDFRONT_DISTRIBUTION_ID", "")
CDN_PURGE_BODY = os.environ.get("CDN_PURGE_BODY", '{"files": $URLS}')
CDN_PURGE_ALL_URL = os.environ.get("CDN_PURGE_ALL_URL", "")
CDN_PURGE_ALL_BODY = os.environ.get("CDN_PURGE_ALL_BODY", '{"purge_everything": true}')
CDN_PURGE_HEADER = os.environ.get("CDN_PURGE_HEADER", "")
CDN_PURGE_DELAY_SECONDS = env_int("CDN_PURGE_DELAY_SECONDS", default=10)
if CDN_PURGE_HEADER and ":" not in CDN_PURGE_HEADER:
    raise ImproperlyConfigured("CDN_PURGE_HEADER must be 'Name: value'.")
if CDN_PURGE_METHOD not in {"POST", "PURGE"}:
    raise ImproperlyConfigured("CDN_PURGE_METHOD must be POST or PURGE.")
# With {url}, CDN_PURGE_URL names one address: "everything" needs an address of its own.
if "{url}" in CDN_PURGE_URL and not CDN_PURGE_ALL_URL:
    raise ImproperlyConfigured("CDN_PURGE_ALL_URL must be set when CDN_PURGE_URL holds {url}.")
for _name, _body in [
    ("CDN_PURGE_BODY", CDN_PURGE_BODY),
    ("CDN_PURGE_ALL_BODY", CDN_PURGE_ALL_BODY),
]:
    try:
        json.loads(_body.replace("$URLS", "[]") or "null")
    except ValueError:
        raise ImproperlyConfigured(f"{_name} must be JSON ($URLS: the addresses).") from None

# Whole-page cache for public pages (publication/page_cache.py): exact invalidation on
# the server, so its lifetime can be long; browsers and CDNs cannot be told of an edit,
# so theirs are short. Every lifetime is capped by the next scheduled publish, and stays
# far below NEWSLETTER_FORM_TOKEN_MAX_AGE (the signup form in cached pages).
PAGE_CACHE_ENABLED = env_bool("DJANGO_PAGE_CACHE", default=True)
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", default=3600)
PAGE_CACHE_MAX_AGE = env_int("PAGE_CACHE_MAX_AGE", default=60)
PAGE_CACHE_S_MAXAGE = env_int("PAGE_CACHE_S_MAXAGE", default=300)
PAGE_CACHE_STALE_WHILE_REVALIDATE = env_int("PAGE_CACHE_STALE_WHILE_REVALIDATE", default=60)
# Each process keeps a copy of the pages it serves (bodies up to this many bytes, least
# recently used out first), so a hit reads only the content version from the shared cache.
PAGE_CACHE_LOCAL_BYTES = env_int("PAGE_CACHE_LOCAL_BYTES", default=32 * 1024 * 1024)
# Pages and fragments are cached apart per release of the code (page_cache.release()):
# empty = a digest of the code and templates; or name it, e.g. the deployed commit id.
PAGE_CACHE_RELEASE = os.environ.get("PAGE_CACHE_RELEASE", "")

# --- Security headers and cookies ---
SECURE_CONTENT_TYPE_NOSNIFF = True
# Behind a TLS-terminating proxy: e.g. DJANGO_SECURE_PROXY_SSL_HEADER=HTTP_X_FORWARDED_PROTO,https
# (only if the proxy always sets that header; otherwise clients could claim HTTPS).
_proxy_ssl_header = env_list("DJANGO_SECURE_PROXY_SSL_HEADER")
if _proxy_ssl_header:
    if len(_proxy_ssl_header) != 2:
        raise ImproperlyConfigured("DJANGO_SECURE_PROXY_SSL_HEADER must be HEADER,value.")
    SECURE_PROXY_SSL_HEADER = tuple(_proxy_ssl_header)
SECURE_SSL_REDIRECT = env_bool("DJANGO_SSL_REDIRECT", default=HTTPS and not DEBUG)
# HSTS cannot be taken back once browsers have seen it: off until the operator says the
# site (and, with INCLUDE_SUBDOMAINS, every subdomain) is HTTPS-only.
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", default=False)
if not SECURE_HSTS_SECONDS:
    # check --deploy warns about HSTS being off; that is the documented default here.
    SILENCED_SYSTEM_CHECKS = ["security.W004"]
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=()"
)
# Content-Security-Policy (django-csp): public pages load scripts and styles only from our
# own files, no inline code, nothing framed, no plugins; the admin and CKEditor 5 work
# under the same policy, plus style attributes in the admin (CONTENT_SECURITY_POLICY_ADMIN).
# A template that needs an inline script uses {{ request.csp_nonce }} and the header then
# carries that request's nonce (public pages never do, so a cached page and its header stay
# the same for every reader). Violations are logged by /csp-report/ (views.csp_report).
CSP_REPORT_URL = "/csp-report/"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        # Photos come from MEDIA_URL's origin when that is object storage or a CDN.
        "img-src": [SELF, "data:"] + ([media_origin(MEDIA_URL)] if "//" in MEDIA_URL else []),
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "report-uri": CSP_REPORT_URL,
    }
}
# Added on /admin/ only: CKEditor 5 positions its panels with style attributes.
CONTENT_SECURITY_POLICY_ADMIN = {"style-src-attr": [UNSAFE_INLINE]}
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", default=HTTPS)
SESSION_COOKIE_HTTPONLY = True
# The admin and CKEditor read the token from the form, never from the cookie.
CSRF_COOKIE_HTTPONLY = True
# Request bodies: non-file form data over DATA_UPLOAD_MAX_MEMORY_SIZE and any body over
# REQUEST_MAX_BODY_BYTES (an image upload plus its form) are answered 413 before being read
# (publication.middleware). Set the proxy's limit to match (nginx: client_max_body_size 20m).
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=2_621_440, minimum=1)

EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", default=25, minimum=1)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", default=20, minimum=1)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "The Magazine <newsletter@localhost>")

# One JSON line per event on stdout (publication.logs): request id, method, path, status and
# duration for every request; tracebacks for errors; no email addresses or link tokens.
LOGGING = json_stdout_logging(
    root={"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
    loggers={
        "publication.requests": {"level": os.environ.get("DJANGO_REQUEST_LOG_LEVEL", "INFO")},
        "csp.report": {"level": "WARNING"},
        # Every request already has its own line; keep django.request for errors (tracebacks).
        "django.request": {"level": "ERROR"},
        # runserver's own access lines would repeat ours.
        "django.server": {"level": "WARNING"},
        "axes.handlers.database": {"filters": ["one_line_per_login_failure"]},
        # Jobs retried and the worker's start and stop (publication.logs.JobLogFilter).
        "procrastinate": {"level": "INFO"},
    },
)

# Uploaded images: every image, from the admin or from the editor, is fully
# decoded and re-encoded (publication.images); these bound what we agree to decode.
IMAGE_UPLOAD_MAX_BYTES = env_int("IMAGE_UPLOAD_MAX_BYTES", default=15 * 1024 * 1024, minimum=1)
IMAGE_UPLOAD_MAX_PIXELS = env_int("IMAGE_UPLOAD_MAX_PIXELS", default=40_000_000, minimum=1)
# WebP needs about five times the memory a pixel of the others needs (benchmarks/uploads.py).
IMAGE_UPLOAD_MAX_WEBP_PIXELS = env_int("IMAGE_UPLOAD_MAX_WEBP_PIXELS", default=6_000_000, minimum=1)
# Photos whose licence runs out within this many days are flagged in the photo admin.
PHOTO_LICENSE_WARNING_DAYS = 30
IMAGE_MAX_EDGE = 2560  # larger uploads are scaled down, like a "-scaled" original
# Renditions (publication.renditions), best first; JPEG is always made as the fallback.
# AVIF is skipped when this Pillow lacks it; it is the slowest to encode.
IMAGE_RENDITION_FORMATS = env_list("IMAGE_RENDITION_FORMATS", default="avif,webp")
# Images are the only files we accept: stop reading a body once a file passes the limit.
FILE_UPLOAD_HANDLERS = [
    "publication.uploads.SizeLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
REQUEST_MAX_BODY_BYTES = env_int(
    "REQUEST_MAX_BODY_BYTES", default=IMAGE_UPLOAD_MAX_BYTES + 5 * 1024 * 1024, minimum=1
)

TAGGIT_CASE_INSENSITIVE = True
# Topics keep the order the editor typed them in (taggit would sort them); names that are
# only spaces are refused and invisible characters trimmed (publication.topics).
TAGGIT_TAGS_FROM_STRING = "articles.topics.parse_topics"
TAGGIT_STRING_FROM_TAGS = "articles.topics.topics_string"

# django-ckeditor-5: our own upload view (publication.views.editor_image_upload)
# replaces the package's, which trusts the client's bytes and file name.
CK_EDITOR_5_UPLOAD_FILE_VIEW_NAME = "publication:editor-image-upload"
CKEDITOR_5_UPLOAD_FILE_TYPES = ["jpeg", "png", "gif", "webp"]
CKEDITOR_5_IMAGE_CLEANUP = False  # deletes files by name, even when another article uses them
CKEDITOR_5_CONFIGS = {
    "article": {
        "toolbar": {
            "items": [
                "heading",
                "|",
                "bold",
                "italic",
                "link",
                "|",
                "bulletedList",
                "numberedList",
                "blockQuote",
                "horizontalLine",
                "|",
                "insertImage",
                "|",
                "undo",
                "redo",
            ],
        },
        "removePlugins": [
            "SourceEditing",
            "GeneralHtmlSupport",
            "HtmlEmbed",
            "FullPage",
            "Markdown",
            "MediaEmbed",
            "Style",
            "Font",
            "Highlight",
            "Alignment",
            "TableProperties",
            "TableCellProperties",
            "CodeBlock",
            "TodoList",
            # Markup the body's allow-list drops (publication.html), so the editor would
            # show what the page never does: resized images (a style), tables, page breaks
            # (a div), indented paragraphs (a style).
            "ImageResize",
            "Table",
            "TableToolbar",
            "TableCaption",
            "PageBreak",
            "IndentBlock",
        ],
        "image": {
            "toolbar": ["imageTextAlternative", "toggleImageCaption"],
            # Block images become <figure> with caption and credit; inline ones could not.
            "insert": {"type": "block"},
            "styles": {"options": IMAGE_STYLES},
        },
        # Headings, list options and link protocols: exactly what the allow-list keeps.
        **editor_markup_options(),
    },
}

# --- Newsletter ---
# Jobs (newsletter mail) live in PostgreSQL; `manage.py procrastinate worker` runs them.
PROCRASTINATE_IMPORT_PATHS = ["publication.tasks", "publication.cdn", "newsletter.tasks"]
# On SIGTERM a worker takes no new job and at once asks the jobs in hand to stop: a
# round-up batch hands its unsent copies to the next batch job after the copy in hand
# (newsletter.tasks); other jobs are short and finish. Waiting longer would only let a
# batch run past `serve`'s and the service manager's stop timeouts.
PROCRASTINATE_WORKER_DEFAULTS = {"shutdown_graceful_timeout": 0}
# The signed link in a confirmation email stays valid this long (seconds).
NEWSLETTER_CONFIRM_MAX_AGE = env_int("NEWSLETTER_CONFIRM_MAX_AGE", default=7 * 24 * 3600, minimum=1)
# The signup form token is shared by every reader for one bucket (so cached pages stay
# identical) and accepted for FORM_TOKEN_MAX_AGE after the bucket began: keep the public
# page cache's lifetime well below it.
NEWSLETTER_FORM_TOKEN_BUCKET = 3600
NEWSLETTER_FORM_TOKEN_MAX_AGE = env_int(
    "NEWSLETTER_FORM_TOKEN_MAX_AGE", default=2 * 86400, minimum=1
)
# Rate limits: (requests, per seconds), counted in the cache.
NEWSLETTER_RATE_LIMIT_PER_IP = (env_int("NEWSLETTER_SIGNUPS_PER_IP_HOUR", default=20), 3600)
NEWSLETTER_RATE_LIMIT_PER_MAILBOX = (5, 3600)
# Enforced from the delivery table, whatever the cache says.
NEWSLETTER_CONFIRMATIONS_PER_DAY = 3
NEWSLETTER_CONFIRMATION_INTERVAL = 10 * 60
# Behind a reverse proxy, the request header carrying the client address
# (e.g. HTTP_X_REAL_IP); by default REMOTE_ADDR.
NEWSLETTER_CLIENT_IP_HEADER = os.environ.get("NEWSLETTER_CLIENT_IP_HEADER", "REMOTE_ADDR")
# How many proxies of ours append to that header (a CDN and a load balancer: 2); the
# client's address is that many from the end (publication.security.client_ip).
CLIENT_IP_PROXY_COUNT = env_int("CLIENT_IP_PROXY_COUNT", default=1, minimum=1)
NEWSLETTER_UNSUBSCRIBE_MAILTO = os.environ.get("NEWSLETTER_UNSUBSCRIBE_MAILTO", "")
NEWSLETTER_BATCH_SIZE = env_int("NEWSLETTER_BATCH_SIZE", default=200, minimum=1)
