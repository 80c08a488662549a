"""Course completion from activity: the activities a course requires, and what completes it.

An activity of a course (an assignment, a quiz, a feedback, a seminar) may be required for the
course's completion (`completion_required`). Each activity records a learner's completion of
it here when it happens (graded passed, passed, submitted, fully attended); when a learner has
completed every activity their course requires, the course completes for them through
courses.actions.complete_courses, exactly as the admin's "Mark complete" does, so course
sets, programs and certifications complete and tell them once.

Courses do not import the activities (they build on courses): they are named here.
"""

from __future__ import annotations

from collections import defaultdict

from django.apps import apps
from django.db import transaction
from django.utils import timezone

from features.courses.models import ActivityCompletion, Enrolment

# The activity models a course may require: each has `course` and `completion_required`.
ACTIVITY_MODELS = (
    "assignments.Assignment",
    "quizzes.Quiz",
    "feedback.FeedbackActivity",
    "seminars.Seminar",
)


def activity_key(activity) -> str:
    """How an activity is named in ActivityCompletion: "<app>.<model>:<id>"."""
    return f"{activity._meta.label_lower}:{activity.pk}"


def required_activities(course_id: int) -> set[str]:
    """The keys of the activities the course requires: one query per kind of activity."""
    required: set[str] = set()
    for label in ACTIVITY_MODELS:
        model = apps.get_model(label)
        for pk in model.objects.filter(course_id=course_id, completion_required=True).values_list(
            "pk", flat=True
        ):
            required.add(f"{model._meta.label_lower}:{pk}")
    return required


@transaction.atomic
def record(activity, user_ids, now=None) -> list[Enrolment]:
    """Records that the learners `user_ids` completed `activity`, then completes the course
    for those who have now completed every activity it requires. A constant number of
    queries however many learners. Idempotent: a completion is recorded once, a course
    completes once. Returns the enrolments this completed."""
    course_id = activity.course_id
    user_ids = sorted(set(user_ids))
    if course_id is None or not user_ids:
        return []
    now = now or timezone.now()
    ActivityCompletion.objects.bulk_create(
        [
            ActivityCompletion(
                user_id=u, course_id=course_id, activity=activity_key(activity), completed_at=now
            )
            for u in user_ids
        ],
        ignore_conflicts=True,
    )
    if not activity.completion_required:
        return []
    return complete_if_done(course_id, user_ids, now=now)


def complete_if_done(course_id: int, user_ids, now=None) -> list[Enrolment]:
    """Completes the course for the learners among `user_ids` who have completed every
    activity it requires (nothing when it requires none: then only the admin completes it)."""
    from features.courses.actions import complete_courses

    required = required_activities(course_id)
    if not required:
        return []
    done: dict[int, set[str]] = defaultdict(set)
    for user_id, key in ActivityCompletion.objects.filter(
        course_id=course_id, user_id__in=list(user_ids), activity__in=required
    ).values_list("user_id", "activity"):
        done[user_id].add(key)
    finished = [u for u in user_ids if done[u] >= required]
    if not finished:
        return []
    enrolments = list(
        Enrolment.objects.learners()
        .filter(course_id=course_id, user_id__in=finished, completed_at__isnull=True)
        .select_related("course", "user")
    )
    complete_courses(enrolments, now=now)
    return enrolments


def progress(course_id: int, user_id: int) -> tuple[int, int]:
    """(completed, required) activities of the course for one learner."""
    required = required_activities(course_id)
    done = ActivityCompletion.objects.filter(
        course_id=course_id, user_id=user_id, activity__in=required
    ).count()
    return done, len(required)
