from django.conf import settings
from django.db import models
from django.utils import timezone


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
        LEARNER = "learner", "Learner"
        TRAINER = "trainer", "Trainer"

    class Method(models.TextChoices):
        MANUAL = "manual", "Manual enrolment"
        SELF = "self", "Self enrolment"

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


def trainers_of(course_id: int) -> list[int]:
    return list(
        Enrolment.objects.active()
        .trainers()
        .filter(course_id=course_id)
        .values_list("user_id", flat=True)
    )


def share_a_course(user_id: int, other_ids) -> set[int]:
    """Which of other_ids are enrolled (actively) in a course with user_id. One query."""
    mine = Enrolment.objects.active().filter(user_id=user_id).values("course_id")
    return set(
        Enrolment.objects.active()
        .filter(course_id__in=mine, user_id__in=list(other_ids))
        .values_list("user_id", flat=True)
    )


def teaches_with(trainer_id: int, other_ids) -> set[int]:
    """Which of other_ids are in a course that trainer_id teaches. One query."""
    taught = Enrolment.objects.active().trainers().filter(user_id=trainer_id).values("course_id")
    return set(
        Enrolment.objects.active()
        .filter(course_id__in=taught, user_id__in=list(other_ids))
        .values_list("user_id", flat=True)
    )
