from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy


class FeedbackActivity(models.Model):
    """A course feedback activity: questions the course's learners answer once."""

    course = models.ForeignKey(
        "courses.Course", on_delete=models.CASCADE, related_name="feedback_activities"
    )
    name = models.CharField(max_length=255)
    description = models.TextField(blank=True)
    anonymous = models.BooleanField(
        default=False,
        help_text=gettext_lazy("Hide who gave each response from trainers and administrators."),
    )
    notify_submissions = models.BooleanField(
        default=False,
        help_text=gettext_lazy(
            "Enable notification of submissions: the course's trainers and the feedback "
            "administrators are emailed for every response."
        ),
    )
    administrators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="administered_feedback",
        help_text=gettext_lazy(
            "Feedback administrators: they see the responses and are told of submissions."
        ),
    )
    completion_required = models.BooleanField(
        default=False,
        help_text=gettext_lazy(
            "The course completes only when the learner has submitted this feedback."
        ),
    )
    opens_at = models.DateTimeField(default=timezone.now)
    closes_at = models.DateTimeField(
        null=True, blank=True, help_text=gettext_lazy("Empty: never closes.")
    )
    remind_after_days = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text=gettext_lazy(
            "Remind the learners who have not answered this many days after it opens "
            "(once each). Empty: no automatic reminder."
        ),
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = gettext_lazy("feedback activity")
        verbose_name_plural = gettext_lazy("feedback activities")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return f"/feedback/{self.pk}/"

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.opens_at <= now and (self.closes_at is None or now < self.closes_at)


class FeedbackQuestion(models.Model):
    class Kind(models.TextChoices):
        TEXT = "text", gettext_lazy("Free text")
        RATING = "rating", gettext_lazy("Rating from 1 to 5")

    activity = models.ForeignKey(
        FeedbackActivity, on_delete=models.CASCADE, related_name="questions"
    )
    text = models.CharField(max_length=500)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.TEXT)
    required = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.text


class FeedbackResponse(models.Model):
    """A learner's one response. The respondent is kept (to know who has answered) even when
    the activity is anonymous; pages and messages then hide it."""

    activity = models.ForeignKey(
        FeedbackActivity, on_delete=models.CASCADE, related_name="responses"
    )
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feedback_responses"
    )
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "respondent"], name="one_response_per_learner"
            )
        ]

    def __str__(self) -> str:
        return f"{self.activity} response #{self.pk}"


class FeedbackAnswer(models.Model):
    response = models.ForeignKey(FeedbackResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(FeedbackQuestion, on_delete=models.CASCADE, related_name="+")
    value = models.TextField(blank=True)

    class Meta:
        ordering = ["question__position", "question_id"]

    def __str__(self) -> str:
        return self.value[:60]
