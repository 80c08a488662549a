"""Demo: a first aid certification for lee, lou and sam; sam is certified already."""

from datetime import timedelta

from django.utils import timezone

from features.certifications.actions import create_certification
from features.certifications.models import Certification
from features.courses.models import Course
from features.programs import actions
from features.programs.models import CourseSet


def load(people: dict) -> None:
    course, _ = Course.objects.get_or_create(
        short_name="CERT-FIRSTAID", defaults={"full_name": "First aid at work"}
    )
    certification = Certification.objects.filter(program__name="First aid certificate").first()
    if certification is None:
        certification = create_certification(
            "First aid certificate", active_days=365, window_days=60
        )
        course_set = CourseSet.objects.create(
            program=certification.program, name="First aid", position=1
        )
        course_set.courses.set([course])
    program = certification.program
    if program.assignments.exists():
        return
    actions.assign_users(
        program,
        [people["lee"], people["lou"], people["sam"]],
        due_at=timezone.now() + timedelta(days=45),
        actor=people["admin"],
    )
    actions.complete_course(people["sam"], course)
