"""Request-side writes: signup, confirmation, unsubscribe, and queueing mail for the worker.

Each one commits its rows and defers the job that acts on them in one transaction; what
the worker then runs lives in `tasks.py`. CSV export and import live in `subscriber_csv.py`.
"""

import datetime
import functools

from django.conf import settings
from django.db import connections, router, transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from newsletter import tasks
from newsletter.models import Delivery, Roundup, Subscriber
from newsletter.validators import mailbox_key, normalize_email
from publication.db import Statement, hold_lock, statement


def lock_mailbox(key: str) -> None:
    """Serialise, until the transaction ends, everything done to one mailbox.

    Two signups for the same address (or "A@x" and "a+news@x") at the same moment
    then run one after the other: one row, and the send cap counted correctly.
    """
    hold_lock(f"nl:{key}")


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
        subscriber = locked_subscriber(email)
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
        elif subscriber.is_unsubscribed and subscriber.resubscribe_requested_at is None:
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


# The signup's two reads, compiled once per process from their querysets with stand-ins
# (publication.db.statement): building and compiling them took a fifth of the POST's
# Python, more than PostgreSQL's part. Values no real signup has.
STAND_INS = {
    "email": "stand-in@compiled.invalid",
    "mailbox_key": "stand-in-mailbox@compiled.invalid",
    "since": datetime.datetime(1901, 2, 3, 4, 5, 6, 789, tzinfo=datetime.UTC),
}


@functools.cache
def locked_subscriber_statement() -> Statement:
    queryset = Subscriber.objects.with_email(STAND_INS["email"]).select_for_update()
    return statement(queryset[:1], {"email": STAND_INS["email"]})


def locked_subscriber(email: str) -> Subscriber | None:
    """Subscriber.objects.with_email(email).select_for_update().first(), compiled once."""
    compiled = locked_subscriber_statement()
    db = router.db_for_write(Subscriber)
    with connections[db].cursor() as cursor:
        cursor.execute(compiled.sql, compiled.values({"email": email.lower()}))
        row = cursor.fetchone()
    # The ORM selects a model's concrete fields in their order: from_db() takes them so.
    return None if row is None else Subscriber.from_db(db, None, row)


@functools.cache
def recent_confirmations_statement() -> Statement:
    queryset = Delivery.objects.filter(
        kind=Delivery.Kind.CONFIRMATION,
        mailbox_key=STAND_INS["mailbox_key"],
        created_at__gte=STAND_INS["since"],
    ).values_list("created_at", "subscriber_id", "status")
    return statement(queryset, {name: STAND_INS[name] for name in ("mailbox_key", "since")})


def recent_confirmations(mailbox_key: str, since: datetime.datetime) -> list[tuple]:
    """(created_at, subscriber_id, status) of the mailbox's confirmation emails since."""
    compiled = recent_confirmations_statement()
    with connections[router.db_for_read(Delivery)].cursor() as cursor:
        cursor.execute(compiled.sql, compiled.values({"mailbox_key": mailbox_key, "since": since}))
        return cursor.fetchall()


def confirmation_queue(*, subscriber: Subscriber, now: datetime.datetime) -> Delivery | None:
    """Queue a confirmation email unless the mailbox had its share; call under lock_mailbox().

    Within the gap after the mailbox's last confirmation the email is not dropped but
    deferred to when the gap ends; its delivery is dated then, so the gap and the daily
    cap count it.
    """
    day_ago = now - datetime.timedelta(days=1)
    interval = datetime.timedelta(seconds=settings.NEWSLETTER_CONFIRMATION_INTERVAL)
    this_signup_since = max(now - interval, subscriber.signup_to_confirm_at)
    # The mailbox's few recent emails in one plain query, counted here: an aggregate and
    # an exists() cost twice the Python (building and compiling them) on the signup POST.
    sent = recent_confirmations(subscriber.mailbox_key, min(day_ago, this_signup_since))
    today = [created_at for created_at, _, _ in sent if created_at >= day_ago]
    if len(today) >= settings.NEWSLETTER_CONFIRMATIONS_PER_DAY:
        return None
    # An email for this very signup, sent in the last gap or still waiting, carries a
    # link that works: another would only add to the inbox.
    if any(
        subscriber_id == subscriber.pk
        and created_at >= this_signup_since
        and status not in {Delivery.Status.FAILED, Delivery.Status.SKIPPED}
        for created_at, subscriber_id, status in sent
    ):
        return None
    last = max(today, default=None)
    send_at = max(now, last + interval) if last else now
    delivery = Delivery.objects.create(
        kind=Delivery.Kind.CONFIRMATION,
        subscriber=subscriber,
        to_email=subscriber.email,
        mailbox_key=subscriber.mailbox_key,
        created_at=send_at,
    )
    job = (
        tasks.send_delivery.configure(schedule_at=send_at) if send_at > now else tasks.send_delivery
    )
    job.defer(delivery_id=delivery.pk)
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
        if current.is_pending:
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


def roundup_send_test(*, roundup: Roundup, email: str) -> Delivery:
    """A test copy of the round-up to a staff member, unless one to that address is still
    waiting to go: twenty presses at once sent twenty copies. The waiting copy is made
    from the round-up as it is when the worker sends it, so it shows the latest edits."""
    key = mailbox_key(email)
    with transaction.atomic():
        hold_lock(f"roundup-test:{roundup.pk}:{key}")  # until this press's copy is committed
        waiting = Delivery.objects.filter(
            kind=Delivery.Kind.TEST,
            roundup=roundup,
            mailbox_key=key,
            status=Delivery.Status.QUEUED,
        ).first()
        if waiting is not None:
            return waiting
        delivery = Delivery.objects.create(
            kind=Delivery.Kind.TEST, roundup=roundup, to_email=email, mailbox_key=key
        )
        tasks.send_delivery.defer(delivery_id=delivery.pk)
    return delivery


def roundup_send(*, roundup: Roundup) -> bool:
    """Start sending to every confirmed subscriber; False if it was already started."""
    with transaction.atomic():
        roundup = Roundup.objects.select_for_update().get(pk=roundup.pk)
        if not roundup.is_draft:
            return False
        roundup.status, roundup.send_started_at = Roundup.Status.SENDING, timezone.now()
        roundup.save(update_fields=["status", "send_started_at"])
        tasks.roundup_prepare.defer(roundup_id=roundup.pk)
    return True


def roundup_retry_failed(*, roundup: Roundup) -> int:
    """Queue the failed copies again and resume sending."""
    with transaction.atomic():
        count = roundup.copies(Delivery.Status.FAILED).update(status=Delivery.Status.QUEUED)
        Roundup.objects.filter(pk=roundup.pk, status=Roundup.Status.SENT).update(
            status=Roundup.Status.SENDING
        )
        tasks.roundup_continue(roundup=roundup)
    return count


def roundup_requeue_interrupted(*, roundup: Roundup) -> int | None:
    """Queue again the copies a crash left "sending"; None while a batch is being sent.

    Those recipients may have received their copy (the mail server may have taken it
    before the worker died): staff choose this knowing they may get it twice.
    """
    with transaction.atomic():
        roundup = Roundup.objects.select_for_update().get(pk=roundup.pk)
        if tasks.roundup_batch_running(roundup=roundup):
            return None  # its copy in flight is "sending" too, and must not be sent twice
        count = roundup.copies(Delivery.Status.SENDING).update(
            status=Delivery.Status.QUEUED, error=""
        )
        if count:
            Roundup.objects.filter(pk=roundup.pk, status=Roundup.Status.SENT).update(
                status=Roundup.Status.SENDING
            )
            tasks.roundup_continue(roundup=roundup)
    return count
