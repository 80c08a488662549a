"""Demo: a manual badge Tara awards to Lee, and a completion badge Lee earns."""

from features.badges import actions
from features.badges.models import Award, Badge
from features.courses.actions import complete_course
from features.courses.models import Course, Enrolment


def load(people) -> None:
    course = Course.objects.filter(short_name="SAFETY").first()
    if course is None:
        return
    champion, _ = Badge.objects.get_or_create(
        course=course,
        name="Safety champion",
        defaults={
            "description": "Spotted hazards before they hurt anyone.",
            "issuer": "The safety team",
            "criterion": Badge.Criterion.MANUAL,
            "created_by": people["admin"],
        },
    )
    Badge.objects.get_or_create(
        course=course,
        name="Workplace safety certified",
        defaults={
            "description": "Completed the Workplace safety course.",
            "issuer": "The safety team",
            "criterion": Badge.Criterion.COURSE_COMPLETION,
            "created_by": people["admin"],
        },
    )
    lee = people["lee"]
    if not Award.objects.filter(badge=champion, user=lee).exists():
        actions.award_badge(champion, lee, people["tara"])
    enrolment = Enrolment.objects.learners().filter(course=course, user=lee).first()
    if enrolment and enrolment.completed_at is None:
        complete_course(enrolment)
