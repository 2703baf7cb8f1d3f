"""Whole-page cache for public pages, invalidated exactly by a site-wide content version.

Why one version for the whole site: a page shows many records (chrome, bylines, teasers,
credits, topics), so working out which pages one save touches is where partial schemes
go wrong. Every save or delete of anything public bumps the version instead; each
cached page remembers the version it was rendered under and is served only while the
version is unchanged. Edits are rare next to reads, so the cost (every page is rendered
once more after an edit) is small, and the next request after a save, in any process,
shows the change.

The version also carries the next moment the site changes by itself (a scheduled
article going live): once it has passed, the version is renewed, so no page outlives
it, and each page's lifetime and max-age are capped by it.

Views opt in with @public_page. Only anonymous-looking requests matter to nobody here:
public pages are the same for every visitor (staff see the same bytes), so the cache
never looks at the user, and a response that sets a cookie or says private/no-store is
never stored.
"""

import contextvars
import functools
import hashlib
import time
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import models, transaction
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_cache_control
from django.utils.http import http_date, parse_http_date_safe

VERSION_KEY = "page-cache:version"
SET_PER_RESPONSE = {"content-length", "content-type", "cache-control", "etag", "last-modified"}
_horizons = []


@dataclass(frozen=True)
class ContentVersion:
    token: str
    changed_at: float  # when it was bumped: the Last-Modified of every page under it
    next_change: float | None  # when the site changes by itself (a scheduled publish)

    def is_due(self, now: float) -> bool:
        return self.next_change is not None and now >= self.next_change


def register_next_change(func):
    """Register a callable returning the next datetime the public site changes by itself."""
    _horizons.append(func)
    return func


def next_change() -> float | None:
    moments = [moment.timestamp() for moment in (func() for func in _horizons) if moment]
    return min(moments, default=None)


def bump_content_version(**kwargs) -> ContentVersion:
    """Something public changed: every cached page and fragment is stale from now on.

    Usable as a signal receiver. Bumped at once and again when the transaction commits,
    so a page rendered from not-yet-committed data is not kept under the new version.
    """
    version = _new_version()
    transaction.on_commit(_new_version)
    return version


def _new_version() -> ContentVersion:
    version = ContentVersion(uuid.uuid4().hex, time.time(), next_change())
    cache.set(VERSION_KEY, version, None)
    return version


def current_version() -> ContentVersion:
    version = cache.get(VERSION_KEY)
    if version is None or version.is_due(time.time()):
        version = _new_version()
    return version


# What this request has learnt: the content version (read once), and whether it renders
# unsaved data (a preview) that must not reach the shared cache. Reset by the middleware
# for every request; outside a request (a command) every read asks the cache.
_request_state: contextvars.ContextVar[dict | None] = contextvars.ContextVar(
    "page_cache_request", default=None
)


def request_version() -> ContentVersion:
    state = _request_state.get()
    if state is None:
        return current_version()
    if "version" not in state:
        state["version"] = current_version()
    return state["version"]


def skip_shared_caches() -> None:
    """This response shows unsaved data (a preview): read and fill no shared fragment."""
    state = _request_state.get()
    if state is not None:
        state["skip"] = True


def cached_under_version(name: str, compute):
    """compute(), cached until the content version changes (shared pieces of pages)."""
    state = _request_state.get()
    if state is not None and state.get("skip"):
        return compute()
    version = request_version()
    key = f"page-cache:fragment:{version.token}:{name}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, max(lifetime(version, time.time()), 1))
    return value


class ContentQuerySet(models.QuerySet):
    """For models pages show: bulk updates (admin actions, jobs storing renditions) send
    no post_save, so they bump the content version themselves."""

    def update(self, **kwargs):
        count = super().update(**kwargs)
        bump_content_version()
        return count


def public_page(view):
    """Mark a view whose GET/HEAD responses are the same for every reader: cache them whole."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        return view(*args, **kwargs)

    wrapper.public_page = True
    return wrapper


def page_key(request) -> str:
    url = f"{request.get_host()}{request.get_full_path()}"
    return "page-cache:page:" + hashlib.sha256(url.encode()).hexdigest()


def lifetime(version: ContentVersion, now: float) -> int:
    seconds = settings.PAGE_CACHE_SECONDS
    if version.next_change is not None:
        seconds = min(seconds, int(version.next_change - now))
    return max(seconds, 0)


def add_public_headers(response, *, etag: str, version: ContentVersion, now: float) -> None:
    # Browsers and CDNs cannot be told about an edit, so they get short lifetimes;
    # none of them may keep a page past the next scheduled publish.
    seconds = lifetime(version, now)
    patch_cache_control(
        response,
        public=True,
        max_age=min(seconds, settings.PAGE_CACHE_MAX_AGE),
        s_maxage=min(seconds, settings.PAGE_CACHE_S_MAXAGE),
        stale_while_revalidate=settings.PAGE_CACHE_STALE_WHILE_REVALIDATE if seconds else 0,
    )
    response["ETag"] = etag
    response["Last-Modified"] = http_date(version.changed_at)


def not_modified(request, *, etag: str, last_modified: float) -> bool:
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        return etag in {tag.strip() for tag in if_none_match.split(",")} or if_none_match == "*"
    since = parse_http_date_safe(request.headers.get("if-modified-since", ""))
    return since is not None and int(last_modified) <= since


def storable(response) -> bool:
    cache_control = response.get("Cache-Control", "")
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and "private" not in cache_control
        and "no-store" not in cache_control
        and "no-cache" not in cache_control
    )


class PageCacheMiddleware:
    """Serve and store @public_page responses; place it last so hits pass the others."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request_state.set({})
        try:
            response = self.get_response(request)
        finally:
            _request_state.reset(token)
        entry = getattr(request, "_page_cache", None)
        if entry is None or not storable(response):
            return response
        key, version, now = entry
        etag = '"' + hashlib.sha256(response.content).hexdigest()[:32] + '"'
        add_public_headers(response, etag=etag, version=version, now=now)
        seconds = lifetime(version, now)
        if seconds > 0:
            stored = {
                "version": version.token,
                "expires": now + seconds,
                "etag": etag,
                "content": response.content,
                "content_type": response["Content-Type"],
                "headers": {
                    name: value
                    for name, value in response.items()
                    if name.lower() not in SET_PER_RESPONSE
                },
            }
            cache.set(key, stored, seconds)
        response["X-Page-Cache"] = "miss"
        if not_modified(request, etag=etag, last_modified=version.changed_at):
            return self.not_modified(response)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if (
            not settings.PAGE_CACHE_ENABLED
            or request.method not in ("GET", "HEAD")
            or not getattr(view_func, "public_page", False)
        ):
            return None
        key = page_key(request)
        now = time.time()
        found = cache.get_many([VERSION_KEY, key])
        version = found.get(VERSION_KEY)
        if version is None or version.is_due(now):
            version = _new_version()
        _request_state.get()["version"] = version
        stored = found.get(key)
        if stored and stored["version"] == version.token and now < stored["expires"]:
            response = HttpResponse(stored["content"], content_type=stored["content_type"])
            for name, value in stored["headers"].items():
                response[name] = value
            add_public_headers(response, etag=stored["etag"], version=version, now=now)
            response["X-Page-Cache"] = "hit"
            if not_modified(request, etag=stored["etag"], last_modified=version.changed_at):
                return self.not_modified(response)
            return response
        request._page_cache = (key, version, now)
        return None

    @staticmethod
    def not_modified(response):
        result = HttpResponseNotModified()
        for name in ("Cache-Control", "ETag", "Last-Modified", "Vary"):
            if name in response:
                result[name] = response[name]
        return result


def cached_many_under_version(names: list[str], compute) -> dict:
    """cached_under_version() for many pieces in one cache round trip (a listing's cards).

    compute(missing names) returns {name: value} for those it can make; they are stored.
    Keys are cached_under_version()'s, so both read and fill the same fragments.
    """
    state = _request_state.get()
    if state is not None and state.get("skip"):
        return compute(names)
    version = request_version()
    keys = {name: f"page-cache:fragment:{version.token}:{name}" for name in names}
    found = cache.get_many(list(keys.values()))
    values = {name: found[key] for name, key in keys.items() if key in found}
    missing = [name for name in names if name not in values]
    if missing:
        made = compute(missing)
        cache.set_many(
            {keys[name]: value for name, value in made.items()},
            max(lifetime(version, time.time()), 1),
        )
        values.update(made)
    return values
