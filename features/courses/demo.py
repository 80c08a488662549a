"""Demo: the course "Workplace safety" with its trainer and learners, and course requests."""

from datetime import timedelta

from django.utils import timezone

from features.courses import actions
from features.courses.models import Course, CourseRequest, Enrolment, EnrolmentMethod

SHORT_NAME = "SAFETY"


def load(people) -> None:
    course, created = Course.objects.get_or_create(
        short_name=SHORT_NAME,
        defaults={
            "full_name": "Workplace safety",
            "summary": "Hazards, safety signs and what to do in an emergency.",
            "created_by": people["admin"],
        },
    )
    EnrolmentMethod.objects.get_or_create(
        course=course,
        method=Enrolment.Method.MANUAL,
        defaults={
            "expiry_notify": EnrolmentMethod.ExpiryNotify.ENROLLER_AND_USER,
            "notify_days_before": 7,
        },
    )
    EnrolmentMethod.objects.get_or_create(
        course=course,
        method=Enrolment.Method.SELF,
        defaults={
            "enrolment_days": 90,
            "expiry_notify": EnrolmentMethod.ExpiryNotify.ENROLLER,
            "notify_days_before": 7,
        },
    )
    if created:
        admin = people["admin"]
        actions.enrol_user(course, people["tara"], enrolled_by=admin, role=Enrolment.Role.TRAINER)
        actions.enrol_user(course, people["lee"], enrolled_by=admin)
        actions.enrol_user(course, people["lou"], enrolled_by=admin)
        # Sam's enrolment ends in five days: the expiry notice goes to Sam and the admin.
        actions.enrol_user(
            course, people["sam"], enrolled_by=admin, ends_at=timezone.now() + timedelta(days=5)
        )
        actions.notify_expiring_enrolments()
    if not CourseRequest.objects.filter(requester=people["tara"]).exists():
        approved = actions.request_course(
            people["tara"],
            full_name="Fire safety",
            short_name="FIRE",
            reason="Every site needs fire wardens trained this year.",
        )
        actions.approve_course_request(approved, people["admin"])
        actions.request_course(
            people["tara"],
            full_name="Manual handling",
            short_name="LIFT",
            reason="Back injuries in the warehouse.",
        )
