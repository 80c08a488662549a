from django.conf import settings
from django.db import models
from django.utils import timezone


class PushSubscription(models.Model):
    """One browser that agreed to receive this user's push notifications: what the browser's
    PushManager.subscribe() gave (the push service's endpoint, and the keys the payload is
    encrypted to). The push service may drop it at any time: a 404 or 410 deletes the row."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions"
    )
    endpoint = models.URLField(
        max_length=1000, unique=True, help_text="The push service's address for this browser."
    )
    p256dh = models.CharField(max_length=100, help_text="The browser's P-256 public key.")
    auth = models.CharField(max_length=50, help_text="The browser's authentication secret.")
    user_agent = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_success_at = models.DateTimeField(
        null=True, blank=True, help_text="When a push last reached the push service."
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.user_agent or self.endpoint[:60]}"

    def info(self) -> dict:
        """The subscription as pywebpush takes it."""
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}


class PushDelivery(models.Model):
    """One push of one event to one subscribed browser, written in send()'s transaction.

    pending -> sending (claimed by a worker, the attempt counted before it is made) -> sent;
    a temporary failure goes back to pending with a later next_attempt_at, a permanent one (or
    too many attempts) ends in failed; a subscription the push service no longer knows (404,
    410) ends in expired and is deleted. A row left in `sending` by a dead worker becomes
    `unknown`, never sent again automatically.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        EXPIRED = "expired", "Subscription expired"
        UNKNOWN = "unknown", "Interrupted (unknown)"

    event = models.ForeignKey(
        "notifications.Event", on_delete=models.CASCADE, related_name="pushes"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    subscription = models.ForeignKey(
        PushSubscription,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deliveries",
        help_text="Empty once the browser unsubscribed or the push service dropped it.",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    held_until = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Held for the recipient's quiet hours until then; empty: sent at once.",
    )
    claim_token = models.CharField(max_length=32, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    why = models.CharField(
        max_length=20, blank=True, help_text="Why push was chosen (notifications.preferences)."
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "push delivery"
        verbose_name_plural = "push deliveries"
        ordering = ["-created_at"]
        indexes = [
            # The claim and the stuck-row sweep: rows waiting to go out, oldest first.
            models.Index(
                fields=["next_attempt_at"],
                name="push_pending_due",
                condition=models.Q(status__in=["pending", "sending"]),
            ),
        ]

    def __str__(self) -> str:
        return f"push {self.event_id} -> {self.user_id}: {self.status}"
