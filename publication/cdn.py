"""Telling a CDN in front of the site to drop its copies, from the job worker.

Public pages are kept by shared caches for `PAGE_CACHE_S_MAXAGE` and photos for a year
(their names never change while they exist), so a CDN serves an edit late and a withdrawn
photo long after we deleted it unless told. Two events tell it:

- content changed (page_cache.bump_content_version(): any save of anything public):
  "purge everything", as the page cache does on the server, for the same reason (which
  pages one save touches is where partial schemes go wrong). Coalesced: the job waits
  `CDN_PURGE_DELAY_SECONDS`, and while one waits no second is queued, so an editor's
  burst of saves (or an import) makes one purge.
- a photo's files were withdrawn (Photo.withdraw_files()): those addresses.

Never in the request: a save queues a job (one insert, on commit, and only when none
waits), the worker sends it. A CDN that fails or does not answer fails the job, which is
retried with growing waits; the save never waits for it. Off while `CDN_PURGE_URL` is unset.

The requests are plain HTTP POSTs shaped by settings (docs/deploy.md has Cloudflare,
bunny.net and Fastly): `CDN_PURGE_URL` for addresses, with `CDN_PURGE_BODY` (JSON in which
`$URLS` stands for the list), or one request per address where the URL holds `{url}`;
`CDN_PURGE_ALL_URL` and `CDN_PURGE_ALL_BODY` for everything; `CDN_PURGE_HEADER`
(`Name: value`) carries the token.
"""

import contextlib
import json
import logging
import urllib.request
from collections.abc import Iterator
from urllib.parse import quote, urljoin

from django.conf import settings
from django.core.cache import cache
from procrastinate import RetryStrategy
from procrastinate.contrib.django import app
from procrastinate.exceptions import AlreadyEnqueued

logger = logging.getLogger("publication.cdn")

PURGE_TASK = "publication.purge_cdn"
# Held by the one "purge everything" job waiting to run (procrastinate's queueing lock).
EVERYTHING_LOCK = "cdn-purge-everything"
# Set while that job waits: later saves skip even trying to queue it (an insert each).
QUEUED_KEY = "cdn-purge:everything-queued"
# Waits 25 s, 2 min, 10 min, 52 min, 4 h 20 min: a CDN API outage of an afternoon is
# ridden out. Meanwhile pages in the CDN are as late as PAGE_CACHE_S_MAXAGE at most; a
# withdrawn photo's files stay there until purged, which the WARNING line still names.
PURGE_RETRY = RetryStrategy(max_attempts=6, exponential_wait=5)
# A purge API answers within a second or two; a hung one fails the try, to be retried.
REQUEST_TIMEOUT = 15
# Cloudflare takes at most 30 addresses per call on most plans: a photo has more files.
ADDRESSES_PER_REQUEST = 30


def enabled() -> bool:
    return bool(settings.CDN_PURGE_URL)


def purge_everything_soon() -> None:
    """Content changed: queue one purge of everything, unless one is waiting already.

    Called on commit of every content change; a failure to queue is logged by
    on_commit(robust=True) and never undoes or fails the save.
    """
    if not enabled():
        return
    delay = settings.CDN_PURGE_DELAY_SECONDS
    # The queueing lock alone makes one job; the flag spares the rest of a burst the
    # insert it would refuse (a read costs one query; the database cache's add() four).
    # The job clears it as it starts (and it ends when the job is due at the latest), so
    # a save made while the purge is being sent queues the next one.
    if delay:
        if cache.get(QUEUED_KEY):
            return
        cache.set(QUEUED_KEY, True, delay)
    with contextlib.suppress(AlreadyEnqueued):
        purge_cdn.configure(queueing_lock=EVERYTHING_LOCK, schedule_in={"seconds": delay}).defer()


def purge_addresses(addresses: list[str]) -> None:
    """These files are gone: queue a purge of their addresses (absolute, from SITE_URL
    when the storage gives a path)."""
    if not enabled():
        return
    base = settings.SITE_URL + "/"
    purge_cdn.defer(urls=[urljoin(base, address) for address in addresses])


@app.task(name=PURGE_TASK, queue="cdn", retry=PURGE_RETRY)
def purge_cdn(*, urls: list[str] | None = None) -> None:
    """Send the purge (everything when `urls` is None). Any failure raises: retried."""
    if urls is None:
        cache.delete(QUEUED_KEY)
    sent = 0
    for request in purge_requests(urls):
        with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT):
            sent += 1  # urlopen raises for an error status
    logger.info(
        "CDN purged %s in %s request(s)",
        "everything" if urls is None else f"{len(urls)} address(es)",
        sent,
    )


def purge_requests(urls: list[str] | None) -> Iterator[urllib.request.Request]:
    headers = {}
    if settings.CDN_PURGE_HEADER:
        name, value = settings.CDN_PURGE_HEADER.split(":", 1)
        headers[name.strip()] = value.strip()
    if urls is None:
        yield post(
            settings.CDN_PURGE_ALL_URL or settings.CDN_PURGE_URL,
            settings.CDN_PURGE_ALL_BODY,
            headers,
        )
    elif "{url}" in settings.CDN_PURGE_URL:
        for url in urls:
            yield post(settings.CDN_PURGE_URL.replace("{url}", quote(url, safe="")), "", headers)
    else:
        for start in range(0, len(urls), ADDRESSES_PER_REQUEST):
            batch = json.dumps(urls[start : start + ADDRESSES_PER_REQUEST])
            yield post(
                settings.CDN_PURGE_URL, settings.CDN_PURGE_BODY.replace("$URLS", batch), headers
            )


def post(url: str, body: str, headers: dict) -> urllib.request.Request:
    if not body:
        return urllib.request.Request(url, method="POST", headers=headers)
    return urllib.request.Request(
        url,
        data=body.encode(),
        method="POST",
        headers={"Content-Type": "application/json", **headers},
    )
