import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from publication.db import database_from_env

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, *, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "on"}:
        return True
    if value.lower() in {"0", "false", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def env_list(name: str, *, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", default=False)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or ("dev-insecure" if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("Set DJANGO_SECRET_KEY (or DJANGO_DEBUG=true for development).")

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", default="localhost,127.0.0.1,[::1]" if DEBUG else ""
)
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
# Absolute links in email and canonical URLs; guessing it in production would mail out localhost.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000" if DEBUG else "").rstrip("/")
if not SITE_URL:
    raise ImproperlyConfigured("Set SITE_URL, e.g. https://www.example.org.")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "taggit",
    "django_ckeditor_5",
    "reversion",
    "procrastinate.contrib.django",
    "publication",
    "articles",
    "newsletter",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "publication.middleware.ControlCharacterMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "publication.middleware.StaffHintMiddleware",
    # Last, so a page served from the cache still passes every middleware above.
    "publication.page_cache.PageCacheMiddleware",
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

DATABASES = {"default": database_from_env(BASE_DIR)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

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
STATIC_ROOT = BASE_DIR / "var" / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "var" / "media"))

# Rate limits live in the cache, so production needs one shared by every process:
# the database cache by default (`manage.py createcachetable`), or set DJANGO_CACHE_BACKEND
# and DJANGO_CACHE_LOCATION (e.g. Redis). Development uses per-process memory.
CACHES = {
    "default": {
        "BACKEND": os.environ.get(
            "DJANGO_CACHE_BACKEND",
            "django.core.cache.backends.locmem.LocMemCache"
            if DEBUG
            else "django.core.cache.backends.db.DatabaseCache",
        ),
        "LOCATION": os.environ.get("DJANGO_CACHE_LOCATION", "django_cache"),
    }
}

# Whole-page cache for public pages (publication/page_cache.py): exact invalidation on
# the server, so its lifetime can be long; browsers and CDNs cannot be told of an edit,
# so theirs are short. Every lifetime is capped by the next scheduled publish, and stays
# far below NEWSLETTER_FORM_TOKEN_MAX_AGE (the signup form in cached pages).
PAGE_CACHE_ENABLED = env_bool("DJANGO_PAGE_CACHE", default=True)
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", 3600))
PAGE_CACHE_MAX_AGE = int(os.environ.get("PAGE_CACHE_MAX_AGE", 60))
PAGE_CACHE_S_MAXAGE = int(os.environ.get("PAGE_CACHE_S_MAXAGE", 300))
PAGE_CACHE_STALE_WHILE_REVALIDATE = int(os.environ.get("PAGE_CACHE_STALE_WHILE_REVALIDATE", 60))

SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
SESSION_COOKIE_HTTPONLY = True

EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "20"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "The Magazine <newsletter@localhost>")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
}

# Uploaded images: every image, from the admin or from the editor, is fully
# decoded and re-encoded (publication.images); these bound what we agree to decode.
IMAGE_UPLOAD_MAX_BYTES = int(os.environ.get("IMAGE_UPLOAD_MAX_BYTES", 15 * 1024 * 1024))
IMAGE_UPLOAD_MAX_PIXELS = int(os.environ.get("IMAGE_UPLOAD_MAX_PIXELS", 40_000_000))
# WebP needs about five times the memory a pixel of the others needs (benchmarks/uploads.py).
IMAGE_UPLOAD_MAX_WEBP_PIXELS = int(os.environ.get("IMAGE_UPLOAD_MAX_WEBP_PIXELS", 6_000_000))
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

TAGGIT_CASE_INSENSITIVE = True
# Refuses topic names that are only spaces and trims invisible characters (publication.topics).
TAGGIT_TAGS_FROM_STRING = "publication.topics.parse_topics"

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
        ],
        "heading": {
            "options": [
                {"model": "paragraph", "title": "Paragraph", "class": "ck-heading_paragraph"},
                {
                    "model": "heading2",
                    "view": "h2",
                    "title": "Heading",
                    "class": "ck-heading_heading2",
                },
                {
                    "model": "heading3",
                    "view": "h3",
                    "title": "Subheading",
                    "class": "ck-heading_heading3",
                },
            ]
        },
        "image": {
            "toolbar": ["imageTextAlternative", "toggleImageCaption"],
            # Block images become <figure> with caption and credit; inline ones could not.
            "insert": {"type": "block"},
        },
        "link": {"addTargetToExternalLinks": False},
    },
}

# --- Newsletter ---
# Jobs (newsletter mail) live in PostgreSQL; `manage.py procrastinate worker` runs them.
PROCRASTINATE_IMPORT_PATHS = ["publication.tasks", "newsletter.tasks"]
# The signed link in a confirmation email stays valid this long (seconds).
NEWSLETTER_CONFIRM_MAX_AGE = int(os.environ.get("NEWSLETTER_CONFIRM_MAX_AGE", 7 * 24 * 3600))
# The signup form token is shared by every reader for one bucket (so cached pages stay
# identical) and accepted for FORM_TOKEN_MAX_AGE after the bucket began: keep the public
# page cache's lifetime well below it.
NEWSLETTER_FORM_TOKEN_BUCKET = 3600
NEWSLETTER_FORM_TOKEN_MAX_AGE = int(os.environ.get("NEWSLETTER_FORM_TOKEN_MAX_AGE", 2 * 86400))
# Rate limits: (requests, per seconds), counted in the cache.
NEWSLETTER_RATE_LIMIT_PER_IP = (int(os.environ.get("NEWSLETTER_SIGNUPS_PER_IP_HOUR", 20)), 3600)
NEWSLETTER_RATE_LIMIT_PER_MAILBOX = (5, 3600)
# Enforced from the delivery table, whatever the cache says.
NEWSLETTER_CONFIRMATIONS_PER_DAY = 3
NEWSLETTER_CONFIRMATION_INTERVAL = 10 * 60
# Behind a reverse proxy, the request header carrying the client address
# (e.g. HTTP_X_REAL_IP); by default REMOTE_ADDR.
NEWSLETTER_CLIENT_IP_HEADER = os.environ.get("NEWSLETTER_CLIENT_IP_HEADER", "REMOTE_ADDR")
NEWSLETTER_UNSUBSCRIBE_MAILTO = os.environ.get("NEWSLETTER_UNSUBSCRIBE_MAILTO", "")
NEWSLETTER_BATCH_SIZE = int(os.environ.get("NEWSLETTER_BATCH_SIZE", 200))
