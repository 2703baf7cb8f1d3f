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

# An address's local part is a whole run of its characters (an "@" is not one of them), so
# a match starts where a run starts, or right where the previous address ended ("a@b.c+d@e.f"
# is two). Tried from every character of a run, as re.sub does, each try eating the rest of
# the run, a 4,000-character path with an "@" cost ~25 ms to log: redact_emails() tries
# the end of the previous match, then run starts only.
EMAIL = re.compile(r"[\w.+%-]+@[\w-]+(?:\.[\w-]+)+")
EMAIL_AT_RUN_START = re.compile(r"(?<![\w.+%-])" + EMAIL.pattern)
# Secrets by their shape, for addresses no route matched (a link with a trailing ">" or
# line break pasted from a mail, a missing final slash) and other sites' URLs: Django's
# signed values (share, confirm and unsubscribe links) end in ":" and a 43-character
# signature; password-reset tokens are a base-36 time, "-" and 32 hex digits.
# A signed value starts where a chain of ":"-joined runs starts (the lookbehinds): not
# inside a run, and not after "x:" at a run, whose chain the try from its start already
# walked (an empty part, "::", breaks a chain, so a try may start at its second ":").
# Tried from every character, each try eating the rest of the chain, it was quadratic: a
# 4,000-character path with a ":" cost ~260 ms to log, "a:a:a:…" still ~50 ms.
SIGNED_VALUE = re.compile(
    r"(?<![A-Za-z0-9_-])(?:(?<![A-Za-z0-9_-]:)|(?=:))"
    r"[A-Za-z0-9_-]*(?::[A-Za-z0-9_-]+)*:[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])"
)
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
        "filters": {
            "one_line_per_login_failure": {"()": "publication.logs.AxesRepeatFilter"},
            "job_outcomes": {"()": "publication.logs.JobLogFilter"},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
                "formatter": "json",
                # On the handler: the worker logs through a child logger named after it.
                "filters": ["job_outcomes"],
            }
        },
        **loggers,
    }


def scrub(text: str) -> str:
    # Each pattern runs only on text that holds the character it needs: every request is
    # logged, and a page's path (a long article slug) has neither (~10 µs a request).
    if ":" in text:
        text = SIGNED_VALUE.sub("[redacted]", text)
    text = RESET_TOKEN.sub("[redacted]", text)
    return redact_emails(text) if "@" in text else text


def redact_emails(text: str) -> str:
    """EMAIL.sub("[email]", text), in time linear in the text's length."""
    parts, done = [], 0
    while match := EMAIL.match(text, done) or EMAIL_AT_RUN_START.search(text, done):
        parts += (text[done : match.start()], "[email]")
        done = match.end()
    return "".join(parts) + text[done:]


def redacted_path(request) -> str:
    return redacted(request.path, getattr(request, "resolver_match", None))


def redacted(path: str, match=None) -> str:
    """path without the secrets in it (tokens, email addresses).

    An address no route answers is matched to the nearest route: with its slash added
    (the 301 CommonMiddleware sends for a link missing it) or without its last segments
    (a link with something stuck on the end, a 404), so the token in it is found too.
    """
    from django.urls import Resolver404, resolve

    candidate = path if path.endswith("/") else path + "/"
    while match is None and candidate.count("/") > 2:
        try:
            match = resolve(candidate)
        except Resolver404:
            candidate = candidate[: candidate.rstrip("/").rindex("/") + 1]
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
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, redacted(parts.path), "", ""))


class AxesRepeatFilter(logging.Filter):
    """One line per failed admin sign-in: axes adds a second, "Locking out …", to every
    attempt from the limit on, which the request's own line already says (status 429).
    axes masks the user name and the address in both (AXES_SENSITIVE_PARAMETERS)."""

    def filter(self, record):
        return not record.getMessage().startswith("AXES: Locking out")


class JobLogFilter(logging.Filter):
    """Of the job worker's INFO lines, the ones an operator acts on: a job that failed and
    will be retried (a mail server outage shows here at once, not a day later when the
    last retry fails, which is an ERROR), and the worker starting and stopping. Its start
    and success lines for every job (the stalled-job check alone runs every 15 seconds)
    are left out."""

    KEPT = {"job_error_retry", "job_aborted_retry", "job_aborted", "start_worker", "stop_worker"}

    def filter(self, record):
        return (
            not record.name.startswith("procrastinate")
            or record.levelno >= logging.WARNING
            or getattr(record, "action", None) in self.KEPT
        )


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
        # A refused request (django.security.*: a bad query, a bad host) is explained by its
        # message; the traceback would be Django's own frames, several kB per scanner probe.
        if record.exc_info and not record.name.startswith("django.security."):
            event["exc"] = scrub(self.formatException(record.exc_info))
        line = json.dumps(event, ensure_ascii=False, default=str)
        # A lone surrogate (JSON from a client may hold "\ud800") cannot be written as
        # UTF-8: the stream refused the whole line. Escaped, it stays valid JSON.
        return line.encode("utf-8", "backslashreplace").decode("utf-8")
