"""What the newsletter tests share: subscribers, a signup POST, a real job worker."""

import itertools
import re
import smtplib

from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection
from django.test import TransactionTestCase
from django.urls import reverse
from django.utils import timezone
from procrastinate.contrib.django import app

from newsletter.forms import form_token
from newsletter.models import RateCounter, Subscriber
from newsletter.validators import mailbox_key, normalize_email

_numbers = itertools.count(1)
ORIGIN = "http://testserver"


def make_subscriber(email=None, **overrides) -> Subscriber:
    email = email or f"reader{next(_numbers)}@example.com"
    status = overrides.setdefault("status", Subscriber.Status.CONFIRMED)
    if status == Subscriber.Status.CONFIRMED:
        overrides.setdefault("confirmed_at", timezone.now())
    if status == Subscriber.Status.UNSUBSCRIBED:
        overrides.setdefault("unsubscribed_at", timezone.now())
    overrides.setdefault("source", "footer")
    email = normalize_email(email)  # stored as a signup stores it
    return Subscriber.objects.create(email=email, mailbox_key=mailbox_key(email), **overrides)


def signup(client, email, *, name="", headers=None, ip="127.0.0.1", **fields):
    data = {"email": email, "name": name, "website": "", "token": form_token(), "source": "footer"}
    return client.post(
        reverse("newsletter:signup"),
        {**data, **fields},
        headers={"Origin": ORIGIN, "Referer": f"{ORIGIN}/articles/some-story/", **(headers or {})},
        REMOTE_ADDR=ip,
    )


def confirm_token_in(text: str) -> str:
    """The token of the confirmation link in an email.

    Compare what it confirms, not its text: the signature includes the second it was made.
    """
    return re.search(r"/newsletter/confirm/([^/\s\"]+)/", text).group(1)


def run_jobs():
    """Run every due job for real, against the test database, then return."""
    with app.replace_connector(app.connector.get_worker_connector()):
        app.run_worker(
            queues=["mail"], wait=False, install_signal_handlers=False, listen_notify=False
        )


class FailingEmailBackend(BaseEmailBackend):
    """A mail server that is down."""

    def open(self):
        raise smtplib.SMTPConnectError(421, "Service not available")

    def send_messages(self, email_messages):
        self.open()


class RefusingEmailBackend(BaseEmailBackend):
    """A mail server that is up but refuses every message."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPRecipientsRefused({"x@example.com": (550, b"No such user")})


class JobsTestCase(TransactionTestCase):
    """For tests that run jobs: the worker reads committed data from its own connections.

    Procrastinate's tables are not Django-managed, so the flush between tests
    leaves them alone: empty them here.
    """

    def setUp(self):
        RateCounter.objects.all().delete()
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE procrastinate_jobs, procrastinate_periodic_defers CASCADE")
