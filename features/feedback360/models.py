"""360 feedback: a learner (or their manager) asks people, on the site or not, for feedback."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy, pgettext_lazy


class FeedbackRequest(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", gettext_lazy("Open")
        CANCELLED = "cancelled", pgettext_lazy("feedback request status", "Cancelled")

    name = models.CharField(
        max_length=200, help_text=gettext_lazy("What the feedback is about, as responders see it.")
    )
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="feedback_requests",
        help_text=gettext_lazy("The person the feedback is about."),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="feedback_requests_made",
        help_text=gettext_lazy("The learner or one of their managers."),
    )
    message = models.TextField(
        blank=True, help_text=gettext_lazy("A personal message to the responders.")
    )
    due_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.learner})"

    def get_absolute_url(self) -> str:
        return f"/feedback360/{self.pk}/"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class Responder(models.Model):
    """Someone asked to answer a request: a user of the site, or an external email address that
    answers through a signed link."""

    request = models.ForeignKey(
        FeedbackRequest, on_delete=models.CASCADE, related_name="responders"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="feedback_to_give",
    )
    email = models.EmailField(
        blank=True, help_text=gettext_lazy("Set for external responders only.")
    )
    answer = models.TextField(blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    reminded_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=gettext_lazy("When an external responder was last emailed."),
    )

    class Meta:
        ordering = ["request", "created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(user__isnull=False) & Q(email=""))
                | (Q(user__isnull=True) & ~Q(email="")),
                name="responder_is_a_user_or_an_address",
            ),
            models.UniqueConstraint(
                fields=["request", "user"],
                condition=Q(user__isnull=False),
                name="responder_user_once_per_request",
            ),
            models.UniqueConstraint(
                fields=["request", "email"],
                condition=~Q(email=""),
                name="responder_email_once_per_request",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.user.display_name if self.user_id else self.email

    @property
    def is_external(self) -> bool:
        return not self.user_id
