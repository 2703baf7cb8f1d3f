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

A deploy changes templates without a content change: `manage.py serve` queues a purge of
everything as it starts, and `manage.py purge_cdn` sends one at once (docs/deploy.md says
when each is the right one).

The requests are plain HTTP shaped by settings (docs/deploy.md has Cloudflare, bunny.net and
Fastly): `CDN_PURGE_URL` for addresses, with `CDN_PURGE_BODY` (JSON in which `$URLS` stands
for the list), or one request per address where the URL holds `{url}` (the address itself
when it is all of it: Fastly's `PURGE` method, `CDN_PURGE_METHOD`); `CDN_PURGE_ALL_URL` and
`CDN_PURGE_ALL_BODY` for everything; `CDN_PURGE_HEADER` (`Name: value`) carries the token.
CloudFront signs its API requests (AWS SigV4), which no header can: with
`CDN_CLOUDFRONT_DISTRIBUTION_ID` the purges are invalidations made through boto3 (already
here for S3 media), with the usual AWS credentials.
"""

import contextlib
import json
import logging
import urllib.request
import uuid
from collections.abc import Iterator
from urllib.parse import quote, urljoin, urlsplit

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
    return bool(settings.CDN_PURGE_URL or settings.CDN_CLOUDFRONT_DISTRIBUTION_ID)


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
    """These files are gone: queue a purge of their addresses."""
    if not enabled():
        return
    purge_cdn.defer(urls=absolute(addresses))


def absolute(addresses: list[str]) -> list[str]:
    """Addresses as a CDN's API wants them: from SITE_URL when a storage gives a path."""
    base = settings.SITE_URL + "/"
    return [urljoin(base, address) for address in addresses]


@app.task(name=PURGE_TASK, queue="cdn", retry=PURGE_RETRY)
def purge_cdn(*, urls: list[str] | None = None) -> None:
    """The job: send the purge (everything when `urls` is None). A failure is retried."""
    if urls is None:
        cache.delete(QUEUED_KEY)
    send_purge(urls)


def send_purge(urls: list[str] | None) -> None:
    """Purge now (everything when `urls` is None); any failure raises."""
    if settings.CDN_CLOUDFRONT_DISTRIBUTION_ID:
        sent = invalidate_cloudfront(urls)
    else:
        sent = 0
        for request in purge_requests(urls):
            with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT):
                sent += 1  # urlopen raises for an error status
    logger.info(
        "CDN purged %s in %s request(s)",
        "everything" if urls is None else f"{len(urls)} address(es)",
        sent,
    )


def invalidate_cloudfront(urls: list[str] | None) -> int:
    """One CloudFront invalidation of every path (`/*` for everything)."""
    import boto3  # only where CloudFront is configured
    from botocore.config import Config

    paths = ["/*"] if urls is None else list(dict.fromkeys(urlsplit(url).path for url in urls))
    client = boto3.client(
        "cloudfront",
        # CloudFront is global; its API signs as us-east-1 (needed with AWS_ENDPOINT_URL_*).
        region_name="us-east-1",
        config=Config(connect_timeout=REQUEST_TIMEOUT, read_timeout=REQUEST_TIMEOUT),
    )
    client.create_invalidation(
        DistributionId=settings.CDN_CLOUDFRONT_DISTRIBUTION_ID,
        InvalidationBatch={
            "Paths": {"Quantity": len(paths), "Items": paths},
            "CallerReference": uuid.uuid4().hex,
        },
    )
    return 1


def purge_requests(urls: list[str] | None) -> Iterator[urllib.request.Request]:
    headers = {}
    if settings.CDN_PURGE_HEADER:
        name, value = settings.CDN_PURGE_HEADER.split(":", 1)
        headers[name.strip()] = value.strip()
    if urls is None:
        yield purge_request(
            settings.CDN_PURGE_ALL_URL or settings.CDN_PURGE_URL,
            settings.CDN_PURGE_ALL_BODY,
            headers,
        )
    elif "{url}" in settings.CDN_PURGE_URL:
        for url in urls:
            # "{url}" alone: the request goes to the address itself (Fastly, Varnish).
            if settings.CDN_PURGE_URL == "{url}":
                target = url
            else:
                target = settings.CDN_PURGE_URL.replace("{url}", quote(url, safe=""))
            yield purge_request(target, "", headers, method=settings.CDN_PURGE_METHOD)
    else:
        for start in range(0, len(urls), ADDRESSES_PER_REQUEST):
            batch = json.dumps(urls[start : start + ADDRESSES_PER_REQUEST])
            body = settings.CDN_PURGE_BODY.replace("$URLS", batch)
            yield purge_request(
                settings.CDN_PURGE_URL, body, headers, method=settings.CDN_PURGE_METHOD
            )


def purge_request(url: str, body: str, headers: dict, method="POST") -> urllib.request.Request:
    if not body:
        return urllib.request.Request(url, method=method, headers=headers)
    return urllib.request.Request(
        url,
        data=body.encode(),
        method=method,
        headers={"Content-Type": "application/json", **headers},
    )
