"""Subscribers and their consent, the emails we send them, round-ups and export logs."""

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.core import signing
from django.db import models
from django.db.models import Count, Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from newsletter.validators import email_for_display, normalize_email
from publication.page_cache import ContentQuerySet
from publication.text import paragraphs


class SubscriberQuerySet(models.QuerySet):
    def confirmed(self):
        return self.filter(status=Subscriber.Status.CONFIRMED)

    def for_export(self, *, statuses: Iterable[str] | None = None, since=None):
        """Unsubscribed addresses are left out unless asked for by status."""
        statuses = list(statuses or [Subscriber.Status.PENDING, Subscriber.Status.CONFIRMED])
        queryset = self.filter(status__in=statuses)
        if since:
            queryset = queryset.filter(signed_up_at__gte=since)
        return queryset

    def with_email(self, email: str):
        """Case-insensitive lookup that uses the unique index on lower(email)."""
        return self.alias(email_lower=Lower("email")).filter(email_lower=email.lower())

    def totals_by_status(self) -> dict[str, int]:
        return count_by_status(self, Subscriber.Status.values)


def count_by_status(queryset, statuses) -> dict[str, int]:
    """How many rows of queryset have each of statuses (0 for none), in one query."""
    counts = dict(queryset.order_by().values_list("status").annotate(n=Count("pk")))
    return {status: counts.get(status, 0) for status in statuses}


class Subscriber(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending confirmation"
        CONFIRMED = "confirmed", "Confirmed"
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed"

    CONFIRM_SALT = "newsletter.confirm"
    UNSUBSCRIBE_SALT = "newsletter.unsubscribe"

    email = models.EmailField(max_length=254)
    name = models.CharField(
        max_length=100, blank=True, help_text="Spaces before and after the name are removed."
    )
    mailbox_key = models.CharField(
        max_length=254,
        db_index=True,
        editable=False,
        help_text="The address lower-cased, without +tag (and Gmail dots): one key per mailbox.",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    source = models.CharField(
        max_length=100,
        blank=True,
        help_text="Where the address came from: “footer”, “newsletter page”, an import…",
    )
    signup_page = models.CharField(
        max_length=500, blank=True, help_text="The page the reader signed up from."
    )
    consent_text = models.TextField(
        blank=True, help_text="The consent wording the reader saw when signing up."
    )
    signed_up_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    # A signup for an unsubscribed address is held here and changes nothing else until
    # the reader confirms it from the new email: a forged signup cannot undo an unsubscribe.
    resubscribe_requested_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="This unsubscribed address signed up again: when. It stays unsubscribed "
        "until the reader confirms from the new email; then the signup fields below replace "
        "the earlier consent record.",
    )
    resubscribe_name = models.CharField(max_length=100, blank=True)
    resubscribe_source = models.CharField(max_length=100, blank=True)
    resubscribe_page = models.CharField(max_length=500, blank=True)
    resubscribe_consent_text = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SubscriberQuerySet.as_manager()

    class Meta:
        ordering = ["-signed_up_at", "-pk"]
        permissions = [("export_subscribers", "Can export subscribers")]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="subscriber_email_ci_unique"),
        ]
        indexes = [
            models.Index(fields=["status", "-signed_up_at"], name="subscriber_status_idx"),
            models.Index(fields=["-signed_up_at", "-id"], name="subscriber_signed_up_idx"),
        ]

    def __str__(self):
        return self.email

    def save(self, *args, **kwargs):
        self.email = normalize_email(self.email)
        super().save(*args, **kwargs)

    @property
    def display_email(self) -> str:
        """The address as people read it: stored with a punycode domain, shown in Unicode."""
        return email_for_display(self.email)

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING

    @property
    def is_confirmed(self) -> bool:
        return self.status == self.Status.CONFIRMED

    @property
    def is_unsubscribed(self) -> bool:
        return self.status == self.Status.UNSUBSCRIBED

    @property
    def awaiting_confirmation(self) -> bool:
        """A confirmation email may go out and its link may confirm."""
        if self.is_unsubscribed:
            return self.resubscribe_requested_at is not None
        return self.is_pending

    @property
    def signup_to_confirm_at(self) -> datetime.datetime:
        """When the signup that a confirmation link is for was made."""
        return self.resubscribe_requested_at or self.signed_up_at

    @property
    def confirm_token(self) -> str:
        # Bound to one signup: links sent before a signup to resubscribe stop working.
        payload = {"id": self.pk, "at": self.signup_to_confirm_at.timestamp()}
        return signing.TimestampSigner(salt=self.CONFIRM_SALT).sign_object(payload)

    @classmethod
    def from_confirm_token(cls, token: str) -> "Subscriber | None":
        try:
            payload = signing.TimestampSigner(salt=cls.CONFIRM_SALT).unsign_object(
                token, max_age=settings.NEWSLETTER_CONFIRM_MAX_AGE
            )
        except (signing.BadSignature, ValueError):
            return None
        subscriber = cls.objects.filter(pk=payload.get("id")).first()
        if subscriber is None or subscriber.signup_to_confirm_at.timestamp() != payload.get("at"):
            return None
        return subscriber

    @property
    def unsubscribe_token(self) -> str:
        # No expiry: the link in a years-old email must still work.
        return signing.Signer(salt=self.UNSUBSCRIBE_SALT).sign(str(self.pk))

    @classmethod
    def from_unsubscribe_token(cls, token: str) -> "Subscriber | None":
        try:
            pk = signing.Signer(salt=cls.UNSUBSCRIBE_SALT).unsign(token)
        except signing.BadSignature:
            return None
        return cls.objects.filter(pk=pk).first()

    def get_confirm_url(self) -> str:
        return absolute_url(reverse("newsletter:confirm", args=[self.confirm_token]))

    def get_unsubscribe_url(self) -> str:
        return absolute_url(reverse("newsletter:unsubscribe", args=[self.unsubscribe_token]))


def absolute_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


class RoundupQuerySet(ContentQuerySet):
    def sent(self):
        """Round-ups readers may see on the web: those sent once. Retrying failed or
        interrupted copies marks a round-up sending again; readers already have it, so
        it stays in the archive and its feed meanwhile."""
        return self.filter(sent_at__isnull=False).order_by("-sent_at", "-pk")

    def for_archive(self):
        """Sent round-ups with their still-live articles in the editor's order, in 2 queries."""
        items = RoundupItem.objects.with_live_article().select_related(
            "article__kind", "article__section", "article__lead_photo"
        )
        return self.sent().prefetch_related(models.Prefetch("items", queryset=items))

    def with_progress(self):
        """Count each round-up's copies per delivery status, for a whole list in one query."""
        copies = Q(deliveries__kind=Delivery.Kind.ROUNDUP)
        return self.annotate(
            copies_total=Count("deliveries", filter=copies),
            **{
                f"copies_{status}": Count(
                    "deliveries", filter=copies & Q(deliveries__status=status)
                )
                for status in Delivery.Status.values
            },
        )


class Roundup(models.Model):
    """A weekly round-up email: an intro and a hand-ordered list of published articles."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"

    subject = models.CharField(max_length=200)
    intro = models.TextField(blank=True, help_text="Plain text; blank lines separate paragraphs.")
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        editable=False,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    send_started_at = models.DateTimeField(null=True, editable=False)
    sent_at = models.DateTimeField(null=True, editable=False)  # first sent; kept on retries

    objects = RoundupQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.subject

    def get_absolute_url(self):
        return reverse("newsletter:archive-issue", args=[self.pk])

    @property
    def intro_paragraphs(self) -> list[str]:
        return paragraphs(self.intro)

    def progress(self) -> dict[str, int]:
        """Copies per delivery status and in total; from with_progress() when annotated."""
        if hasattr(self, "copies_total"):
            statuses = [*Delivery.Status.values, "total"]
            return {status: getattr(self, f"copies_{status}") for status in statuses}
        totals = count_by_status(self.copies(), Delivery.Status.values)
        return {**totals, "total": sum(totals.values())}

    def copies(self, *statuses):
        """The copies sent to subscribers (not the test copies to staff), in these statuses
        if any are given."""
        copies = self.deliveries.filter(kind=Delivery.Kind.ROUNDUP)
        return copies.filter(status__in=statuses) if statuses else copies

    @property
    def batch_lock(self) -> str:
        """The job lock of this round-up's batches: one sends at a time, one waits."""
        return f"roundup-{self.pk}"

    @property
    def is_draft(self) -> bool:
        """Not sent yet: items and intro may change, sending may start."""
        return self.status == self.Status.DRAFT

    @property
    def is_sending(self) -> bool:
        return self.status == self.Status.SENDING


class RoundupItemQuerySet(ContentQuerySet):
    def with_live_article(self):
        """Items whose article readers may still see: one unpublished since is left out."""
        from articles.models import Article

        return self.filter(article__in=Article.objects.live())


class RoundupItem(models.Model):
    roundup = models.ForeignKey(Roundup, on_delete=models.CASCADE, related_name="items")
    article = models.ForeignKey(
        "articles.Article", on_delete=models.PROTECT, related_name="roundup_items"
    )
    order = models.PositiveSmallIntegerField(default=0, help_text="Lowest first.")

    objects = RoundupItemQuerySet.as_manager()

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["roundup", "article"], name="roundup_item_unique")
        ]

    def __str__(self):
        return str(self.article)


class Delivery(models.Model):
    """One email to one address: what we sent, when, and what went wrong."""

    class Kind(models.TextChoices):
        CONFIRMATION = "confirmation", "Confirmation"
        ROUNDUP = "roundup", "Round-up"
        TEST = "test", "Round-up test"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Handed to the mail server, result unknown"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Skipped (no longer subscribed)"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.CASCADE, null=True, blank=True, related_name="deliveries"
    )
    roundup = models.ForeignKey(
        Roundup, on_delete=models.PROTECT, null=True, blank=True, related_name="deliveries"
    )
    to_email = models.CharField(max_length=254)
    mailbox_key = models.CharField(max_length=254)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["roundup", "subscriber"],
                condition=Q(kind="roundup"),
                name="delivery_roundup_once_per_subscriber",
            )
        ]
        indexes = [
            models.Index(
                fields=["mailbox_key", "-created_at"],
                condition=Q(kind="confirmation"),
                name="delivery_confirmation_idx",
            ),
            models.Index(fields=["roundup", "status"], name="delivery_roundup_status_idx"),
            models.Index(fields=["-created_at", "-id"], name="delivery_created_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} to {self.to_email}"


class ExportLog(models.Model):
    """Who exported subscriber data, when, with which filters, and how many rows."""

    class Via(models.TextChoices):
        ADMIN = "admin", "Admin"
        COMMAND = "command", "Command line"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    via = models.CharField(max_length=10, choices=Via.choices)
    filters = models.JSONField(default=dict)
    row_count = models.PositiveIntegerField(
        null=True, help_text="Empty when the download was interrupted."
    )
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Export by {self.user or 'command line'} at {self.created_at:%Y-%m-%d %H:%M}"


class RateCounter(models.Model):
    """Hits in one rate-limit window, counted in the database with one atomic upsert.

    The cache's get-then-set (the database cache has no atomic incr) let 15 of 50
    simultaneous signups past a limit of 5, and a missing cache table made every
    signup fail; see newsletter.request_checks.rate_limit().
    """

    key = models.CharField(max_length=120, primary_key=True)
    count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self):
        return f"{self.key}: {self.count}"
