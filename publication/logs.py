"""One JSON line per log event on stdout, with the request id; no email addresses or tokens.

Used by Django's LOGGING and by gunicorn's own logs (gunicorn.conf.py), so an operator's
log shipper reads one format.
"""

import contextvars
import json
import logging
import re
import time
from urllib.parse import urlsplit, urlunsplit

request_id_var = contextvars.ContextVar("request_id", default="-")

EMAIL = re.compile(r"[\w.+%-]+@[\w-]+(\.[\w-]+)+")
# Secrets by their shape, for addresses no route matched (a link with a trailing ">" or
# line break pasted from a mail, a missing final slash) and other sites' URLs: Django's
# signed values (share, confirm and unsubscribe links) end in ":" and a 43-character
# signature; password-reset tokens are a base-36 time, "-" and 32 hex digits.
SIGNED_VALUE = re.compile(r"[A-Za-z0-9_-]*(?::[A-Za-z0-9_-]+)*:[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])")
RESET_TOKEN = re.compile(r"(?<![A-Za-z0-9])[0-9a-z]{1,13}-[0-9a-f]{32}(?![A-Za-z0-9])")
# URL keyword arguments that are secrets: confirmation, unsubscribe, share and
# password-reset links must not end up in log files.
SECRET_URL_KWARGS = {"token", "uidb64"}
FIELDS = ("method", "path", "status", "duration_ms", "csp")


def json_stdout_logging(**loggers) -> dict:
    """A logging dictConfig writing JSON lines to stdout; `loggers` adds "root"/"loggers"."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "publication.logs.JsonFormatter"}},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
                "formatter": "json",
            }
        },
        **loggers,
    }


def scrub(text: str) -> str:
    text = RESET_TOKEN.sub("[redacted]", SIGNED_VALUE.sub("[redacted]", text))
    return EMAIL.sub("[email]", text)


def redacted_path(request) -> str:
    path = request.path
    match = getattr(request, "resolver_match", None)
    if match is not None:
        for name, value in match.kwargs.items():
            if name in SECRET_URL_KWARGS and value:
                path = path.replace(str(value), "[redacted]")
    return scrub(path)


def install_request_id_factory() -> None:
    """Stamp every log record with the current request id when it is created."""
    make_record = logging.getLogRecordFactory()
    if getattr(make_record, "adds_request_id", False):
        return

    def record_with_request_id(*args, **kwargs):
        record = make_record(*args, **kwargs)
        record.request_id = request_id_var.get()
        return record

    record_with_request_id.adds_request_id = True
    logging.setLogRecordFactory(record_with_request_id)


def redacted_url(url: str) -> str:
    """A URL without its query string, and without secret tokens when it is one of ours."""
    from django.urls import Resolver404, resolve

    parts = urlsplit(url)
    path = parts.path
    try:
        match = resolve(path)
    except Resolver404:
        match = None
    if match is not None:
        for name, value in match.kwargs.items():
            if name in SECRET_URL_KWARGS and value:
                path = path.replace(str(value), "[redacted]")
    return scrub(urlunsplit((parts.scheme, parts.netloc, path, "", "")))


class JsonFormatter(logging.Formatter):
    def format(self, record):
        message = record.getMessage()
        request = getattr(record, "request", None)
        if request is not None and hasattr(request, "path"):
            # django.request puts the raw path in its messages ("Internal Server Error: /...").
            message = message.replace(request.path, redacted_path(request))
        event = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", request_id_var.get()),
            "msg": scrub(message),
        }
        for field in FIELDS:
            if hasattr(record, field):
                event[field] = getattr(record, field)
        if request is not None and "path" not in event and hasattr(request, "path"):
            event["method"] = request.method
            event["path"] = redacted_path(request)
        if record.exc_info:
            event["exc"] = scrub(self.formatException(record.exc_info))
        line = json.dumps(event, ensure_ascii=False, default=str)
        # A lone surrogate (JSON from a client may hold "\ud800") cannot be written as
        # UTF-8: the stream refused the whole line. Escaped, it stays valid JSON.
        return line.encode("utf-8", "backslashreplace").decode("utf-8")
