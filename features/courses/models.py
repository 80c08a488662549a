from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy, pgettext_lazy


class Course(models.Model):
    """A course: learners enrolled in it, trainers who teach it."""

    full_name = models.CharField(max_length=255)
    short_name = models.CharField(max_length=100, unique=True)
    summary = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["full_name"]

    def __str__(self) -> str:
        return self.full_name

    def get_absolute_url(self) -> str:
        return f"/courses/{self.pk}/"


class EnrolmentQuerySet(models.QuerySet):
    def active(self, now=None):
        now = now or timezone.now()
        return self.filter(models.Q(ends_at__isnull=True) | models.Q(ends_at__gt=now))

    def trainers(self):
        return self.filter(role=Enrolment.Role.TRAINER)

    def learners(self):
        return self.filter(role=Enrolment.Role.LEARNER)


class Enrolment(models.Model):
    """A user's place in a course, as learner or trainer, by a method, until an optional end."""

    class Role(models.TextChoices):
        LEARNER = "learner", gettext_lazy("Learner")
        TRAINER = "trainer", gettext_lazy("Trainer")

    class Method(models.TextChoices):
        MANUAL = "manual", gettext_lazy("Manual enrolment")
        SELF = "self", gettext_lazy("Self enrolment")

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="enrolments")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolments"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.LEARNER)
    method = models.CharField(max_length=10, choices=Method.choices, default=Method.MANUAL)
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    starts_at = models.DateTimeField(default=timezone.now)
    ends_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    expiry_notified_for = models.DateTimeField(
        null=True,
        blank=True,
        help_text=gettext_lazy(
            "The end date the expiry notice was sent for (a new end date is notified again)."
        ),
    )

    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["course", "user", "role"], name="one_enrolment_per_role"
            )
        ]
        # "Who shares a course with whom" (messaging privacy) and a user's courses.
        indexes = [models.Index(fields=["user", "course"], name="enrolment_user_course")]

    def __str__(self) -> str:
        return f"{self.user} in {self.course} ({self.role})"


class EnrolmentMethod(models.Model):
    """How users may join one course by one method, and who is told before such enrolments end.

    A course without a row for a method uses the defaults: manual enrolment open, self
    enrolment closed, no expiry notices.
    """

    class ExpiryNotify(models.TextChoices):
        NONE = "none", gettext_lazy("Nobody")
        ENROLLER = "enroller", gettext_lazy("Enroller only")
        ENROLLER_AND_USER = "enroller_and_user", gettext_lazy("Enroller and enrolled user")

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="enrolment_methods")
    method = models.CharField(max_length=10, choices=Enrolment.Method.choices)
    enabled = models.BooleanField(
        default=True,
        help_text=gettext_lazy("Self enrolment: whether users may enrol themselves now."),
    )
    enrolment_days = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text=gettext_lazy(
            "How many days an enrolment by this method lasts; empty for no end date."
        ),
    )
    expiry_notify = models.CharField(
        max_length=20,
        choices=ExpiryNotify.choices,
        default=ExpiryNotify.NONE,
        help_text=gettext_lazy(
            "Who is told before an enrolment by this method ends. The enroller is whoever "
            "enrolled the user, or the course's trainers for self enrolments."
        ),
    )
    notify_days_before = models.PositiveSmallIntegerField(
        default=1, help_text=gettext_lazy("How many days before the end date the notice is sent.")
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["course", "method"], name="one_setting_per_method")
        ]

    def __str__(self) -> str:
        return f"{self.course}: {self.get_method_display()}"


class CourseRequest(models.Model):
    """A user's request for a new course, approved (creating the course) or rejected by an admin."""

    class Status(models.TextChoices):
        PENDING = "pending", gettext_lazy("Pending")
        APPROVED = "approved", pgettext_lazy("course request status", "Approved")
        REJECTED = "rejected", pgettext_lazy("course request status", "Rejected")

    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="course_requests"
    )
    full_name = models.CharField(max_length=255)
    short_name = models.CharField(max_length=100)
    summary = models.TextField(blank=True)
    reason = models.TextField(
        blank=True, help_text=gettext_lazy("Why the requester needs this course.")
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.TextField(blank=True)
    course = models.ForeignKey(
        Course,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=gettext_lazy("The course created when the request was approved."),
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.short_name}), by {self.requester}"


class CourseRequestRecipient(models.Model):
    """Someone told of every new course request. With nobody listed, the site admins are."""

    # Staff only: the request is approved in the admin, which the notice links.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        limit_choices_to={"is_staff": True},
    )

    def __str__(self) -> str:
        return str(self.user)


def trainers_of(course_id: int) -> list[int]:
    return list(
        Enrolment.objects.active()
        .trainers()
        .filter(course_id=course_id)
        .values_list("user_id", flat=True)
    )


class ActivityCompletion(models.Model):
    """A learner's completion of one activity a course may require: an assignment graded
    passed, a quiz passed, a feedback submitted, a seminar attended. Written once (the first
    time); the course completes when every activity it requires has one (courses.completion)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="activity_completions"
    )
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="+")
    activity = models.CharField(
        max_length=60,
        help_text=gettext_lazy('The activity, as "<app>.<model>:<id>" (e.g. "quizzes.quiz:3").'),
    )
    completed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "activity"], name="one_completion_per_activity")
        ]
        indexes = [models.Index(fields=["course", "user"], name="activity_completion_course")]

    def __str__(self) -> str:
        return f"{self.user} completed {self.activity}"
