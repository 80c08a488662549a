"""People, programs and helpers shared by the programs and certifications tests."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.factories import AdminFactory, UserFactory
from alerts.models import Alert
from features.courses.factories import CourseFactory
from features.job_assignments.factories import JobAssignmentFactory
from features.programs.factories import CourseSetFactory, ProgramFactory
from features.programs.models import MessageSetting, Program


@pytest.fixture
def people(db):
    """As in the demo: mia manages lee, lou and sam; tom stands in for her with lou."""
    admin = AdminFactory(username="admin", full_name="Ada Admin")
    mia = UserFactory(username="mia", full_name="Mia Manager")
    tom = UserFactory(username="tom", full_name="Tom Tempmanager")
    lee = UserFactory(username="lee", full_name="Lee Learner")
    lou = UserFactory(username="lou", full_name="Lou Learner")
    sam = UserFactory(username="sam", full_name="Sam Student")
    JobAssignmentFactory(user=lee, manager=mia)
    JobAssignmentFactory(
        user=lou,
        manager=mia,
        temp_manager=tom,
        temp_manager_expires_at=timezone.now() + timedelta(days=400),
    )
    JobAssignmentFactory(user=sam, manager=mia)
    return {"admin": admin, "mia": mia, "tom": tom, "lee": lee, "lou": lou, "sam": sam}


def make_program(kind: str = Program.Kind.PROGRAM, name: str = "Induction") -> Program:
    """A program of two course sets: Basics (two courses, all needed), Practice (one)."""
    program = ProgramFactory(name=name, kind=kind)
    if kind == Program.Kind.CERTIFICATION:
        from features.certifications.factories import CertificationFactory

        CertificationFactory(program=program, active_days=365, window_days=30)
    CourseSetFactory(
        program=program, name="Basics", position=1, courses=CourseFactory.create_batch(2)
    )
    CourseSetFactory(program=program, name="Practice", position=2)
    return program


@pytest.fixture(params=[Program.Kind.PROGRAM, Program.Kind.CERTIFICATION])
def program(request, db):
    """Each test using it runs for a program and for a certification (their message keys)."""
    return make_program(request.param)


def courses_of(program: Program):
    return [c for cs in program.course_sets.all() for c in cs.courses.order_by("pk")]


def setting(program: Program, message: str, **values) -> None:
    MessageSetting.objects.update_or_create(program=program, message=message, defaults=values)


def messages_form(program: Program) -> tuple[dict, list[MessageSetting]]:
    """The admin change form's data for the program as it is, its Messages rows in order."""
    rows = list(program.message_settings.order_by("pk"))
    data = {
        "name": program.name,
        "kind": program.kind,
        "created_at_0": "2026-01-01",
        "created_at_1": "10:00:00",
        "course_sets-TOTAL_FORMS": "0",
        "course_sets-INITIAL_FORMS": "0",
        "message_settings-TOTAL_FORMS": str(len(rows)),
        "message_settings-INITIAL_FORMS": str(len(rows)),
    }
    for i, row in enumerate(rows):
        prefix = f"message_settings-{i}-"
        data.update(
            {
                prefix + "id": str(row.pk),
                prefix + "program": str(program.pk),
                prefix + "message": row.message,
                prefix + "enabled": "on",
                prefix + "offset_days": "" if row.offset_days is None else str(row.offset_days),
            }
        )
    return data, rows


def received(key: str) -> set[str]:
    """Who received an alert or task of this key (usernames)."""
    return set(Alert.objects.filter(key=key).values_list("recipient__username", flat=True))


def deliveries() -> list[tuple[str, str]]:
    """Every (key, username) in the inbox, sorted: for 'and nobody else' checks."""
    return sorted(Alert.objects.values_list("key", "recipient__username"))


def in_days(days: float):
    return timezone.now() + timedelta(days=days)
