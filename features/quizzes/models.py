from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy


class Quiz(models.Model):
    """A quiz in a course, optionally timed: each attempt must be submitted within the limit."""

    course = models.ForeignKey("courses.Course", on_delete=models.CASCADE, related_name="quizzes")
    name = models.CharField(max_length=255)
    description = models.TextField(blank=True)
    time_limit_minutes = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text=gettext_lazy("How long an attempt may take; empty for no limit."),
    )
    grace_minutes = models.PositiveSmallIntegerField(
        default=15,
        help_text=gettext_lazy(
            "After the time limit, how long an overdue attempt may still be submitted. "
            "Learners are warned when their attempt becomes overdue."
        ),
    )
    attempts_allowed = models.PositiveSmallIntegerField(
        default=1, help_text=gettext_lazy("How many attempts each learner may make (0: unlimited).")
    )
    completion_required = models.BooleanField(
        default=False,
        help_text=gettext_lazy("The course completes only when the learner passes this quiz."),
    )
    pass_mark = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text=gettext_lazy(
            "The lowest score that passes. Empty: submitting an attempt passes."
        ),
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = gettext_lazy("quizzes")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return f"/quizzes/{self.pk}/"


class Question(models.Model):
    class Kind(models.TextChoices):
        MULTIPLE_CHOICE = "multiple_choice", gettext_lazy("Multiple choice (one answer)")
        ESSAY = "essay", gettext_lazy("Essay (graded by a trainer)")

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="questions")
    text = models.TextField()
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.MULTIPLE_CHOICE)
    position = models.PositiveSmallIntegerField(default=0)
    marks = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.text[:60]


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    text = models.CharField(max_length=500)
    correct = models.BooleanField(default=False)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.text


class Attempt(models.Model):
    """A learner's attempt at a quiz: in progress until submitted, or abandoned when its time
    (and grace period) ran out. Answers saved before then are kept."""

    class State(models.TextChoices):
        IN_PROGRESS = "in_progress", gettext_lazy("In progress")
        SUBMITTED = "submitted", gettext_lazy("Submitted")
        ABANDONED = "abandoned", gettext_lazy("Time ran out (not submitted)")

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="attempts")
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiz_attempts"
    )
    state = models.CharField(max_length=12, choices=State.choices, default=State.IN_PROGRESS)
    started_at = models.DateTimeField(default=timezone.now)
    deadline_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=gettext_lazy("When the time limit is reached (the attempt is overdue)."),
    )
    closes_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=gettext_lazy("The last moment it can be submitted (limit + grace)."),
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    score = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text=gettext_lazy("Marks from multiple-choice questions.")
    )
    overdue_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        indexes = [
            # The overdue scan: open attempts by deadline.
            models.Index(
                fields=["deadline_at"],
                name="attempt_open_deadline",
                condition=models.Q(state="in_progress"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.quiz} by {self.learner} ({self.state})"

    def get_absolute_url(self) -> str:
        return f"/quizzes/attempts/{self.pk}/"

    def is_closed_at(self, now) -> bool:
        return self.closes_at is not None and now > self.closes_at


class Answer(models.Model):
    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    choice = models.ForeignKey(
        Choice, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(blank=True)
    saved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["attempt", "question"], name="one_answer_per_question")
        ]

    def __str__(self) -> str:
        return f"{self.attempt_id}/{self.question_id}"
