"""Completing a course in the courses app completes the course sets and programs it finishes."""

from features.courses import actions as courses
from features.courses.factories import EnrolmentFactory
from features.programs import actions
from features.programs.models import Assignment, CourseCompletion
from features.programs.tests.conftest import courses_of, deliveries, in_days, received


def _enrol(user, program):
    return [EnrolmentFactory(user=user, course=course) for course in courses_of(program)]


def test_completing_the_last_course_completes_the_program_once(
    people, program, django_capture_on_commit_callbacks
):
    lee = people["lee"]
    actions.assign_users(program, [lee], due_at=in_days(30))
    first, second, last = _enrol(lee, program)
    with django_capture_on_commit_callbacks(execute=True):
        courses.complete_course(first)
        courses.complete_course(second)
    assert received(program.key("courseset_completed")) == {"lee"}
    assert received(program.key("completed")) == set()
    with django_capture_on_commit_callbacks(execute=True):
        courses.complete_course(last)
    assert received(program.key("completed")) == {"lee"}
    assert Assignment.objects.get(user=lee).completed_at == last.completed_at
    sent = deliveries()
    # Completing the courses again records and sends nothing more.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        for enrolment in (first, second, last):
            courses.complete_course(enrolment)
    assert callbacks == []
    assert deliveries() == sent
    assert CourseCompletion.objects.filter(user=lee).count() == 3


def test_a_stale_enrolment_does_not_complete_the_course_twice(people, program):
    lee = people["lee"]
    actions.assign_users(program, [lee], due_at=in_days(30))
    enrolment = _enrol(lee, program)[0]
    stale = type(enrolment).objects.get(pk=enrolment.pk)
    courses.complete_course(enrolment)
    courses.complete_course(stale)
    assert CourseCompletion.objects.filter(user=lee).count() == 1
    stale.refresh_from_db()
    assert stale.completed_at == enrolment.completed_at


def test_the_admins_mark_complete_action_completes_the_program(
    people, program, client, django_capture_on_commit_callbacks
):
    lee = people["lee"]
    actions.assign_users(program, [lee], due_at=in_days(30))
    enrolments = _enrol(lee, program)
    client.force_login(people["admin"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/courses/enrolment/",
            {"action": "mark_complete", "_selected_action": [e.pk for e in enrolments]},
        )
    assert response.status_code == 302
    assert received(program.key("completed")) == {"lee"}


def test_an_inactive_learner_completes_the_course_but_not_the_program(people, program):
    lee = people["lee"]
    actions.assign_users(program, [lee], due_at=in_days(30))
    enrolments = _enrol(lee, program)
    lee.is_active = False
    lee.save(update_fields=["is_active"])
    for enrolment in enrolments:
        courses.complete_course(enrolment)
        enrolment.refresh_from_db()
        assert enrolment.completed_at is not None
    assert not CourseCompletion.objects.exists()
    assert Assignment.objects.get(user=lee).completed_at is None
