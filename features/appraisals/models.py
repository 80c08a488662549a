"""Appraisals: one learner's appraisal, its ordered stages, who takes part, and their answers.

An admin sets an appraisal up (learner, appraiser, stages and the roles that answer in each),
then activates it: the learner's managers and team leads (their managers' managers) are looked
up then and kept as participants. Each stage is complete once every role of it that has someone
in it has answered; then the next stage opens.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy, pgettext_lazy


class Role(models.TextChoices):
    LEARNER = "learner", gettext_lazy("Learner")
    MANAGER = "manager", gettext_lazy("Manager")
    TEAM_LEAD = "team_lead", gettext_lazy("Team lead")
    APPRAISER = "appraiser", gettext_lazy("Appraiser")


class Appraisal(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", gettext_lazy("Draft")
        ACTIVE = "active", gettext_lazy("Active")
        COMPLETED = "completed", pgettext_lazy("appraisal status", "Completed")
        CLOSED = "closed", gettext_lazy("Closed")

    name = models.CharField(max_length=200, help_text=gettext_lazy("The name participants see."))
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="appraisals",
        help_text=gettext_lazy("The person being appraised."),
    )
    appraiser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="appraisals_to_appraise",
        help_text=gettext_lazy(
            "Optional. Takes part in the stages that include the appraiser role."
        ),
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    current_stage = models.ForeignKey(
        "Stage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    activated_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    close_comment = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.learner})"

    def get_absolute_url(self) -> str:
        return f"/appraisals/{self.pk}/"


class Stage(models.Model):
    """One step of an appraisal, answered by the roles it names, in `position` order."""

    appraisal = models.ForeignKey(Appraisal, on_delete=models.CASCADE, related_name="stages")
    name = models.CharField(max_length=200)
    position = models.PositiveIntegerField(
        default=0, help_text=gettext_lazy("Stages open in this order.")
    )
    roles = models.JSONField(
        default=list,
        blank=True,
        help_text=gettext_lazy(
            "The roles that answer in this stage: learner, manager, team_lead, appraiser."
        ),
    )
    due_at = models.DateTimeField(
        null=True, blank=True, help_text=gettext_lazy("Optional due date.")
    )
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["appraisal", "position", "id"]

    def __str__(self) -> str:
        return self.name

    def role_labels(self) -> list[str]:
        return [str(Role(r).label) for r in self.roles if r in Role.values]


class Participant(models.Model):
    """Who holds a role in an appraisal, fixed at activation (a role may have several people:
    a manager and a temporary manager both act as manager; one answer serves the role)."""

    appraisal = models.ForeignKey(Appraisal, on_delete=models.CASCADE, related_name="participants")
    role = models.CharField(max_length=10, choices=Role.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="appraisal_roles"
    )

    class Meta:
        ordering = ["appraisal", "role", "user"]
        constraints = [
            models.UniqueConstraint(
                fields=["appraisal", "role", "user"], name="appraisal_role_once_per_user"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} as {self.get_role_display()}"


class Answer(models.Model):
    """A role's part of a stage: what one of the role's people wrote, once."""

    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="answers")
    role = models.CharField(max_length=10, choices=Role.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    text = models.TextField()
    completed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["stage", "completed_at"]
        constraints = [
            models.UniqueConstraint(fields=["stage", "role"], name="one_answer_per_stage_role")
        ]

    def __str__(self) -> str:
        return f"{self.stage}: {self.get_role_display()}"
