"""Learning plans: a learner's plan of courses, competencies and objectives, approved by their
manager, and the objective status scales admins maintain."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy

from features.courses.models import Course


class ObjectiveScale(models.Model):
    """The values an objective's status can take (e.g. Not started, In progress, Achieved)."""

    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ObjectiveStatus(models.Model):
    scale = models.ForeignKey(ObjectiveScale, on_delete=models.CASCADE, related_name="statuses")
    name = models.CharField(max_length=100)
    position = models.PositiveIntegerField(
        default=0, help_text=gettext_lazy("Values are listed in this order.")
    )
    achieved = models.BooleanField(
        default=False, help_text=gettext_lazy("An objective given this status is complete.")
    )

    class Meta:
        ordering = ["scale", "position", "id"]
        verbose_name_plural = gettext_lazy("objective statuses")
        constraints = [
            models.UniqueConstraint(fields=["scale", "name"], name="objective_status_name_once")
        ]

    def __str__(self) -> str:
        return self.name


class Competency(models.Model):
    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = gettext_lazy("competencies")

    def __str__(self) -> str:
        return self.name


class Plan(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", gettext_lazy("Draft")
        PENDING = "pending", gettext_lazy("Awaiting approval")
        APPROVED = "approved", gettext_lazy("Approved")
        DECLINED = "declined", gettext_lazy("Declined")
        COMPLETED = "completed", gettext_lazy("Completed")

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="learning_plans"
    )
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    objective_scale = models.ForeignKey(
        ObjectiveScale,
        null=True,
        blank=True,
        # A scale in use cannot be deleted: its plans' objectives would lose their statuses.
        on_delete=models.PROTECT,
        related_name="plans",
        help_text=gettext_lazy("The statuses this plan's objectives can take."),
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return f"/plans/{self.pk}/"


class PlanItem(models.Model):
    """A course, competency or objective in a plan, with its own approval and completion."""

    class Kind(models.TextChoices):
        COURSE = "course", gettext_lazy("Course")
        COMPETENCY = "competency", gettext_lazy("Competency")
        OBJECTIVE = "objective", gettext_lazy("Objective")

    class Approval(models.TextChoices):
        DRAFT = "draft", gettext_lazy("Draft")
        PENDING = "pending", gettext_lazy("Awaiting approval")
        APPROVED = "approved", gettext_lazy("Approved")
        DECLINED = "declined", gettext_lazy("Declined")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    course = models.ForeignKey(
        Course, null=True, blank=True, on_delete=models.CASCADE, related_name="plan_items"
    )
    competency = models.ForeignKey(
        Competency, null=True, blank=True, on_delete=models.CASCADE, related_name="plan_items"
    )
    name = models.CharField(
        max_length=200, blank=True, help_text=gettext_lazy("The objective's name.")
    )
    description = models.TextField(blank=True)
    objective_status = models.ForeignKey(
        ObjectiveStatus, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approval = models.CharField(max_length=10, choices=Approval.choices, default=Approval.DRAFT)
    due_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["plan", "kind", "created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="course", course__isnull=False, competency__isnull=True)
                    | Q(kind="competency", competency__isnull=False, course__isnull=True)
                    | (
                        Q(kind="objective", course__isnull=True, competency__isnull=True)
                        & ~Q(name="")
                    )
                ),
                name="plan_item_matches_its_kind",
            ),
            models.UniqueConstraint(
                fields=["plan", "course"],
                condition=Q(course__isnull=False),
                name="plan_course_once",
            ),
            models.UniqueConstraint(
                fields=["plan", "competency"],
                condition=Q(competency__isnull=False),
                name="plan_competency_once",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        if self.kind == self.Kind.COURSE:
            return self.course.full_name
        if self.kind == self.Kind.COMPETENCY:
            return self.competency.name
        return self.name


class PlanComment(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["plan", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.author} on {self.plan}"
