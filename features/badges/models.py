from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy


class Badge(models.Model):
    """A badge users earn by completing its course, or that is awarded by hand."""

    class Criterion(models.TextChoices):
        COURSE_COMPLETION = "course_completion", gettext_lazy("Completing the course")
        MANUAL = "manual", gettext_lazy("Awarded by a trainer or an admin")

    name = models.CharField(max_length=255)
    description = models.TextField(blank=True, help_text=gettext_lazy("What the badge recognises."))
    issuer = models.CharField(
        max_length=255,
        blank=True,
        help_text=gettext_lazy("Who issues the badge, as recipients see it."),
    )
    course = models.ForeignKey(
        "courses.Course",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="badges",
        help_text=gettext_lazy("Empty for a site badge."),
    )
    criterion = models.CharField(max_length=20, choices=Criterion.choices, default=Criterion.MANUAL)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=gettext_lazy("The badge's creator is told of every award."),
    )
    active = models.BooleanField(
        default=True, help_text=gettext_lazy("Only active badges are awarded.")
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return f"/badges/{self.pk}/"

    def clean(self):
        if self.criterion == self.Criterion.COURSE_COMPLETION and not self.course_id:
            raise ValidationError(
                {"course": gettext_lazy("A course completion badge needs its course.")}
            )


class Award(models.Model):
    """A badge held by a user."""

    badge = models.ForeignKey(Badge, on_delete=models.CASCADE, related_name="awards")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="badge_awards"
    )
    awarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    awarded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-awarded_at"]
        constraints = [
            models.UniqueConstraint(fields=["badge", "user"], name="one_award_per_badge")
        ]
        # "My badges": a user's awards, newest first.
        indexes = [models.Index(fields=["user", "-awarded_at"], name="award_user_newest")]

    def __str__(self) -> str:
        return f"{self.badge} to {self.user}"

    def get_absolute_url(self) -> str:
        return f"/badges/awards/{self.pk}/"
