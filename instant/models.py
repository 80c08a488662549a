from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MAX_MESSAGE_LENGTH = 4096


class Conversation(models.Model):
    """A one-to-one, group or "self" (own notes) conversation."""

    class Kind(models.TextChoices):
        ONE_TO_ONE = "one_to_one", _("One to one")
        GROUP = "group", _("Group")
        SELF = "self", _("Own notes")

    kind = models.CharField(max_length=12, choices=Kind.choices)
    name = models.CharField(max_length=200, blank=True)
    # For one-to-one and self conversations: "<low id>:<high id>", so a pair has one conversation.
    pair_key = models.CharField(max_length=50, null=True, blank=True, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
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
    # The newest message already covered by an "unread messages" email to this member.
    emailed_up_to = models.DateTimeField(null=True, blank=True)
    muted = models.BooleanField(default=False)
    favourite = models.BooleanField(default=False)
    hidden = models.BooleanField(default=False)
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["conversation", "user"], name="one_membership")
        ]
        # A user's conversation list.
        indexes = [models.Index(fields=["user", "conversation"], name="membership_user")]

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
        # A conversation's thread, and its messages after a member last read.
        indexes = [models.Index(fields=["conversation", "created_at"], name="message_thread")]

    def __str__(self) -> str:
        return f"{self.sender_id}: {self.body[:40]}"


class HiddenMessage(models.Model):
    """A message one member deleted for themselves; the others still see it."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["message", "user"], name="hide_once")]

    def __str__(self) -> str:
        return f"{self.message_id} hidden for {self.user_id}"


class Contact(models.Model):
    """Two users who accepted each other; stored in both directions for simple reads."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "contact"], name="contact_once")]

    def __str__(self) -> str:
        return f"{self.user_id} - {self.contact_id}"


class ContactRequest(models.Model):
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    requested = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["requester", "requested"], name="request_once")
        ]

    def __str__(self) -> str:
        return f"{self.requester_id} -> {self.requested_id}"


class Block(models.Model):
    """The blocker hears nothing from the blocked, who cannot see the blocker online."""

    blocker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    blocked = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["blocker", "blocked"], name="block_once")]

    def __str__(self) -> str:
        return f"{self.blocker_id} blocks {self.blocked_id}"


class Privacy(models.TextChoices):
    CONTACTS = "contacts", _("My contacts only")
    COURSES = "courses", _("My contacts and anyone in my courses")
    SITE = "site", _("Anyone on the site")


class MessagingSettings(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="instant_settings"
    )
    privacy = models.CharField(
        max_length=10,
        choices=Privacy.choices,
        default=Privacy.COURSES,
        help_text=_("Who may start a conversation with this user."),
    )

    def __str__(self) -> str:
        return f"{self.user_id}: {self.privacy}"


def unread_messages(user_id: int):
    """Messages from others, after the member last read, in conversations not muted."""
    return Message.objects.filter(
        conversation__memberships__user_id=user_id,
        conversation__memberships__muted=False,
        created_at__gt=F("conversation__memberships__last_read_at"),
    ).filter(~Q(sender_id=user_id))


def unread_count(user) -> int:
    """How many unread_messages() the user has. One query."""
    return unread_messages(user.pk).count()
