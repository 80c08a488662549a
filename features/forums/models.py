"""Forums of a course: discussions of posts, and who is subscribed to them.

Who receives a post is decided by the forum's subscription mode (as in Moodle) and each user's
choices: a forum subscription row records an explicit choice (in or out), a discussion
subscription row overrides it for one discussion. Only active course participants receive mail.
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy

from features.courses.models import Course

DEFAULT_EDIT_WINDOW_SECONDS = 1800


def edit_window() -> timedelta:
    """How long an author may edit a post; the post is mailed once it has passed."""
    return timedelta(
        seconds=getattr(settings, "FORUMS_EDIT_WINDOW_SECONDS", DEFAULT_EDIT_WINDOW_SECONDS)
    )


class Forum(models.Model):
    class Mode(models.TextChoices):
        OPTIONAL = "optional", gettext_lazy("Optional subscription")
        FORCED = "forced", gettext_lazy("Forced subscription")
        AUTO = "auto", gettext_lazy("Auto subscription")
        OFF = "off", gettext_lazy("Subscription disabled")

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="forums")
    name = models.CharField(max_length=255)
    intro = models.TextField(
        blank=True, help_text=gettext_lazy("Shown above the forum's discussions.")
    )
    mode = models.CharField(
        gettext_lazy("subscription mode"),
        max_length=10,
        choices=Mode.choices,
        default=Mode.OPTIONAL,
        help_text=gettext_lazy(
            "Optional: nobody is subscribed until they choose. Forced: every course "
            "participant is subscribed and cannot unsubscribe. Auto: every participant is "
            "subscribed at first and may unsubscribe. Disabled: nobody is subscribed."
        ),
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["course__full_name", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return f"/forums/{self.pk}/"


class Discussion(models.Model):
    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="discussions")
    subject = models.CharField(max_length=255)
    # PROTECT: deleting an author would take other people's replies with it; deactivate instead.
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.subject

    def get_absolute_url(self) -> str:
        return f"/forums/discussion/{self.pk}/"


class Post(models.Model):
    """A post; the discussion's first post has no parent, every reply has one."""

    discussion = models.ForeignKey(Discussion, on_delete=models.CASCADE, related_name="posts")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="forum_posts"
    )
    message = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    modified_at = models.DateTimeField(default=timezone.now)
    mailed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=gettext_lazy(
            "When the post was sent to the subscribers (empty: not yet, it may still be "
            "in its edit window)."
        ),
    )

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            # forums.mail_posts: "posts not mailed yet, older than the edit window".
            models.Index(
                fields=["created_at"],
                condition=models.Q(mailed_at__isnull=True),
                name="forum_post_unmailed",
            ),
            # forums.daily_digest: "posts of one day".
            models.Index(fields=["created_at", "discussion"], name="forum_post_created"),
        ]

    def __str__(self) -> str:
        return f"Post {self.pk} in {self.discussion_id}"

    def get_absolute_url(self) -> str:
        return f"/forums/discussion/{self.discussion_id}/#post-{self.pk}"

    @property
    def editable_until(self):
        return self.created_at + edit_window()

    def can_edit(self, user, now=None) -> bool:
        now = now or timezone.now()
        return self.author_id == user.pk and self.mailed_at is None and now < self.editable_until


class ForumSubscription(models.Model):
    """A user's own choice for a whole forum: subscribed, or (in auto mode) unsubscribed."""

    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="subscriptions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    subscribed = models.BooleanField(
        default=True,
        help_text=gettext_lazy("Off: the user unsubscribed from an auto-subscription forum."),
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["forum", "user"], name="one_forum_subscription")
        ]

    def __str__(self) -> str:
        return f"{self.user} {'in' if self.subscribed else 'out of'} {self.forum}"


class DiscussionSubscription(models.Model):
    """A user's choice for one discussion, overriding their forum choice (not in forced mode)."""

    discussion = models.ForeignKey(
        Discussion, on_delete=models.CASCADE, related_name="subscriptions"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    subscribed = models.BooleanField(
        default=True, help_text=gettext_lazy("Off: the user does not want this discussion's posts.")
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["discussion", "user"], name="one_discussion_subscription"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} {'in' if self.subscribed else 'out of'} {self.discussion}"


class MailPreference(models.Model):
    """How a user receives forum posts: each post on its own, or one digest a day.

    A user without a row gets each post.
    """

    class Mode(models.TextChoices):
        EACH = "each", gettext_lazy("Each post in its own email")
        DIGEST = "digest", gettext_lazy("One digest email a day")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="forum_mail_preference"
    )
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.EACH)

    def __str__(self) -> str:
        return f"{self.user}: {self.get_mode_display()}"
