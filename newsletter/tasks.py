"""What the job worker runs (`manage.py procrastinate worker`): sending confirmation and
test emails, preparing a round-up and sending it in batches, resuming after a crash.

The request side (`services.py`) only writes rows and defers these jobs in the same
transaction; nothing here is called from a request, and nothing here imports services.
"""

import contextlib

from django.conf import settings
from django.core.mail import get_connection
from django.db import connection
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from procrastinate import RetryStrategy
from procrastinate.contrib.django import app
from procrastinate.contrib.django.models import ProcrastinateJob
from procrastinate.exceptions import AlreadyEnqueued
from procrastinate.job_context import AbortReason

from newsletter import mail
from newsletter.models import Delivery, Roundup, Subscriber
from publication.models import SiteSettings
from publication.tasks import with_fresh_connection

# Procrastinate waits exponential_wait ** (attempts + 1) seconds: 8 retries waiting 4 s,
# 16 s, 64 s … 4.6 h and 18 h, so the last try comes about a day after the first. That
# outlasts a mail-server outage while a confirmation link (valid a week) is still useful.
MAIL_RETRY = RetryStrategy(max_attempts=8, exponential_wait=4)

# A run of failures this long means the mail server, not the addresses, is the problem.
MAX_CONSECUTIVE_FAILURES = 5


# The jobs. Their names are stored with queued jobs: never rename them.


@app.task(name="newsletter.send_delivery", queue="mail", retry=MAIL_RETRY)
@with_fresh_connection
def send_delivery(*, delivery_id: int) -> None:
    """A confirmation email or a round-up test copy."""
    delivery_send(delivery_id=delivery_id)


@app.task(name="newsletter.roundup_prepare", queue="mail", retry=MAIL_RETRY)
@with_fresh_connection
def roundup_prepare(*, roundup_id: int) -> None:
    roundup_deliveries_create(roundup_id=roundup_id)
    roundup_continue(roundup=Roundup.objects.get(pk=roundup_id))


@app.task(name="newsletter.roundup_send_batch", queue="mail", retry=MAIL_RETRY, pass_context=True)
@with_fresh_connection
def roundup_send_batch(context, *, roundup_id: int) -> None:
    def stopping() -> bool:
        # The worker was told to stop (a deploy, SIGTERM): settings.PROCRASTINATE_WORKER_DEFAULTS
        return context.abort_reason() == AbortReason.SHUTDOWN

    if roundup_batch_send(roundup_id=roundup_id, stopping=stopping):
        roundup_continue(roundup=Roundup.objects.get(pk=roundup_id))


# Every 15 seconds (croniter's sixth field): with workers' 10-second heartbeats and the
# 30-second stall threshold, a job left by a dead worker runs again well within a
# minute of a worker being up (every 5 minutes, it took up to 4.5).
STALLED_CHECK_CRON = "* * * * * */15"
STALLED_AFTER_SECONDS = 30


@app.periodic(cron=STALLED_CHECK_CRON)
@app.task(
    name="newsletter.retry_stalled_jobs", queueing_lock="retry_stalled_jobs", pass_context=True
)
async def retry_stalled_jobs(context, timestamp):
    """Put back jobs whose worker died (no heartbeat), so a crash only delays sending."""
    manager = context.app.job_manager
    for job in await manager.get_stalled_jobs(seconds_since_heartbeat=STALLED_AFTER_SECONDS):
        await manager.retry_job(job)


# The work they do.


def delivery_send(*, delivery_id: int) -> None:
    """Send one confirmation or test email; raise on failure so the job is retried."""
    delivery = Delivery.objects.select_related("subscriber", "roundup").get(pk=delivery_id)
    if delivery.status in {Delivery.Status.SENT, Delivery.Status.SKIPPED}:
        return
    if delivery.kind == Delivery.Kind.CONFIRMATION:
        if not delivery.subscriber.awaiting_confirmation:
            delivery.status = Delivery.Status.SKIPPED
            delivery.save(update_fields=["status"])
            return
        message = mail.confirmation_message(delivery.subscriber)
    else:
        articles = mail.roundup_articles(delivery.roundup)
        message = mail.roundup_message(
            delivery.roundup, articles=articles, subscriber=None, to=delivery.to_email
        )
    delivery.attempts += 1
    try:
        message.send()
    except Exception as exc:
        delivery.status, delivery.error = Delivery.Status.FAILED, describe(exc)
        delivery.save(update_fields=["status", "error", "attempts"])
        raise
    delivery.status, delivery.error, delivery.sent_at = Delivery.Status.SENT, "", timezone.now()
    delivery.save(update_fields=["status", "error", "attempts", "sent_at"])


def describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:2000]


def roundup_deliveries_create(*, roundup_id: int) -> int:
    """One queued delivery per confirmed subscriber; running it again adds no duplicates."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {Delivery._meta.db_table}
                (kind, status, subscriber_id, roundup_id, to_email, mailbox_key,
                 attempts, error, created_at)
            SELECT %s, %s, s.id, %s, s.email, s.mailbox_key, 0, '', now()
            FROM {Subscriber._meta.db_table} s
            WHERE s.status = %s
            ON CONFLICT (roundup_id, subscriber_id) WHERE kind = 'roundup' DO NOTHING
            """,
            [
                Delivery.Kind.ROUNDUP,
                Delivery.Status.QUEUED,
                roundup_id,
                Subscriber.Status.CONFIRMED,
            ],
        )
        return cursor.rowcount


def roundup_continue(*, roundup: Roundup) -> None:
    """Queue the next batch unless one is already waiting (resume after a crash or a fix)."""
    with contextlib.suppress(AlreadyEnqueued):
        roundup_send_batch.configure(
            lock=roundup.batch_lock, queueing_lock=roundup.batch_lock
        ).defer(roundup_id=roundup.pk)


def roundup_batch_running(*, roundup: Roundup) -> bool:
    """A worker is sending one of this round-up's batches right now."""
    return ProcrastinateJob.objects.filter(
        lock=roundup.batch_lock, status="doing", task_name=roundup_send_batch.name
    ).exists()


def roundup_batch_send(*, roundup_id: int, stopping=lambda: False) -> int:
    """Send up to NEWSLETTER_BATCH_SIZE queued copies; return how many remain queued.

    Each copy is claimed (status "sending", committed) just before it is handed to
    the mail server and marked sent just after, so a crash can leave at most the
    one copy in flight as "sending": it is never sent again (at most once), and
    everything still "queued" is picked up when sending resumes.

    When stopping() says the worker is stopping, the batch ends after the copy in hand
    and the rest stay queued for the next batch job, which any worker then picks up: a
    batch took up to 200 copies × the mail server's time, longer than `serve` and a
    service manager wait, and a worker killed mid-copy left that copy unresolved.
    """
    roundup = Roundup.objects.get(pk=roundup_id)
    pending = roundup.copies(Delivery.Status.QUEUED)
    batch = list(
        pending.select_related("subscriber").order_by("pk")[: settings.NEWSLETTER_BATCH_SIZE]
    )
    if batch:
        articles, site = mail.roundup_articles(roundup), SiteSettings.load()
        backend = get_connection()
        backend.open()  # raises if the server is down: nothing claimed, the job retries
        try:
            roundup_copies_send(
                batch,
                roundup=roundup,
                articles=articles,
                site=site,
                backend=backend,
                stopping=stopping,
            )
        finally:
            backend.close()
    remaining = pending.count()
    # Copies interrupted mid-send ("sending") are unresolved: staff decide whether to send
    # them again, and until then the round-up is not "sent".
    unresolved = Q(status=Delivery.Status.QUEUED) | Q(
        kind=Delivery.Kind.ROUNDUP, status=Delivery.Status.SENDING
    )
    if not remaining and not roundup.deliveries.filter(unresolved).exists():
        # A retry's end keeps the first date: the archive lists the issue by when readers got it.
        Roundup.objects.filter(pk=roundup.pk, status=Roundup.Status.SENDING).update(
            status=Roundup.Status.SENT, sent_at=Coalesce("sent_at", Value(timezone.now()))
        )
    return remaining


def roundup_copies_send(batch, *, roundup, articles, site, backend, stopping) -> None:
    failures = 0
    for delivery in batch:
        if stopping():
            return
        claimed = Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.QUEUED).update(
            status=Delivery.Status.SENDING, attempts=F("attempts") + 1
        )
        if not claimed:
            continue
        if not delivery.subscriber.is_confirmed:
            Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.Status.SKIPPED)
            continue
        message = mail.roundup_message(
            roundup,
            articles=articles,
            subscriber=delivery.subscriber,
            to=delivery.to_email,
            site=site,
        )
        message.connection = backend
        try:
            message.send()
        except Exception as exc:
            failures += 1
            Delivery.objects.filter(pk=delivery.pk).update(
                status=Delivery.Status.FAILED, error=describe(exc)
            )
            if failures >= MAX_CONSECUTIVE_FAILURES:
                raise
            continue
        failures = 0
        Delivery.objects.filter(pk=delivery.pk).update(
            status=Delivery.Status.SENT, sent_at=timezone.now(), error=""
        )
