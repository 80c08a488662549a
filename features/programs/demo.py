"""Demo: an induction program of two course sets for lee, lou and sam, some due soon; lee has
finished the first set; lou asks mia (and tom, lou's temporary manager) for an extension."""

from datetime import timedelta

from django.utils import timezone

from features.courses.models import Course
from features.programs import actions
from features.programs.models import CourseSet, ExtensionRequest, MessageSetting, Program
from features.programs.notices import ensure_message_settings
from features.programs.triggers import send_scheduled_messages

COURSES = [
    ("PRG-WELCOME", "Welcome to the company"),
    ("PRG-SAFETY", "Health and safety basics"),
    ("PRG-TOOLS", "Our tools and systems"),
]


def load(people: dict) -> None:
    courses = [
        Course.objects.get_or_create(short_name=short, defaults={"full_name": name})[0]
        for short, name in COURSES
    ]
    program, created = Program.objects.get_or_create(
        name="New starter induction",
        defaults={"summary": "What every new colleague completes in their first weeks."},
    )
    if created:
        ensure_message_settings(program)
        MessageSetting.objects.filter(
            program=program,
            message__in=[MessageSetting.Message.DUE, MessageSetting.Message.OVERDUE],
        ).update(notify_manager=True)
        first = CourseSet.objects.create(program=program, name="Getting started", position=1)
        first.courses.set(courses[:2])
        second = CourseSet.objects.create(program=program, name="Ways of working", position=2)
        second.courses.set(courses[2:])
    if program.assignments.exists():
        return
    now = timezone.now()
    admin = people["admin"]
    actions.assign_users(
        program, [people["lee"], people["sam"]], due_at=now + timedelta(days=5), actor=admin
    )
    actions.assign_users(program, [people["lou"]], due_at=now + timedelta(days=21), actor=admin)
    for course in courses[:2]:
        actions.complete_course(people["lee"], course)
    lou = program.assignments.get(user=people["lou"])
    if not ExtensionRequest.objects.filter(assignment=lou).exists():
        actions.request_extension(
            lou,
            people["lou"],
            (timezone.localtime(lou.due_at) + timedelta(days=14)).date(),
            "I am on leave for two weeks this month.",
        )
    send_scheduled_messages()
