"""Multi-step writes with side effects: signup, confirmation, sending, export, import."""

import contextlib
import csv
import datetime
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import get_connection
from django.db import connection, transaction
from django.db.models import Case, Count, F, Max, Q, Value, When
from django.utils import timezone
from procrastinate.exceptions import AlreadyEnqueued

from newsletter import exchange, mail, tasks
from newsletter.models import Delivery, ExportLog, Roundup, Subscriber
from newsletter.validators import mailbox_key, normalize_email, validate_mailing_address
from publication.models import SiteSettings

logger = logging.getLogger(__name__)

# A run of failures this long means the mail server, not the addresses, is the problem.
MAX_CONSECUTIVE_FAILURES = 5


def lock_mailbox(key: str) -> None:
    """Serialise, until the transaction ends, everything done to one mailbox.

    Two signups for the same address (or "A@x" and "a+news@x") at the same moment
    then run one after the other: one row, and the send cap counted correctly.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [f"nl:{key}"])


def subscriber_signup(
    *, email: str, name: str = "", source: str, signup_page: str = "", consent_text: str
) -> Subscriber:
    """Record a signup and queue a confirmation email, whatever state the address was in.

    New addresses become pending. An unsubscribed address stays unsubscribed, with
    the signup held as a request to resubscribe that only its confirmation link
    applies (a forged signup changes nothing). Pending addresses and held requests
    get another confirmation email within the per-mailbox cap; confirmed ones are
    left alone. Callers show the same page in every case.
    """
    email = normalize_email(email)
    key = mailbox_key(email)
    now = timezone.now()
    with transaction.atomic():
        lock_mailbox(key)
        subscriber = Subscriber.objects.with_email(email).select_for_update().first()
        if subscriber is None:
            subscriber = Subscriber.objects.create(
                email=email,
                name=name,
                mailbox_key=key,
                source=source,
                signup_page=signup_page,
                consent_text=consent_text,
                signed_up_at=now,
            )
        elif (
            subscriber.status == Subscriber.Status.UNSUBSCRIBED
            and subscriber.resubscribe_requested_at is None
        ):
            # Links sent before this request stop working; later signups reuse it.
            subscriber.resubscribe_requested_at = now
            subscriber.resubscribe_name = name
            subscriber.resubscribe_source = source
            subscriber.resubscribe_page = signup_page
            subscriber.resubscribe_consent_text = consent_text
            subscriber.save()
        if subscriber.awaiting_confirmation:
            confirmation_queue(subscriber=subscriber, now=now)
    return subscriber


def confirmation_queue(*, subscriber: Subscriber, now: datetime.datetime) -> Delivery | None:
    """Queue a confirmation email unless the mailbox had its share; call under lock_mailbox()."""
    recent = Delivery.objects.filter(
        kind=Delivery.Kind.CONFIRMATION,
        mailbox_key=subscriber.mailbox_key,
        created_at__gte=now - datetime.timedelta(days=1),
    ).aggregate(count=Count("pk"), last=Max("created_at"))
    if recent["count"] >= settings.NEWSLETTER_CONFIRMATIONS_PER_DAY:
        return None
    interval = datetime.timedelta(seconds=settings.NEWSLETTER_CONFIRMATION_INTERVAL)
    if recent["last"] and now - recent["last"] < interval:
        return None
    delivery = Delivery.objects.create(
        kind=Delivery.Kind.CONFIRMATION,
        subscriber=subscriber,
        to_email=subscriber.email,
        mailbox_key=subscriber.mailbox_key,
        created_at=now,
    )
    tasks.send_delivery.defer(delivery_id=delivery.pk)
    return delivery


def subscriber_confirm(*, subscriber: Subscriber) -> Subscriber:
    """Confirm the signup that `subscriber` was read for, from its confirmation link.

    Confirming twice changes nothing. A link sent before an unsubscribe never
    resubscribes; the link sent for a later signup does, and that signup becomes
    the consent record.
    """
    with transaction.atomic():
        current = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
        if current.signup_to_confirm_at != subscriber.signup_to_confirm_at:
            return current  # another signup or an unsubscribe came in meanwhile
        now = timezone.now()
        if current.status == Subscriber.Status.PENDING:
            current.status, current.confirmed_at = Subscriber.Status.CONFIRMED, now
            current.save(update_fields=["status", "confirmed_at", "updated_at"])
        elif current.awaiting_confirmation:
            current.status, current.confirmed_at = Subscriber.Status.CONFIRMED, now
            current.name = current.resubscribe_name or current.name
            current.source = current.resubscribe_source
            current.signup_page = current.resubscribe_page
            current.consent_text = current.resubscribe_consent_text
            current.signed_up_at = current.resubscribe_requested_at
            current.unsubscribed_at = None
            for name, value in CLEARED_RESUBSCRIBE_REQUEST.items():
                setattr(current, name, value)
            current.save()
    return current


# A request to resubscribe, withdrawn or applied.
CLEARED_RESUBSCRIBE_REQUEST = {
    "resubscribe_requested_at": None,
    "resubscribe_name": "",
    "resubscribe_source": "",
    "resubscribe_page": "",
    "resubscribe_consent_text": "",
}


def subscriber_unsubscribe(*, subscriber: Subscriber) -> None:
    """Suppress the address for good (until it opts in again); repeating is harmless."""
    subscribers_unsubscribe(queryset=Subscriber.objects.filter(pk=subscriber.pk))


def subscribers_unsubscribe(*, queryset) -> int:
    """Unsubscribe every address in queryset with one UPDATE; return how many changed.

    Also withdraws a pending request to resubscribe, so that its confirmation link
    stops working; an earlier unsubscribe keeps its date.
    """
    now = timezone.now()
    unsubscribed = Q(status=Subscriber.Status.UNSUBSCRIBED)
    return queryset.filter(~unsubscribed | Q(resubscribe_requested_at__isnull=False)).update(
        status=Subscriber.Status.UNSUBSCRIBED,
        unsubscribed_at=Case(When(unsubscribed, then=F("unsubscribed_at")), default=Value(now)),
        updated_at=now,
        **CLEARED_RESUBSCRIBE_REQUEST,
    )


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


def roundup_send_test(*, roundup: Roundup, email: str) -> Delivery:
    with transaction.atomic():
        delivery = Delivery.objects.create(
            kind=Delivery.Kind.TEST, roundup=roundup, to_email=email, mailbox_key=mailbox_key(email)
        )
        tasks.send_delivery.defer(delivery_id=delivery.pk)
    return delivery


def roundup_send(*, roundup: Roundup) -> bool:
    """Start sending to every confirmed subscriber; False if it was already started."""
    with transaction.atomic():
        roundup = Roundup.objects.select_for_update().get(pk=roundup.pk)
        if roundup.status != Roundup.Status.DRAFT:
            return False
        roundup.status, roundup.send_started_at = Roundup.Status.SENDING, timezone.now()
        roundup.save(update_fields=["status", "send_started_at"])
        tasks.roundup_prepare.defer(roundup_id=roundup.pk)
    return True


def roundup_prepare(*, roundup_id: int) -> int:
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
        tasks.roundup_send_batch.configure(
            lock=f"roundup-{roundup.pk}", queueing_lock=f"roundup-{roundup.pk}"
        ).defer(roundup_id=roundup.pk)


def roundup_send_batch(*, roundup_id: int) -> int:
    """Send up to NEWSLETTER_BATCH_SIZE queued copies; return how many remain queued.

    Each copy is claimed (status "sending", committed) just before it is handed to
    the mail server and marked sent just after, so a crash can leave at most the
    one copy in flight as "sending": it is never sent again (at most once), and
    everything still "queued" is picked up when sending resumes.
    """
    roundup = Roundup.objects.get(pk=roundup_id)
    pending = Delivery.objects.filter(
        roundup=roundup, kind=Delivery.Kind.ROUNDUP, status=Delivery.Status.QUEUED
    )
    batch = list(
        pending.select_related("subscriber").order_by("pk")[: settings.NEWSLETTER_BATCH_SIZE]
    )
    if batch:
        articles, site = mail.roundup_articles(roundup), SiteSettings.load()
        backend = get_connection()
        backend.open()  # raises if the server is down: nothing claimed, the job retries
        try:
            roundup_send_copies(
                batch, roundup=roundup, articles=articles, site=site, backend=backend
            )
        finally:
            backend.close()
    remaining = pending.count()
    if not remaining and not roundup.deliveries.filter(status=Delivery.Status.QUEUED).exists():
        Roundup.objects.filter(pk=roundup.pk, status=Roundup.Status.SENDING).update(
            status=Roundup.Status.SENT, sent_at=timezone.now()
        )
    return remaining


def roundup_send_copies(batch, *, roundup, articles, site, backend) -> None:
    failures = 0
    for delivery in batch:
        claimed = Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.QUEUED).update(
            status=Delivery.Status.SENDING, attempts=F("attempts") + 1
        )
        if not claimed:
            continue
        if delivery.subscriber.status != Subscriber.Status.CONFIRMED:
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


def roundup_retry_failed(*, roundup: Roundup) -> int:
    """Queue the failed copies again and resume sending."""
    with transaction.atomic():
        count = roundup.deliveries.filter(
            kind=Delivery.Kind.ROUNDUP, status=Delivery.Status.FAILED
        ).update(status=Delivery.Status.QUEUED)
        Roundup.objects.filter(pk=roundup.pk, status=Roundup.Status.SENT).update(
            status=Roundup.Status.SENDING
        )
        roundup_continue(roundup=roundup)
    return count


# Export and import ---------------------------------------------------------------------


def subscribers_for_export(*, statuses: Iterable[str] | None = None, since=None):
    """Unsubscribed addresses are left out unless asked for by status."""
    statuses = list(statuses or [Subscriber.Status.PENDING, Subscriber.Status.CONFIRMED])
    queryset = Subscriber.objects.filter(status__in=statuses)
    if since:
        queryset = queryset.filter(signed_up_at__gte=since)
    return queryset


def export_log_start(*, user, via: str, filters: dict) -> ExportLog:
    return ExportLog.objects.create(user=user, via=via, filters=filters)


class _Echo:
    def write(self, value):
        return value


def subscribers_export_csv(queryset, *, log: ExportLog, chunk_rows: int = 1000) -> Iterator[str]:
    """CSV text in chunks, read through a server-side cursor: memory stays flat.

    The export log gets its row count when the last row has been produced.
    """
    writer = csv.writer(_Echo())
    yield writer.writerow(exchange.EXPORT_HEADER)
    rows = queryset.order_by("pk").values_list(*exchange.EXPORT_FIELDS).iterator(chunk_size=2000)
    count, lines = 0, []
    for row in rows:
        lines.append(writer.writerow(exchange.export_cells(row)))
        count += 1
        if len(lines) >= chunk_rows:
            yield "".join(lines)
            lines = []
    if lines:
        yield "".join(lines)
    ExportLog.objects.filter(pk=log.pk).update(row_count=count, finished_at=timezone.now())


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[tuple[int, str, str]] = field(default_factory=list)


def subscribers_import(
    *, rows: Iterable[tuple[int, dict]], default_source: str = "import"
) -> ImportReport:
    """Create or update subscribers from exported rows (ours, Mailchimp's, Ghost's).

    Idempotent: an address already here is matched case-insensitively and never
    duplicated. An unsubscribed address stays unsubscribed; an imported unsubscribe
    suppresses an address we have; a pending address may be upgraded to confirmed.
    """
    report = ImportReport()
    for line_number, raw in rows:
        email = exchange.raw_email(raw)
        try:
            record = exchange.import_record(raw)
            record["email"] = normalize_email(record["email"])
            validate_mailing_address(record["email"])
        except exchange.RowError as exc:
            report.rejected.append((line_number, email, str(exc)))
            continue
        except ValidationError as exc:
            report.rejected.append((line_number, email, " ".join(exc.messages)))
            continue
        if "source" not in raw:  # Mailchimp and Ghost exports have no such column
            record["source"] = default_source
        outcome = subscriber_import_one(record)
        setattr(report, outcome, getattr(report, outcome) + 1)
    return report


def subscriber_import_one(record: dict) -> str:
    key = mailbox_key(record["email"])
    with transaction.atomic():
        lock_mailbox(key)
        subscriber = Subscriber.objects.with_email(record["email"]).select_for_update().first()
        if subscriber is None:
            Subscriber.objects.create(
                mailbox_key=key,
                signed_up_at=record.get("signed_up_at") or timezone.now(),
                **{k: v for k, v in record.items() if k != "signed_up_at"},
            )
            return "created"
        statuses = Subscriber.Status
        if record["status"] == statuses.UNSUBSCRIBED and subscriber.status != statuses.UNSUBSCRIBED:
            subscriber.status = statuses.UNSUBSCRIBED
            subscriber.unsubscribed_at = record.get("unsubscribed_at") or timezone.now()
        elif record["status"] == statuses.CONFIRMED and subscriber.status == statuses.PENDING:
            subscriber.status = statuses.CONFIRMED
            subscriber.confirmed_at = record.get("confirmed_at") or timezone.now()
        else:
            return "unchanged"
        subscriber.save()
        return "updated"
