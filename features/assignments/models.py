import os

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy


def default_max_file_mb() -> int:
    return getattr(settings, "ASSIGNMENT_MAX_FILE_MB", 5)


def default_allowed_extensions() -> str:
    return getattr(
        settings, "ASSIGNMENT_ALLOWED_EXTENSIONS", "pdf,doc,docx,odt,rtf,txt,png,jpg,jpeg"
    )


class Assignment(models.Model):
    """An assignment in a course: learners submit text and files, trainers grade them."""

    course = models.ForeignKey(
        "courses.Course", on_delete=models.CASCADE, related_name="assignments"
    )
    name = models.CharField(max_length=255)
    description = models.TextField(
        blank=True, help_text=gettext_lazy("What learners must do, shown to them.")
    )
    due_at = models.DateTimeField(
        null=True, blank=True, help_text=gettext_lazy("Shown to learners.")
    )
    max_files = models.PositiveSmallIntegerField(
        default=3, help_text=gettext_lazy("How many files a submission may have (0: text only).")
    )
    max_file_mb = models.PositiveSmallIntegerField(
        default=default_max_file_mb,
        help_text=gettext_lazy("The largest file accepted, in megabytes."),
    )
    allowed_extensions = models.CharField(
        max_length=255,
        blank=True,
        default=default_allowed_extensions,
        help_text=gettext_lazy(
            "File types accepted, comma-separated (e.g. pdf,docx). Empty accepts any."
        ),
    )
    completion_required = models.BooleanField(
        default=False,
        help_text=gettext_lazy(
            "The course completes only when the learner passes this assignment."
        ),
    )
    grade_to_pass = models.DecimalField(
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=gettext_lazy(
            "The lowest numeric grade that passes (e.g. 50). Empty: any grade passes."
        ),
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return f"/assignments/{self.pk}/"

    @property
    def extensions(self) -> list[str]:
        return sorted(
            {e.strip().lower().lstrip(".") for e in self.allowed_extensions.split(",") if e.strip()}
        )

    @property
    def max_file_bytes(self) -> int:
        return self.max_file_mb * 1024 * 1024


class Submission(models.Model):
    """A learner's one submission to an assignment, and its grade."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", gettext_lazy("Submitted")
        GRADED = "graded", gettext_lazy("Graded")

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="submissions")
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assignment_submissions"
    )
    text = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    submitted_at = models.DateTimeField(default=timezone.now)
    grade = models.CharField(
        max_length=50, blank=True, help_text=gettext_lazy("As the learner sees it.")
    )
    feedback = models.TextField(
        blank=True, help_text=gettext_lazy("The trainer's comments for the learner.")
    )
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    graded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["submitted_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "learner"], name="one_submission_per_learner"
            )
        ]

    def __str__(self) -> str:
        return f"{self.assignment} by {self.learner}"

    def get_absolute_url(self) -> str:
        return f"/assignments/submissions/{self.pk}/"


def submission_path(instance: "SubmissionFile", filename: str) -> str:
    return f"assignments/{instance.submission.assignment_id}/{instance.submission_id}/{filename}"


class SubmissionFile(models.Model):
    """A file of a submission, stored under MEDIA_ROOT and served only to those who may see it."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to=submission_path, max_length=500)
    name = models.CharField(max_length=255, help_text=gettext_lazy("The file's name as uploaded."))
    size = models.PositiveIntegerField(help_text=gettext_lazy("In bytes."))

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return f"/assignments/files/{self.pk}/"

    @property
    def extension(self) -> str:
        return os.path.splitext(self.name)[1].lower().lstrip(".")
