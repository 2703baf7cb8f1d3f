"""Whole-page cache for public pages, invalidated exactly by a site-wide content version.

Why one version for the whole site: a page shows many records (chrome, bylines, teasers,
credits, topics), so working out which pages one save touches is where partial schemes
go wrong. Every write to anything public bumps the version instead (shown_on_pages():
a save, a delete, a many-to-many change, and bulk writes through ContentQuerySet); each
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
import gzip
import hashlib
import re
import threading
import time
import uuid
from collections import OrderedDict, defaultdict
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlencode

import redis
from django.apps import apps
from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.core.cache.backends.redis import RedisCache
from django.core.signals import setting_changed
from django.db import models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import Signal, receiver
from django.http import HttpResponse, HttpResponseNotAllowed, HttpResponseNotModified
from django.urls import Resolver404, ResolverMatch, get_resolver
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.encoding import escape_uri_path
from django.utils.http import http_date, parse_http_date_safe

from publication import cdn

VERSION_KEY = "page-cache:version"
_horizons = []


@dataclass(frozen=True)
class ContentVersion:
    token: str
    changed_at: float  # when it was bumped
    next_change: float | None  # when the site changes by itself (a scheduled publish)
    # The Last-Modified of every page under this version, in whole seconds (see
    # _new_version()); None in versions stored before it was kept: int(changed_at).
    modified_second: int | None = None

    def is_due(self, now: float) -> bool:
        return self.next_change is not None and now >= self.next_change

    def last_modified(self, now: float) -> int | None:
        """Last-Modified for a response sent now; None until that second has begun (an
        HTTP date may not lie in the future)."""
        second = int(self.changed_at) if self.modified_second is None else self.modified_second
        return second if second <= now else None


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
    # A CDN keeps pages too: the worker tells it (once for a burst of saves), never the
    # request; a failure to queue that is logged and leaves the save alone.
    if cdn.enabled():
        transaction.on_commit(cdn.purge_everything_soon, robust=True)
    return version


def _new_version() -> ContentVersion:
    now = time.time()
    previous = cache.get(VERSION_KEY)
    if previous is None:
        changed_at, second = now, int(now)
    else:
        # Last-Modified has whole seconds, and If-Modified-Since answers 304 when the
        # copy is as new as the page: a version that started in the same second as the
        # one before would tell a reader holding the old page (same second) it is
        # current. So a version's pages say the second after its change, and say it only
        # once that second has begun: every Last-Modified sent under an earlier version
        # is then older. changed_at never goes back, whichever machine's clock bumps.
        changed_at = max(now, previous.changed_at)
        second = int(changed_at) + 1
    version = ContentVersion(uuid.uuid4().hex, changed_at, next_change(), second)
    cache.set(VERSION_KEY, version, None)
    return version


def forget_content_version() -> None:
    """End every cached page and fragment without reading the database (after
    migrations, or SQL by hand: the tables bumping reads may be missing or mid-change).

    The version is marked due rather than deleted: the next request starts a new one
    after it, so Last-Modified still moves forward (see _new_version()).
    """
    previous = cache.get(VERSION_KEY)
    if previous is not None:
        cache.set(VERSION_KEY, replace(previous, token=uuid.uuid4().hex, next_change=0.0), None)


def current_version() -> ContentVersion:
    # Through the hit path's reader: Django's Redis backend builds a client per call, a
    # tenth of an uncached listing's Python with the fragment read below.
    version = _get_many([VERSION_KEY]).get(VERSION_KEY)
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


def changes_by_itself_at(moment) -> None:
    """This page changes by itself at moment (a datetime), with no write to bump the
    version: the news sitemap, when its oldest article leaves the 48-hour window. It is
    kept no longer, here or by browsers and CDNs. Not a site-wide horizon
    (register_next_change()): articles age out all day, and each would end every page."""
    state = _request_state.get()
    if state is not None and moment is not None:
        at = moment.timestamp()
        state["changes_at"] = min(state.get("changes_at", at), at)


def computed_once(state: dict, name: str, compute):
    """compute() for a request that skips the shared caches, once per request: a share
    link's page read the site chrome twice (its head, then base.html), four queries each."""
    computed = state.setdefault("computed", {})
    if name not in computed:
        computed[name] = compute()
    return computed[name]


def cached_under_version(name: str, compute):
    """compute(), cached until the content version changes (shared pieces of pages)."""
    state = _request_state.get()
    if state is not None and state.get("skip"):
        return computed_once(state, name, compute)
    version = request_version()
    key = f"page-cache:fragment:{release()}:{version.token}:{name}"
    value = _get_many([key]).get(key)
    if value is None:
        value = compute()
        cache.set(key, value, max(lifetime(version, time.time()), 1))
    return value


class ContentQuerySet(models.QuerySet):
    """The queryset of every model public pages show (see shown_on_pages()).

    Signals cover a save() or delete() of one row: the admin's forms and inlines, model
    methods, fixtures. Django sends none for bulk writes, which our code uses where they
    are the right tool (the admin's publish actions, a round-up marked sent by its job,
    renditions stored by theirs, conditional status changes), so these bump the content
    version themselves when they wrote a row. Banning update() instead would leave the
    rule to every future caller; here it holds for each of them, related managers
    (author.links.update(), an m2m through model's bulk_create) included.
    """

    def update(self, **kwargs):
        fields = {self.model._meta.get_field(name).name for name in kwargs}
        if fields.isdisjoint(_followed_fields.get(self.model, ())):
            count = super().update(**kwargs)
        else:
            with transaction.atomic():
                pks = list(self.values_list("pk", flat=True))
                count = super().update(**kwargs)
                if count:
                    rows_updated.send(sender=self.model, pks=pks, fields=fields)
        if count:
            bump_content_version()
        return count

    def bulk_create(self, objs, *args, **kwargs):
        created = super().bulk_create(objs, *args, **kwargs)
        if created:
            bump_content_version()
        return created

    def bulk_update(self, objs, fields, *args, **kwargs):
        count = super().bulk_update(objs, fields, *args, **kwargs)
        if count:
            bump_content_version()
        return count

    def delete(self):
        # Rows deleted one by one send post_delete, but Django deletes without signals
        # when a model has no receivers ("fast delete"): the rule should not depend on it.
        deleted, per_model = super().delete()
        if deleted:
            bump_content_version()
        return deleted, per_model

    delete.alters_data = True
    delete.queryset_only = True


# post_save for update() and bulk_update() (which calls it): sender's rows with these pks
# had these fields written. For rules that follow a field beyond the page cache (an
# author's name in articles' search vectors; publication knows nothing of articles). Sent
# inside the update's transaction, and only for fields someone follows (follow_updates()):
# the rows are looked up only then, so every other update() costs nothing more.
rows_updated = Signal()
_followed_fields = defaultdict(set)


def follow_updates(model, fields, receiver, *, dispatch_uid: str) -> None:
    """Call receiver(sender, pks, fields) after update() or bulk_update() of model's rows
    writes any of fields (names, not attnames)."""
    _followed_fields[model].update(fields)
    rows_updated.connect(receiver, sender=model, dispatch_uid=dispatch_uid)


# Models public pages show, each registered once by shown_on_pages().
_shown_on_pages = []


def shown_on_pages(*page_models) -> None:
    """Declare models whose rows public pages show: any write to them ends every cached
    page and fragment. The one place the content version is wired to writes.

    Saving or deleting a row (post_save, post_delete) and changing any of its
    many-to-many fields (m2m_changed on the through model: add(), remove(), set(),
    clear(), the admin's filter boxes) bump the version. Bulk writes are covered by
    ContentQuerySet, which each of our models here must use for every manager (a test
    checks); taggit's Tag and TaggedItem keep taggit's managers, so our code writes them
    only through save(), delete() and the tag managers (a test checks that too).
    """
    for model in page_models:
        _shown_on_pages.append(model)
        for signal in (post_save, post_delete):
            signal.connect(bump_content_version, sender=model, dispatch_uid="content-version")
        for field in model._meta.many_to_many:
            m2m_changed.connect(
                bump_content_version,
                sender=field.remote_field.through,
                dispatch_uid="content-version",
            )


def models_shown_on_pages() -> list:
    return list(_shown_on_pages)


def public_page(view, *, methods=("GET", "HEAD")):
    """Mark a view whose GET/HEAD responses are the same for every reader: cache them whole.

    Other methods are refused here (405), OPTIONS answered with the allowed ones: function
    views and feeds answered TRACE and PUT with the page itself. methods adds any the view
    takes (the signup form's POST).
    """
    allowed = [*methods, "OPTIONS"]

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method == "OPTIONS":
            response = HttpResponse()
            response["Allow"] = ", ".join(allowed)
            return response
        if request.method not in methods:
            return HttpResponseNotAllowed(allowed)
        return view(request, *args, **kwargs)

    wrapper.public_page = True
    return wrapper


def _get_many(keys: list[str]) -> dict:
    """cache.get_many(keys) for the hit path, without its fixed cost on Redis.

    Django's Redis backend builds a new redis.Redis client for every call (redis-py's
    constructor fills a table of ~170 response callbacks), and the client wraps each
    command in a pool checkout, retries and metrics: together about half of what reading
    the content version cost. The hit path keeps one connection of the backend's pool
    (per backend instance, so per thread) and sends MGET on it directly.
    """
    backend = caches[DEFAULT_CACHE_ALIAS]
    if not isinstance(backend, RedisCache):
        return backend.get_many(keys)
    if not keys:
        return {}
    made_keys = backend.__dict__.setdefault("_page_cache_made_keys", {})
    made = made_keys.get(tuple(keys))
    if made is None:
        made = _keep(made_keys, tuple(keys), [backend.make_key(key) for key in keys])
    values = _mget(backend, made)
    loads = backend._cache._serializer.loads
    found = {}
    for key, value in zip(keys, values, strict=True):
        if value is not None:
            found[key] = _version_from(value, loads) if key == VERSION_KEY else loads(value)
    return found


def _keep(kept: dict, key, value):
    """kept[key] = value, for the hit path's small per-process tables of derived values;
    emptied when full (junk addresses make endless keys)."""
    if len(kept) >= 1024:
        kept.clear()
    kept[key] = value
    return value


# The hit path's tables, kept on the backend instance beside its connection: each cache
# key as the backend spells it, each MGET as sent; and, for the process, the content
# version for the bytes it was last read as. Every hit reads the same few keys and
# almost always the same version: making the keys, packing the command and unpickling
# the version again were a third of reading it.
_versions_read: dict[bytes, ContentVersion] = {}


def _version_from(value: bytes, loads) -> ContentVersion:
    version = _versions_read.get(value)
    if version is None:
        _versions_read.clear()
        version = _versions_read[value] = loads(value)
    return version


def _mget(backend: RedisCache, keys: list[str]) -> list:
    connection = backend.__dict__.get("_page_cache_connection")
    if connection is None:
        pool = backend._cache.get_client().connection_pool
        connection = backend.__dict__["_page_cache_connection"] = pool.get_connection()
    packed_mgets = backend.__dict__.setdefault("_page_cache_packed_mgets", {})
    packed = packed_mgets.get(tuple(keys))
    if packed is None:
        packed = _keep(packed_mgets, tuple(keys), connection.pack_command("MGET", *keys))
    try:
        connection.send_packed_command(packed)
        return connection.read_response()
    except (redis.ConnectionError, redis.TimeoutError):
        # Dropped (Redis restarted, an idle timeout): sending connects again; a second
        # failure is the cache's failure, as it would be through the client.
        connection.disconnect()
        connection.send_packed_command(packed)
        return connection.read_response()


@functools.lru_cache(maxsize=4096)
def _public_match(urlconf: str, path: str) -> ResolverMatch | None:
    """The resolver's match for path when it is a public page's (kept per process: a
    hit must not resolve the address again), else None."""
    try:
        match = get_resolver(urlconf).resolve(path)
    except Resolver404:
        return None
    return match if getattr(match.func, "public_page", False) else None


# The query parameters public pages read: listings' keyset pagination, search's words,
# filters (articles.forms.SearchForm) and page. No other parameter changes a page (its
# canonical address drops them too), so they stay out of the key: "?utm_source=…" and
# "?fbclid=…" links are served the cached page, and a junk parameter per request no
# longer renders the page again and writes two more copies into the cache, pushing
# readers' pages out of it.
PAGE_PARAMETERS = ("after", "before", "page", "q", "section", "kind", "author")


def page_key(request) -> str:
    """The cache key of the page request asks for (both copies: see GZIP_SUFFIX).

    Kept per process for each address as the request spelt it: parsing the query string
    and validating the host took a sixth of a hit's Python. An address is kept only once
    its host passed get_host(), so a refused host is refused every time; a change of
    settings (a test's override) forgets them all.
    """
    spelt = (
        request.scheme,
        request._get_raw_host(),
        request.path,
        request.META.get("QUERY_STRING", ""),
    )
    key = _page_keys.get(spelt)
    if key is None:
        key = _page_key(request)
        if len(_page_keys) >= PAGE_KEYS_KEPT:
            # Junk parameters make endless spellings; starting again is cheap and bounded.
            _page_keys.clear()
        _page_keys[spelt] = key
    return key


PAGE_KEYS_KEPT = 4096
_page_keys: dict[tuple, str] = {}


@receiver(setting_changed)
def _forget_page_keys(**kwargs) -> None:
    _page_keys.clear()


def _page_key(request) -> str:
    # get_host() validates the Host header against ALLOWED_HOSTS (DisallowedHost: a 400),
    # so a cached page is never served to a host the site does not answer for.
    query = urlencode(
        [(name, value) for name in PAGE_PARAMETERS for value in request.GET.getlist(name)]
    )
    url = f"{request.scheme}://{request.get_host()}{escape_uri_path(request.path)}?{query}"
    return f"page-cache:page:{release()}:" + hashlib.sha256(url.encode()).hexdigest()


def release() -> str:
    """Which code renders the pages: pages and fragments are cached apart per release.

    A deploy changes templates, views and static file names without writing a row, and
    during a rolling deploy old and new app servers share the cache: without this, pages
    and fragments (a teaser card inside a new page) rendered by the old code were served
    by the new until the next edit or their lifetime. The content version itself is
    shared, so an edit ends every release's pages. PAGE_CACHE_RELEASE names it (e.g. a
    commit id); otherwise it is a digest of the code and templates, the same on every
    machine running the same checkout.
    """
    return settings.PAGE_CACHE_RELEASE or _code_digest()


@functools.cache
def _code_digest() -> str:
    base = Path(settings.BASE_DIR)
    roots = [
        Path(config.path)
        for config in apps.get_app_configs()
        if Path(config.path).is_relative_to(base) and "site-packages" not in Path(config.path).parts
    ]
    roots += [
        Path(entry[1] if isinstance(entry, (list, tuple)) else entry)
        for entry in settings.STATICFILES_DIRS
    ]
    roots += [Path(folder) for engine in settings.TEMPLATES for folder in engine.get("DIRS", [])]
    files = {
        path
        for root in roots
        for path in root.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }
    digest = hashlib.sha256()
    for path in sorted(files):
        name = path.relative_to(base) if path.is_relative_to(base) else path
        digest.update(f"{name}\0{path.stat().st_size}\0".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def lifetime(version: ContentVersion, now: float, changes_at: float | None = None) -> int:
    """Seconds a page may be kept: capped by the site's next change by itself and by
    the page's own (changes_by_itself_at())."""
    seconds = settings.PAGE_CACHE_SECONDS
    for moment in (version.next_change, changes_at):
        if moment is not None:
            seconds = min(seconds, int(moment - now))
    return max(seconds, 0)


def public_cache_control(seconds: int) -> str:
    # Browsers and CDNs cannot be told about an edit, so they get short lifetimes;
    # none of them may keep a page past the next scheduled publish.
    return (
        f"public, max-age={min(seconds, settings.PAGE_CACHE_MAX_AGE)}, "
        f"s-maxage={min(seconds, settings.PAGE_CACHE_S_MAXAGE)}, "
        f"stale-while-revalidate={settings.PAGE_CACHE_STALE_WHILE_REVALIDATE if seconds else 0}"
    )


def send_public_lifetimes(response) -> None:
    """Pages' browser and CDN lifetimes, now, for an answer that is not a page but is the
    same for every reader (a 404, a redirect's 301): short, and over by the next
    scheduled publish, which may put an article at that address."""
    response["Cache-Control"] = public_cache_control(lifetime(request_version(), time.time()))


def not_modified(request, *, etag: str, last_modified: int | None) -> bool:
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        return etag in {tag.strip() for tag in if_none_match.split(",")} or if_none_match == "*"
    if_modified_since = request.headers.get("if-modified-since")
    if if_modified_since is None or last_modified is None:
        return False
    since = parse_http_date_safe(if_modified_since)
    return since is not None and last_modified <= since


# Headers that belong to one response, not to the page: the request id and the cache's own
# verdict are added per request, and the lifetimes are recomputed on every hit.
PER_REQUEST_HEADERS = {
    "x-request-id",
    "x-page-cache",
    "date",
    "cache-control",
    "etag",
    "last-modified",
}


def storable(request, response) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and same_for_everyone(request, response)
    )


def same_for_everyone(request, response) -> bool:
    """May every reader get these bytes and headers? Only if nothing in them came from
    this reader: no cookie set (a session, a CSRF token in a form, a message), no Vary
    on the cookie (the session or the user was looked at), no CSP nonce (it must be new
    for every response)."""
    cache_control = response.get("Cache-Control", "")
    vary = {part.strip().lower() for part in response.get("Vary", "").split(",") if part.strip()}
    return (
        not response.cookies
        and "private" not in cache_control
        and "no-store" not in cache_control
        and "no-cache" not in cache_control
        and vary <= {"accept-encoding"}
        and getattr(request, "_csp_nonce", None) is None
    )


class PageCacheMiddleware:
    """Serve @public_page responses whole from the cache, from near the top of the stack.

    It sits right after the request log and health check: a hit costs one cache round
    trip (the content version and the page together) and skips sessions, CSRF, auth,
    messages, CSP and the view. Responses are stored as they leave the whole stack, with
    the headers every middleware below added (security headers, CSP, Content-Length), so
    a hit sends what a miss sent. Because the middleware below does not run on a hit, a
    page is stored only when nothing in it depends on the reader (storable()), and a
    request the stack would refuse or redirect is never answered from the cache: the host
    is validated when the key is made, and plain HTTP is left to the HTTPS redirect.

    Each page is stored twice, as is and gzipped (compressed once, not per request), and
    a reader whose client accepts gzip is served the second; both say Vary:
    Accept-Encoding so shared caches keep them apart.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        state = {}
        token = _request_state.set(state)
        try:
            if self.cacheable(request):
                response = self.serve(request, state)
            else:
                response = self.get_response(request)
            if not response.has_header("Cache-Control"):
                self.default_lifetime(request, response)
            return response
        finally:
            _request_state.reset(token)

    @staticmethod
    def default_lifetime(request, response) -> None:
        """Say how long an answer no view gave a lifetime may be kept.

        Shared caches may keep 301, 308, 404, 405 and 410 without being told (RFC 9111's
        heuristic freshness, often hours on a CDN), and browsers keep a 301 for good. When
        it is the same for every reader, such an answer to GET or HEAD gets the pages'
        short public lifetime, capped by the next scheduled publish: an editor publishing
        an address that was a 404, or changing a redirect, is then seen like any other edit,
        while a CDN still absorbs the floods of 404s scanners send (no-cache would pass them
        all to the app servers). Every other error (400, 403, 413, 429, 5xx) depends on the
        request or on a passing state: no cache may keep it. Not stored here: none of them
        is a page.
        """
        status = response.status_code
        if (
            status in (301, 308, 404, 405, 410)
            and request.method in ("GET", "HEAD")
            and same_for_everyone(request, response)
        ):
            send_public_lifetimes(response)
        elif status >= 400:
            add_never_cache_headers(response)

    @staticmethod
    def cacheable(request) -> bool:
        return (
            settings.PAGE_CACHE_ENABLED
            and request.method in ("GET", "HEAD")
            and (request.is_secure() or not settings.SECURE_SSL_REDIRECT)
            # CommonMiddleware refuses these user agents; a hit would not.
            and not settings.DISALLOWED_USER_AGENTS
            and _public_match(settings.ROOT_URLCONF, request.path_info) is not None
        )

    def serve(self, request, state):
        base_key = page_key(request)
        gzipped = bool(ACCEPTS_GZIP.search(request.headers.get("accept-encoding", "")))
        key = base_key + GZIP_SUFFIX if gzipped else base_key
        now = time.time()
        # With a copy of the page in this process, only the version is read (a few bytes);
        # without one, the version and the page come in one round trip.
        kept = _local_pages.get(key)
        found = _get_many([VERSION_KEY] if kept else [VERSION_KEY, key])
        version = found.get(VERSION_KEY)
        if version is None or version.is_due(now):
            version = _new_version()
        state["version"] = version
        if fresh(kept, version, now):
            return self.hit(request, kept, version, now)
        entry = _get_many([key]).get(key) if kept else found.get(key)
        if fresh(entry, version, now):
            _local_pages.put(key, entry)
            return self.hit(request, entry, version, now)

        response = self.get_response(request)
        if not (state.get("public_view") and not state.get("skip") and storable(request, response)):
            return response
        changes_at = state.get("changes_at")
        seconds = lifetime(version, now, changes_at)
        plain, compressed = page_entries(
            response, version=version, expires=now + seconds, changes_at=changes_at
        )
        entry = compressed if gzipped else plain
        if seconds > 0:
            cache.set_many({base_key: plain, base_key + GZIP_SUFFIX: compressed}, seconds)
            _local_pages.put(key, entry)
        return self.respond(request, entry, version, now, "miss")

    def process_view(self, request, view_func, view_args, view_kwargs):
        # The resolver said the path is a public page; this confirms that view answered.
        if getattr(view_func, "public_page", False):
            state = _request_state.get()
            if state is not None:
                state["public_view"] = True

    def hit(self, request, entry, version, now):
        # The view does not run on a hit, so Django does not resolve the address, but the
        # request log needs the match (publication.logs.redacted_path): it resolved the
        # address again by walking the URL patterns, and a hit on any page but the home
        # page ("/", which it skips) cost ~25 % more Python than one on the home page
        # (function calls per request: 747-777 against 597; 599 for every page with this).
        request.resolver_match = _public_match(settings.ROOT_URLCONF, request.path_info)
        return self.respond(request, entry, version, now, "hit")

    @staticmethod
    def respond(request, entry, version, now, verdict):
        last_modified = version.last_modified(now)
        if not_modified(request, etag=entry.etag, last_modified=last_modified):
            response = HttpResponseNotModified()
            stored = [(name, value) for name, value in entry.headers if name.lower() == "vary"]
        else:
            response = HttpResponse(entry.content)
            stored = entry.headers
        # The stored headers were validated when the stack first set them and these are
        # made here, so they go in without validating each again (setting them one by
        # one was most of what building a hit response cost). Lifetimes are recomputed on
        # every hit: they shrink towards the next scheduled publish.
        headers = {
            **{name.lower(): (name, value) for name, value in stored},
            "cache-control": (
                "Cache-Control",
                public_cache_control(lifetime(version, now, entry.changes_at)),
            ),
            "etag": ("ETag", entry.etag),
            "x-page-cache": ("X-Page-Cache", verdict),
        }
        if last_modified is not None:
            headers["last-modified"] = ("Last-Modified", http_date(last_modified))
        response.headers._store = headers
        return response


GZIP_SUFFIX = ":gzip"
# As Django's GZipMiddleware reads the header.
ACCEPTS_GZIP = re.compile(r"\bgzip\b")


@dataclass(frozen=True)
class PageEntry:
    version: str
    expires: float
    etag: str
    content: bytes
    headers: tuple[tuple[str, str], ...]
    changes_at: float | None = None  # see changes_by_itself_at()


def page_entries(response, *, version: ContentVersion, expires: float, changes_at=None):
    """The page as stored: as it is, and gzipped for clients that accept it."""
    patch_vary_headers(response, ("Accept-Encoding",))
    headers = tuple(
        (name, value) for name, value in response.items() if name.lower() not in PER_REQUEST_HEADERS
    )
    content = response.content
    plain = PageEntry(version.token, expires, etag_for(content), content, headers, changes_at)
    if response.has_header("Content-Encoding") or len(content) < 200:
        return plain, plain
    compressed = gzip.compress(content, compresslevel=6, mtime=0)
    if len(compressed) >= len(content):
        return plain, plain
    headers = tuple((name, value) for name, value in headers if name.lower() != "content-length")
    headers += (("Content-Encoding", "gzip"), ("Content-Length", str(len(compressed))))
    gzipped = PageEntry(
        version.token, expires, etag_for(compressed), compressed, headers, changes_at
    )
    return plain, gzipped


def fresh(entry, version: ContentVersion, now: float) -> bool:
    return isinstance(entry, PageEntry) and entry.version == version.token and now < entry.expires


class LocalPages:
    """This process's copy of the pages it served under the current content version.

    The version is still read from the shared cache on every request, and a copy is
    served only when it was stored under that version, so an edit in any process shows
    here on the next request; what the copy saves is fetching and unpickling the page's
    bytes again. All copies share one version: the first page kept under a new one
    drops the rest. Bounded by PAGE_CACHE_LOCAL_BYTES of page bodies, least recently
    used first out; 0 keeps none.
    """

    def __init__(self):
        self.lock = threading.Lock()
        self.clear()

    def clear(self):
        self.entries: OrderedDict[str, PageEntry] = OrderedDict()
        self.token = None
        self.size = 0

    def get(self, key: str) -> PageEntry | None:
        with self.lock:
            entry = self.entries.get(key)
            if entry is not None:
                self.entries.move_to_end(key)
            return entry

    def put(self, key: str, entry: PageEntry) -> None:
        limit = settings.PAGE_CACHE_LOCAL_BYTES
        with self.lock:
            if entry.version != self.token:
                self.clear()
                self.token = entry.version
            old = self.entries.pop(key, None)
            if old is not None:
                self.size -= len(old.content)
            if len(entry.content) > limit:
                return
            self.entries[key] = entry
            self.size += len(entry.content)
            while self.size > limit:
                _, dropped = self.entries.popitem(last=False)
                self.size -= len(dropped.content)


_local_pages = LocalPages()


def etag_for(content: bytes) -> str:
    return '"' + hashlib.sha256(content).hexdigest()[:32] + '"'


def cached_many_under_version(names: list[str], compute) -> dict:
    """cached_under_version() for many pieces in one cache round trip (a listing's cards).

    compute(missing names) returns {name: value} for those it can make; they are stored.
    Keys are cached_under_version()'s, so both read and fill the same fragments.
    """
    state = _request_state.get()
    if state is not None and state.get("skip"):
        return compute(names)
    version = request_version()
    prefix = f"page-cache:fragment:{release()}:{version.token}:"
    keys = {name: prefix + name for name in names}
    found = _get_many(list(keys.values()))
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


# This process's copy of the few small pieces every page shows, for the version they were
# read under: {name: (version token, value)}.
_in_process: dict[str, tuple[str, object]] = {}


def cached_in_process_under_version(name: str, compute):
    """cached_under_version(), also kept in this process until the content version changes.

    For the small pieces every request needs (site chrome, featured articles): the version
    is still read from the shared cache on every request, so an edit in any process shows
    on the next request here too; only the piece itself is not fetched again.
    """
    state = _request_state.get()
    if state is not None and state.get("skip"):
        return computed_once(state, name, compute)
    token = request_version().token
    kept = _in_process.get(name)
    if kept is not None and kept[0] == token:
        return kept[1]
    value = cached_under_version(name, compute)
    _in_process[name] = (token, value)
    return value
