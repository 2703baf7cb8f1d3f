"""Which stored media file an address points at, whatever form the address takes."""

import posixpath
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.http.request import validate_host


def is_our_host(host: str) -> bool:
    """Whether the site answers to this host: SITE_URL's, or one DJANGO_ALLOWED_HOSTS lets
    in (the admin may be reached under another name than the public site). A wildcard
    "*" would make every host on the web ours, so it counts for nothing here."""
    site = urlsplit(settings.SITE_URL).hostname
    allowed = [pattern for pattern in settings.ALLOWED_HOSTS if pattern != "*"]
    # As Django sees a Host header: an IPv6 address keeps its brackets.
    bracketed = f"[{host}]" if ":" in host else host
    return bool(host) and (host == site or validate_host(bracketed, allowed))


def media_name(url: str) -> str | None:
    """The storage name of the media file an address points at, or None for any other.

    Editors paste images with the address their browser shows: relative ("/media/…"),
    absolute with the site's or the admin's host, protocol-relative, percent-encoded,
    with a query string or a fragment. All of them name the same file.
    """
    try:
        parts = urlsplit((url or "").strip())
        media = urlsplit(settings.MEDIA_URL)
        host = (parts.hostname or "").lower()
        parts.port  # noqa: B018 (raises for a port that is not a number)
    except ValueError:  # e.g. "http://[::1" or a port that is not a number
        return None
    if parts.scheme not in {"", "http", "https"}:
        return None
    if media.netloc:  # object storage or a CDN: only its own host
        if host != (media.hostname or "").lower():
            return None
    elif parts.netloc and not is_our_host(host):
        return None
    # "/media/photos/../photos/a.jpg" is "/media/photos/a.jpg"; normpath drops a trailing
    # slash, which no file name has.
    path = posixpath.normpath(unquote(parts.path)) if parts.path else ""
    prefix = media.path if media.path.endswith("/") else media.path + "/"
    if not path.startswith(prefix) or len(path) == len(prefix):
        return None
    return path[len(prefix) :]
