from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

MAX_MESSAGE_LENGTH = 4096


class Conversation(models.Model):
    """A one-to-one, group or "self" (own notes) conversation."""

    class Kind(models.TextChoices):
        ONE_TO_ONE = "one_to_one", "One to one"
        GROUP = "group", "Group"
        SELF = "self", "Own notes"

    kind = models.CharField(max_length=12, choices=Kind.choices)
    name = models.CharField(max_length=200, blank=True)
    # For one-to-one and self conversations: "<low id>:<high id>", so a pair has one conversation.
    pair_key = models.CharField(max_length=50, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_message_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name or f"{self.get_kind_display()} #{self.pk}"


class Membership(models.Model):
    """One member's state in a conversation: what they read, and how they file it."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    last_read_at = models.DateTimeField(default=timezone.now)
    muted = models.BooleanField(default=False)
    favourite = models.BooleanField(default=False)
    hidden = models.BooleanField(default=False)
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["conversation", "user"], name="one_membership")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.conversation_id}"


class Message(models.Model):
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sent_messages"
    )
    body = models.TextField(max_length=MAX_MESSAGE_LENGTH)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        # A conversation's thread and its unread messages, by time.
        indexes = [models.Index(fields=["conversation", "created_at"], name="message_thread")]

    def __str__(self) -> str:
        return f"{self.sender_id}: {self.body[:40]}"


def unread_count(user) -> int:
    """Messages from others, after the member last read, in conversations not muted. One query."""
    return (
        Message.objects.filter(
            conversation__memberships__user=user,
            conversation__memberships__muted=False,
            created_at__gt=F("conversation__memberships__last_read_at"),
        )
        .filter(~Q(sender=user))
        .count()
    )
