"""Small security helpers that settings point at."""

import hashlib
import math
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import forms as auth_forms
from django.core.cache import cache
from django.core.validators import MaxLengthValidator
from django.shortcuts import render


def client_ip(request) -> str:
    """The reader's address: REMOTE_ADDR, or the proxy's header when one is configured.

    The same header as the newsletter's rate limits (NEWSLETTER_CLIENT_IP_HEADER), so one
    setting describes the proxy.
    """
    header = settings.NEWSLETTER_CLIENT_IP_HEADER
    value = request.META.get(header)
    if not value:
        return request.META.get("REMOTE_ADDR", "")
    # Each of our proxies appends the address it saw; anything before is the client's word.
    # Behind two (a CDN, then a load balancer) the last address is the CDN's, shared by
    # every reader it serves: CLIENT_IP_PROXY_COUNT says how many to count back.
    addresses = [address.strip() for address in value.split(",")]
    return addresses[-min(settings.CLIENT_IP_PROXY_COUNT, len(addresses))]


# One password reset email per address per this many seconds, however often it is asked for.
PASSWORD_RESET_EMAIL_GAP = 15 * 60


class LoginForm(AdminAuthenticationForm):
    """The admin's sign-in (and the sign-in again before a save), holding the user name to
    its column's length. Django sets the field's max_length after making it, so only the
    browser enforced it: a longer name reached django-axes, whose record of the failed
    attempt has room for 255 characters, and the page answered 500."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["username"]
        field.validators.append(MaxLengthValidator(field.max_length))


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's staff password reset, with the link built from SITE_URL and at most one
    email per address every PASSWORD_RESET_EMAIL_GAP.

    Django builds the link from the request's Host header: any port on an allowed host
    went into the email ("http://www.example.org:6666/admin/reset/…"). And anyone could
    send a staff member a reset email per request, filling their mailbox from our server.
    The page answers the same either way, so the limit tells nobody anything.
    """

    def save(self, **kwargs):
        site = urlsplit(settings.SITE_URL)
        super().save(
            **{**kwargs, "domain_override": site.netloc, "use_https": site.scheme == "https"}
        )

    def send_mail(self, *args, **kwargs):
        to_email = args[4] if len(args) > 4 else kwargs["to_email"]
        key = "password-reset-sent:" + hashlib.sha256(to_email.lower().encode()).hexdigest()
        # add() writes only when the key is absent: one sender wins, however many race.
        if cache.add(key, True, PASSWORD_RESET_EMAIL_GAP):
            super().send_mail(*args, **kwargs)


# Caches each process keeps to itself: what one process writes, the others never see.
PER_PROCESS_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}


def shared_cache_check(app_configs=None, **kwargs):
    """check --deploy: the default cache must be shared by every process (the database
    cache, or Redis). With one per process, the password-reset email limit and the page
    cache's content version would be counted per process: a worker would go on serving
    pages an edit in another ended, and each could send its own reset email."""
    from django.core import checks

    backend = settings.CACHES["default"]["BACKEND"]
    if backend not in PER_PROCESS_CACHES:
        return []
    return [
        checks.Warning(
            f"The default cache ({backend}) is not shared between processes.",
            hint="Leave DJANGO_CACHE_BACKEND unset (the database cache) or set REDIS_URL.",
            id="publication.W001",
        )
    ]


def clear_own_login_failures(sender, request, user, **kwargs):
    """On a good sign-in, forget that user name's failed attempts (typos), and only those."""
    from axes.utils import reset

    reset(username=user.get_username())


def lockout_response(request, original_response=None, credentials=None):
    """django-axes' lockout page (AXES_LOCKOUT_CALLABLE), inside the admin: axes renders
    its template without the admin's context, so the page said "Django administration"."""
    from axes.helpers import get_cool_off, get_failure_limit
    from django.contrib import admin

    context = {
        **admin.site.each_context(request),
        "title": "Too many failed logins",
        "failure_limit": get_failure_limit(request, credentials),
        "cooloff_minutes": math.ceil(get_cool_off(request).total_seconds() / 60),
    }
    return render(
        request,
        "registration/locked_out.html",
        context,
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
