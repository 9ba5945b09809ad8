"""Notifications: what each person was told, and how it reached them.

A ledger event that may notify anyone leaves one outbox row in its own transaction; the worker
drains the outbox, making the notifications (one delivery per channel: email, each of the
person's webhooks), each delivered by a background task. Every attempt is kept: the delivery
log. Nothing here is deleted, outbox rows included.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from truceline.core.ids import new_id


class Kind(models.TextChoices):
    URGENT_REPORT = "urgent-report", _("An urgent report (monitors)")
    REPORT_TRIAGED = "report-triaged", _("Your report was ruled admissible")
    REPORT_INADMISSIBLE = "report-inadmissible", _("Your report was ruled inadmissible")
    REPORT_MERGED = "report-merged", _("Your report was merged into another incident")
    QUESTION = "question", _("A question for your party")
    ALLEGATION_SHARED = "allegation-shared", _("An allegation against your party is shared")
    REPLY_CLOSING = "reply-closing", _("A reply window closes within 24 hours")
    VOTE_AWAITED = "vote-awaited", _("A finding awaits your organisation's vote")
    FINDING_ENDORSED = "finding-endorsed", _("A finding concerning your party is endorsed")
    FINDING_PUBLISHED = "finding-published", _("A finding is published")
    REQUEST_OVERDUE = "request-overdue", _("A request's deadline passed unanswered")
    MEASURE_OVERDUE = "measure-overdue", _("A measure's date passed undone")


def _notification_id() -> str:
    return new_id("NTF")


def _webhook_id() -> str:
    return new_id("WHK")


def _delivery_id() -> str:
    return new_id("DLV")


class Notification(models.Model):
    # what a person sees and quotes: random, never the row's sequence number (which would
    # tell how many notifications the mechanism sends)
    public_id = models.CharField(
        max_length=16, unique=True, default=_notification_id, editable=False
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="notifications"
    )
    kind = models.CharField(max_length=24, choices=Kind.choices)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    object_type = models.CharField(max_length=32)
    object_id = models.CharField(max_length=64)
    url = models.CharField(max_length=300)
    event_seq = models.BigIntegerField(null=True, blank=True, help_text="the ledger entry")
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} for {self.user_id}"


class Preference(models.Model):
    """One person's choice for one kind of notification; none stored means email only."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="notify_preferences"
    )
    kind = models.CharField(max_length=24, choices=Kind.choices)
    email = models.BooleanField(default=True)
    webhook = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="one_pref_per_kind")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}"


class Webhook(models.Model):
    """A receiver of one person's notifications (e.g. a party's operations-room system).
    Each delivery is signed with the secret, shown once when the webhook is made."""

    public_id = models.CharField(max_length=16, unique=True, default=_webhook_id, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    url = models.URLField(max_length=500)
    secret = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.url


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    WEBHOOK = "webhook", _("Webhook")


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("Pending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed after every attempt")
    SKIPPED = "skipped", _("Skipped (no address)")


class Delivery(models.Model):
    public_id = models.CharField(max_length=16, unique=True, default=_delivery_id, editable=False)
    notification = models.ForeignKey(
        Notification, on_delete=models.PROTECT, related_name="deliveries"
    )
    channel = models.CharField(max_length=8, choices=Channel.choices)
    webhook = models.ForeignKey(
        Webhook, null=True, blank=True, on_delete=models.PROTECT, related_name="deliveries"
    )
    state = models.CharField(
        max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.channel} {self.notification_id}"


class Outbox(models.Model):
    """One ledger event whose consequences (notifications, reminders) are still to be worked
    out: written in the event's own transaction, so it exists exactly when the event does, and
    marked processed in the transaction that writes those consequences, so a crash in between
    loses nothing and a second drain adds nothing. Keyed by the event: one row per event."""

    event = models.OneToOneField(
        "ledger.Event", primary_key=True, on_delete=models.PROTECT, related_name="+"
    )
    processed_at = models.DateTimeField(null=True, blank=True)
    # failed drains of this row; after outbox.ATTEMPTS it waits for an operator (logged)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["event"]
        indexes = [
            models.Index(
                fields=["event"],
                name="notify_outbox_pending",
                condition=models.Q(processed_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"outbox {self.event_id}"


class Attempt(models.Model):
    """One try at a delivery: the delivery log. It says when, and the status code of the
    answer or "failed" when there was none; never why in detail, nor how long it took."""

    delivery = models.ForeignKey(Delivery, on_delete=models.PROTECT, related_name="log")
    at = models.DateTimeField()
    ok = models.BooleanField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"attempt {self.id} of {self.delivery_id}"
