import codecs
import hashlib
import logging
import re
import time
import unicodedata
import uuid
from tempfile import SpooledTemporaryFile
from urllib.parse import unquote_to_bytes

from csp.middleware import CSPMiddleware
from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.db import transaction
from django.http import (
    Http404,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponsePermanentRedirect,
    HttpResponseRedirect,
)
from django.template.defaultfilters import filesizeformat
from django.urls import Resolver404, is_valid_path, resolve
from django.utils.cache import add_never_cache_headers
from django.utils.http import parse_header_parameters

from publication.db import hold_lock
from publication.logs import redacted_path, request_id_var
from publication.models import Redirect
from publication.page_cache import send_public_lifetimes

request_logger = logging.getLogger("publication.requests")
REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")

STAFF_HINT_COOKIE = "staff_hint"


class StaffHintMiddleware:
    """Tell the browser (not the server) that the visitor is staff.

    Public pages must be identical for everyone so they can be cached whole, so
    they never look at the session. Instead, admin responses set a harmless
    cookie that a script on public pages reads to reveal "edit" links; the admin
    behind those links checks permissions as usual.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith("/admin/"):
            if request.user.is_authenticated and request.user.is_staff:
                # Not secret (a script reads it), but on an HTTPS site it never travels
                # over plain HTTP, like the session cookie.
                response.set_cookie(
                    STAFF_HINT_COOKIE, "1", samesite="Lax", secure=settings.SESSION_COOKIE_SECURE
                )
            elif STAFF_HINT_COOKIE in request.COOKIES:
                response.delete_cookie(STAFF_HINT_COOKIE, samesite="Lax")
        return response


# A year lookup ("…__year=" in an admin list's filters) makes the year's first and last
# moments in Python: a year outside 1-9999 raised ValueError or OverflowError (a 500).
YEAR_LOOKUP = re.compile(r"__(?:iso_)?year(?:__(?:exact|gte?|lte?))?$")
YEAR = re.compile(r"[1-9][0-9]{0,3}")
# No admin page links to a regular-expression lookup ("…__regex=", "…__iregex="), and
# PostgreSQL refuses a malformed pattern ("(") with an error (a 500) while a well-formed
# one can make it backtrack for minutes: a query to refuse, not to run.
REGEX_LOOKUP = re.compile(r"__i?regex$")


class ControlCharacterMiddleware:
    """No address with a control character exists: answer 404 before any view sees it.
    An admin query that no database could answer is a bad request (400): a NUL anywhere in
    it, a year lookup with no such year, or a regular expression.

    A NUL byte in a slug reached PostgreSQL, which refuses NUL in text, and became a 500;
    so did one in an admin list's filter or an autocomplete box's search term.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if any(unicodedata.category(character) == "Cc" for character in request.path):
            raise Http404("No such page.")
        # Public views read few parameters and tidy them (search drops control characters);
        # the admin turns any parameter into a database lookup.
        admin = request.path.startswith("/admin/")
        if admin and request.META.get("QUERY_STRING") and not self.answerable(request.GET):
            return HttpResponseBadRequest("Bad query.", content_type="text/plain")
        return self.get_response(request)

    @staticmethod
    def answerable(query) -> bool:
        for name, values in query.lists():
            if "\x00" in name or any("\x00" in value for value in values):
                return False
            if YEAR_LOOKUP.search(name) and not all(YEAR.fullmatch(value) for value in values):
                return False
            if REGEX_LOOKUP.search(name):
                return False
        return True


# Django decodes form fields with errors="replace", whatever the request's encoding says;
# this codec (the request's encoding for multipart bodies) is UTF-8 that ignores that and
# refuses bytes that are not UTF-8, which Utf8Middleware then answers with a 400.
STRICT_UTF8 = "meridian_strict_utf_8"


def _strict_utf8_codec(name):
    if name != STRICT_UTF8:
        return None
    return codecs.CodecInfo(
        name=STRICT_UTF8,
        encode=codecs.utf_8_encode,
        decode=lambda data, errors="strict": codecs.utf_8_decode(data, "strict", True),
    )


codecs.register(_strict_utf8_codec)

NOT_UTF8 = (
    "This request held text that is not valid UTF-8 (in its address or a form field), "
    "so nothing was stored. Send it again as UTF-8, as every browser does."
)


class Utf8Middleware:
    """Text reaches the site only as UTF-8: a query string or form field holding bytes that
    are not UTF-8 (raw or percent-encoded) is refused with a 400 before any view sees it.

    Django decodes such bytes to U+FFFD ("\ufffd") and carries on: a signup name was stored
    as three of them. Browsers send our forms and links as UTF-8, so only a broken or
    hostile client meets this. JSON bodies (the CSP report) are refused by their own view.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            self.check(request)
        except UnicodeDecodeError:
            return HttpResponseBadRequest(NOT_UTF8, content_type="text/plain; charset=utf-8")
        return self.get_response(request)

    @staticmethod
    def check(request) -> None:
        # Percent-decoding the whole string at once is enough: "&", "=" and "+" are ASCII,
        # which never falls inside a UTF-8 sequence, so it is valid only if every part is.
        unquote_to_bytes(request.META.get("QUERY_STRING", "").encode("iso-8859-1")).decode()
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return
        if request.content_type == "application/x-www-form-urlencoded":
            unquote_to_bytes(request.body).decode()
        elif request.content_type == "multipart/form-data":
            request.encoding = STRICT_UTF8
            request.POST  # noqa: B018 (parses the fields and files here, where the error is caught)


class RequestLogMiddleware:
    """First middleware: give each request an id and log one line when it is answered.

    The id comes from the proxy's X-Request-ID when it looks like one, so a request can be
    followed from the load balancer to the logs; it is echoed back in the response.
    It never looks at request.user: that would read the session on public pages.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("x-request-id", "")
        request_id = incoming if REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        # Reset when the response is finished (publication.apps), after Django's own
        # django.request line for a 5xx, which should carry the id too.
        request_id_var.set(request_id)
        started = time.perf_counter()
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        if request.method == "HEAD":
            drop_body(response)
        request_logger.info(
            "request",
            extra={
                "method": request.method,
                "path": redacted_path(request),
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            },
        )
        return response


def drop_body(response) -> None:
    """A HEAD answer keeps the GET's headers (Content-Length too) and sends no body.

    Django leaves that to the server; gunicorn drops the body but logs a warning for each
    one, so every HEAD probe of /healthz or of a photo added a WARNING line to the logs.
    """
    if response.streaming:
        response.streaming_content = []  # an open file is still closed with the response
    else:
        response.content = b""


class HealthCheckMiddleware:
    """Answer GET /healthz for load balancers: 200 when the primary database and the cache
    answer, else 503. An unreachable read replica is named in the body ("degraded") but
    answers 200: the primary serves its reads meanwhile.

    It runs before host validation and the HTTPS redirect (probes come by IP over plain
    HTTP) and before sessions and CSRF, so it never sets a cookie; it only reads.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path != "/healthz" or request.method not in {"GET", "HEAD"}:
            return self.get_response(request)
        from publication.health import check_health

        health = check_health()
        response = HttpResponse(
            health.text(),
            content_type="text/plain; charset=utf-8",
            status=503 if health.problems else 200,
        )
        add_never_cache_headers(response)
        return response


class RequestSizeLimitMiddleware:
    """Refuse oversized bodies with 413 from their Content-Length, before reading them.

    Django itself only notices on reading and answers 400. Form posts without files are
    held to DATA_UPLOAD_MAX_MEMORY_SIZE, uploads to REQUEST_MAX_BODY_BYTES. A chunked body
    (no Content-Length) has been read up to that limit by ChunkedBodyMiddleware, which
    gives it the length it has.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.refusal(request)
        if response is None:
            return self.get_response(request)
        # Above the page cache, whose default lifetimes (no-store for errors) miss these.
        add_never_cache_headers(response)
        return response

    @staticmethod
    def refusal(request):
        try:
            length = int(request.headers.get("content-length") or 0)
        except ValueError:
            return HttpResponseBadRequest("Bad Content-Length.", content_type="text/plain")
        limit = body_limit(request.content_type)
        if limit is not None and length > limit:
            message = f"Request body too large: at most {filesizeformat(limit)}."
            return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
        return None


def body_limit(content_type: str) -> int | None:
    """The most bytes a request body of this content type may hold."""
    if content_type == "multipart/form-data":
        return settings.REQUEST_MAX_BODY_BYTES
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


class ChunkedBodyMiddleware:
    """WSGI middleware (publication.wsgi): give Django a chunked request body, which has no
    Content-Length, as a body with one.

    gunicorn decodes chunked bodies and says the input ends by itself (wsgi.input_terminated),
    but Django reads only CONTENT_LENGTH bytes: an upload sent chunked to the editor or the
    admin arrived empty and was answered "no file". The body is read here into a spooled
    file (on disk past FILE_UPLOAD_MAX_MEMORY_SIZE, as Django's uploads are), at most one
    byte past the limit of its content type; RequestSizeLimitMiddleware answers a longer
    one 413 from the length it then has, without reading the rest.
    """

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        if (
            "CONTENT_LENGTH" in environ
            or not environ.get("wsgi.input_terminated")
            or "chunked" not in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        ):
            return self.application(environ, start_response)
        content_type, _ = parse_header_parameters(environ.get("CONTENT_TYPE", ""))
        limit = body_limit(content_type)
        with SpooledTemporaryFile(max_size=settings.FILE_UPLOAD_MAX_MEMORY_SIZE) as body:
            length = 0
            while limit is None or length <= limit:
                piece = environ["wsgi.input"].read(64 * 1024)
                if not piece:
                    break
                body.write(piece)
                length += len(piece)
            body.seek(0)
            # The request (and any upload read from it) is done when the application returns.
            environ = {**environ, "wsgi.input": body, "CONTENT_LENGTH": str(length)}
            return self.application(environ, start_response)


class SecurityHeadersMiddleware:
    """Headers Django's SecurityMiddleware does not set."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class RedirectFallbackMiddleware:
    """Answer a "not found" with a permanent redirect when the address has moved: a
    changed slug or an editor's redirect. Pages that answer never query the table."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 404 or request.method not in ("GET", "HEAD"):
            return response
        target = Redirect.objects.target_for(
            request.path, slash_appended=self.slash_would_be_appended(request)
        )
        if target is None:
            return response
        if query := request.META.get("QUERY_STRING"):
            target += ("&" if "?" in target else "?") + query
        response = HttpResponsePermanentRedirect(target)
        # Without a lifetime, browsers keep a 301 for good: an editor changing or deleting
        # a redirect (or moving a slug back) would never reach readers who followed it.
        send_public_lifetimes(response)
        return response

    @staticmethod
    def slash_would_be_appended(request) -> bool:
        """CommonMiddleware's test for its APPEND_SLASH redirect, which runs after this."""
        path, urlconf = request.path_info, getattr(request, "urlconf", None)
        return (
            settings.APPEND_SLASH
            and not path.endswith("/")
            and not is_valid_path(path, urlconf)
            and is_valid_path(path + "/", urlconf)
        )


# How long an added form's answer is kept for a repeat of it (a reload's "send again").
ADD_FORM_REPEAT_SECONDS = 600


class OneAddPerFormMiddleware:
    """An admin "Add" form sent twice adds one record: the second of two identical posts
    (a double click, a resend after a slow answer, the browser's "send again" on reload)
    waits for the first to finish and goes where the first went.

    Twenty identical "Add round-up" posts made twenty round-ups, and two "Add article"
    posts two articles ("x" and "x-2"). Identical means the same user, address and
    fields (the form's CSRF token included, so two separately opened forms never match);
    files by name and size.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = self.repeat_key(request)
        if key is None:
            return self.get_response(request)
        with transaction.atomic():
            hold_lock(key)  # until the first post's record and its answer are committed
            if (location := cache.get(key)) is not None:
                messages.info(request, "That form was sent twice; it was saved once.")
                return HttpResponseRedirect(location)
            response = self.get_response(request)
            if response.status_code == 302:  # saved: a form with errors answers 200
                cache.set(key, response["Location"], ADD_FORM_REPEAT_SECONDS)
        return response

    @staticmethod
    def repeat_key(request) -> str | None:
        if request.method != "POST" or not request.path.startswith("/admin/"):
            return None
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return None
        if match.namespace != "admin" or not (match.url_name or "").endswith("_add"):
            return None
        if not request.user.is_authenticated:
            return None
        digest = hashlib.sha256(f"{request.user.pk}\n{request.path}".encode())
        for name, values in sorted(request.POST.lists()):
            digest.update(repr((name, values)).encode("utf-8", "backslashreplace"))
        for name, files in sorted(request.FILES.lists()):
            digest.update(repr((name, [(file.name, file.size) for file in files])).encode())
        return f"admin-add:{digest.hexdigest()}"


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, plus what the admin's editor needs on top of the strict policy.

    CKEditor 5 sets style attributes from its script (panel positions, image sizes); style
    attributes cannot run code, and nonces cannot cover them, so the admin alone allows
    them (CONTENT_SECURITY_POLICY_ADMIN). Scripts stay 'self' everywhere.
    """

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if request.path.startswith("/admin/") and not report_only:
            parts.update = {**settings.CONTENT_SECURITY_POLICY_ADMIN, **(parts.update or {})}
        return parts
