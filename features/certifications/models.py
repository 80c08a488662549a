"""Certifications: a program (kind certification) that learners keep completing, cycle after
cycle. Each completion certifies the learner until an expiry date; the re-certification window
opens some days before it; failing to re-certify by the expiry resets their progress."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from features.programs.models import Assignment, Program


class Certification(models.Model):
    """The re-certification rules of a certification program."""

    program = models.OneToOneField(
        Program,
        on_delete=models.CASCADE,
        related_name="certification",
        limit_choices_to={"kind": Program.Kind.CERTIFICATION},
    )
    active_days = models.PositiveIntegerField(
        default=365,
        help_text=gettext_lazy("How long a learner stays certified after completing it."),
    )
    window_days = models.PositiveIntegerField(
        default=30,
        help_text=gettext_lazy(
            "The re-certification window opens this many days before the expiry date."
        ),
    )

    class Meta:
        ordering = ["program__name"]

    def __str__(self) -> str:
        return str(self.program)

    def clean(self):
        if self.program_id and self.program.kind != Program.Kind.CERTIFICATION:
            raise ValidationError({"program": _("Choose a program of kind certification.")})
        if self.window_days >= self.active_days:
            raise ValidationError(
                {"window_days": _("The window must open after the learner is certified.")}
            )


class LearnerCertification(models.Model):
    """Where a learner's assignment to a certification stands in the cycle."""

    class Status(models.TextChoices):
        CERTIFIED = "certified", gettext_lazy("Certified")
        WINDOW_OPEN = "window_open", gettext_lazy("Re-certification window open")
        EXPIRED = "expired", gettext_lazy("Expired")

    assignment = models.OneToOneField(
        Assignment, on_delete=models.CASCADE, related_name="certification_state"
    )
    status = models.CharField(max_length=12, choices=Status.choices)
    certified_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    window_opens_at = models.DateTimeField()
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["expires_at"]
        indexes = [
            # The window scan: certified learners whose window has opened.
            models.Index(
                fields=["window_opens_at"],
                name="certification_window",
                condition=Q(status="certified"),
            ),
            # The closing and expiry scans: open windows by expiry date.
            models.Index(
                fields=["expires_at"],
                name="certification_expiry",
                condition=Q(status="window_open"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assignment}: {self.get_status_display()}"
