import datetime
import functools
import hashlib
import json
import logging
import mimetypes
import re
from pathlib import Path, PurePosixPath

from axes.utils import reset as reset_login_failures
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.staticfiles import finders
from django.core.exceptions import ImproperlyConfigured, RequestDataTooBig, ValidationError
from django.core.files.storage import storages
from django.db import IntegrityError, connections, router, transaction
from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseServerError,
    JsonResponse,
)
from django.template import loader
from django.template.defaultfilters import filesizeformat
from django.templatetags.static import static as static_url
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views import defaults, static
from django.views.decorators.cache import cache_control
from django.views.decorators.csrf import csrf_exempt, requires_csrf_token
from django.views.decorators.http import condition, require_POST, require_safe

from publication import renditions as rendition_files
from publication.context_processors import cached_site_settings, last_language
from publication.images import SafeImageFormField
from publication.logs import redacted_url
from publication.models import Photo
from publication.uploads import BROKEN_UPLOAD, refused_upload, upload_error


@requires_csrf_token
def server_error(request):
    """Django's 500 view, saying the site's language like every page without a query."""
    template = loader.get_template("500.html")
    response = HttpResponseServerError(template.render({"language": last_language()}))
    # A CDN that kept an error page would go on showing it after the fault is fixed.
    add_never_cache_headers(response)
    return response


def bad_request(request, exception):
    """Django's 400, except for a form too large to read: 413, saying so and what to do.

    A multipart form (the article's, which can carry a photo) whose text passes
    DATA_UPLOAD_MAX_MEMORY_SIZE is only found out while Django reads it, and answered a
    bare "Bad Request (400)" page: the editor could not tell that nothing was saved, or why.
    """
    if isinstance(exception, RequestDataTooBig):
        limit = filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        message = (
            f"The form holds more than {limit} of text, the most the site reads, so nothing "
            "was saved. Go back and shorten it: images belong in uploads, not pasted into "
            "the text."
        )
        response = HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
        add_never_cache_headers(response)
        return response
    return defaults.bad_request(request, exception)


@require_POST
def editor_image_upload(request):
    """CKEditor 5 image upload: every image becomes a Photo editors can credit later.

    CSRF is enforced by the middleware; the editor sends the token as a header. What is
    refused before this view (CSRF, a broken body) is made JSON by EditorUploadErrorsMiddleware.
    """
    if not request.user.is_authenticated:  # a session that ended while the editor was open
        message = "You were signed out: sign in again in another tab, then add the image again."
        return upload_error(message, 403)
    if not request.user.has_perm("publication.add_photo"):
        return upload_error("You may not upload images.", 403)
    if refused := refused_upload(request):
        return upload_error(refused.message, 413)
    if "upload" not in request.FILES:  # a body cut off before the file, or another form
        return upload_error(BROKEN_UPLOAD, 400)
    field = SafeImageFormField()
    try:
        image = field.clean(request.FILES["upload"])
    except ValidationError as error:
        status = 413 if error.code == "too_large" else 400
        return upload_error(" ".join(error.messages), status)
    try:
        photo = Photo.objects.library_copy(image)
    except ValidationError as error:  # withdrawn: the figure would vanish from the page
        return upload_error(" ".join(error.messages), 409)
    if photo is None:
        try:
            with transaction.atomic():
                photo = Photo.objects.create(image=image, alt_text="")
        except IntegrityError:  # the same image, uploaded at the same moment
            photo = Photo.objects.same_image(image).get()
    return JsonResponse({"url": photo.image.url, "photo_id": photo.pk})


# Uploaded files are re-encoded images (publication.images); nothing else is served, and
# never as HTML, whatever a file's name or bytes say.
MEDIA_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
}
# Uploads and renditions are stored under random or content-hash names (in the file name or
# a folder) that never get new content, so browsers and CDNs may keep them for a year.
IMMUTABLE_NAME = re.compile(r"[0-9a-f]{16,}")


def image_type(name: str) -> str:
    """The content type an uploaded image is served as; Http404 for any other file."""
    content_type = MEDIA_TYPES.get(PurePosixPath(name).suffix.lower())
    if content_type is None:
        raise Http404("Not an image.")
    return content_type


def image_headers(response, content_type: str):
    response["Content-Type"] = content_type
    response["X-Content-Type-Options"] = "nosniff"
    # Even if a browser were tricked into rendering it as a document, it could run nothing.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# The media view's one question, compiled once per process for each shape of name (an
# original's, a rendition's) as articles.search compiles its SQL: building and compiling
# the queryset cost ~0.3 ms of CPU a request, five times running the compiled statement.
STAND_IN_DAY = datetime.date(1901, 2, 3)
STAND_IN_NAMES = {False: "standin.jpg", True: "renditions/standin/0123456789abcdef/full-320.jpg"}


def withdrawn_file_params(name: str, day: datetime.date, db: str) -> list:
    """The parameters of withdrawn_file_sql() for name, in the order the ORM writes them:
    showing_file()'s startswith and JSON contains, prepared as their lookups prepare them."""
    stem = rendition_files.original_stem(name)
    if stem is None:
        return [1, day, name]
    like = connections[db].ops.prep_for_like_query(f"{stem}.") + "%"
    files = Photo._meta.get_field("rendition_files").get_db_prep_value([name], connections[db])
    return [1, day, like, files]


@functools.cache
def withdrawn_file_sql(rendition: bool, db: str) -> str:
    """Photo.objects.license_expired().showing_file(name).exists()'s SQL, checked against
    the parameters withdrawn_file_params() gives, so a Django that writes it otherwise
    fails here, loudly, rather than asking the wrong question."""
    name = STAND_IN_NAMES[rendition]
    queryset = Photo.objects.license_expired(on=STAND_IN_DAY).showing_file(name)
    sql, params = queryset.query.exists().get_compiler(db).as_sql()
    ours = withdrawn_file_params(name, STAND_IN_DAY, db)
    if [getattr(value, "obj", value) for value in params] != [
        getattr(value, "obj", value) for value in ours
    ]:
        raise ImproperlyConfigured(f"The withdrawn-file query changed: {sql} {params}")
    return sql


def is_withdrawn_file(name: str) -> bool:
    """Photo.objects.license_expired().showing_file(name).exists(), from the compiled SQL."""
    db = router.db_for_read(Photo)
    rendition = rendition_files.original_stem(name) is not None
    with connections[db].cursor() as cursor:
        cursor.execute(
            withdrawn_file_sql(rendition, db),
            withdrawn_file_params(name, timezone.localdate(), db),
        )
        return cursor.fetchone() is not None


@require_safe  # it answered TRACE (and any method) with the file
def media(request, path):
    """Serve an uploaded image from MEDIA_ROOT with safe headers (one-machine layout).

    FileResponse hands the open file to the WSGI server (sendfile under gunicorn). With
    S3 storage, MEDIA_URL points at the bucket and this view is not routed.
    """
    content_type = image_type(path)
    if is_withdrawn_file(path):
        # From the lapse on, before the job has taken its files down.
        raise Http404("Withdrawn.")
    try:
        response = static.serve(request, path, document_root=settings.MEDIA_ROOT)
    except OSError:  # a name no file can have (over 255 bytes a part): the OS refuses to look
        raise Http404("No such file.") from None
    response = image_headers(response, content_type)
    if IMMUTABLE_NAME.search(path):
        response["Cache-Control"] = "public, max-age=31536000, immutable"
    else:
        response["Cache-Control"] = "public, max-age=3600"
    return response


def withdrawn_original(photo: Photo) -> FileResponse:
    """A withdrawn photo's original, wherever it is now, for staff deciding to renew or
    replace it (the photo admin checks who asks). Never stored by a browser or a cache."""
    for _ in range(2):
        if photo.withdrawn_file:
            storage, name = storages["withdrawn"], photo.withdrawn_file
        else:  # lapsed, and the job has not moved it yet
            storage, name = photo.image.storage, photo.image.name
        try:
            file = storage.open(name, "rb")
            break
        except FileNotFoundError:
            photo.refresh_from_db(fields=["withdrawn_file"])  # moved as we looked
    else:
        raise Http404("The original is missing from storage.")
    response = image_headers(FileResponse(file), image_type(name))
    add_never_cache_headers(response)
    return response


csp_logger = logging.getLogger("csp.report")
CSP_REPORT_FIELDS = (
    "document-uri",
    "violated-directive",
    "effective-directive",
    "blocked-uri",
    "source-file",
    "line-number",
)


@csrf_exempt
@require_POST
def csp_report(request):
    """Log Content-Security-Policy violations that browsers report (report-uri or report-to).

    Anyone can post here, so only a few short, known fields are logged, without query strings.
    """
    try:
        data = json.loads(request.body[:65536])
    except (ValueError, RecursionError):  # nested deeper than the interpreter allows: "[[[[…"
        return HttpResponseBadRequest("Expected a JSON violation report.")
    reports = data if isinstance(data, list) else [data]
    for item in reports[:10]:
        if not isinstance(item, dict):
            continue
        report = item.get("csp-report") or item.get("body") or {}
        if not isinstance(report, dict):
            continue
        fields = {}
        for name in CSP_REPORT_FIELDS:
            value = report.get(name) or report.get(name.replace("-u", "U").replace("-d", "D"))
            if value is not None:
                fields[name] = redacted_url(str(value))[:300]
        csp_logger.warning("CSP violation", extra={"csp": fields})
    return HttpResponse(status=204)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's form for the emailed link, which also lifts the login lockout on that user
    name: whoever sets a new password from the link owns the mailbox, and the lockout page
    sends locked-out staff here. Without it they waited out the cool-off with a new password."""

    def form_valid(self, form):
        response = super().form_valid(form)
        reset_login_failures(username=form.user.get_username())
        return response


# Asked for at the site's root whatever a page's <head> says: favicon.ico by browsers and
# feed readers, apple-touch-icon*.png by iOS and link previews. Pages link the static
# copies, whose names are hashed in production.
ROOT_ICONS = {
    "favicon.ico": "icons/favicon.ico",
    "apple-touch-icon.png": "icons/apple-touch-icon.png",
    "apple-touch-icon-precomposed.png": "icons/apple-touch-icon.png",
}
# The address never changes with the file, so a day rather than forever.
ROOT_ICON_MAX_AGE = 24 * 60 * 60


@functools.cache
def root_icon(name: str) -> tuple[bytes, str, str]:
    """The file (read from the static folders, in development and production alike), its
    content type and ETag; once per process."""
    path = ROOT_ICONS[name]
    data = Path(finders.find(path)).read_bytes()
    return data, mimetypes.guess_type(path)[0], f'"{hashlib.sha256(data).hexdigest()[:16]}"'


@require_safe
@condition(etag_func=lambda request, name: root_icon(name)[2])
@cache_control(public=True, max_age=ROOT_ICON_MAX_AGE)
def site_icon(request, name):
    data, content_type, _ = root_icon(name)
    return HttpResponse(data, content_type=content_type)


def web_manifest(request):
    """What a phone shows when a reader adds the site to the home screen."""
    site = cached_site_settings()
    icon = {"type": "image/png"}
    manifest = {
        "name": site.name,
        "short_name": site.name,
        "description": site.tagline,
        "lang": site.language,
        "start_url": "/",
        "display": "browser",
        "background_color": "#fbfaf7",  # site.css: --paper and --accent
        "theme_color": "#9b1c1c",
        "icons": [
            {**icon, "src": static_url("icons/icon-192.png"), "sizes": "192x192"},
            {**icon, "src": static_url("img/logo.png"), "sizes": "512x512"},
            # The logo's letter lies well inside the circle a launcher may cut out.
            {**icon, "src": static_url("img/logo.png"), "sizes": "512x512", "purpose": "maskable"},
        ],
    }
    return JsonResponse(manifest, content_type="application/manifest+json")
