"""Course completion: course sets, programs and their messages."""

import pytest
import time_machine
from django.core import mail

from features.certifications.models import LearnerCertification
from features.courses.factories import CourseFactory, EnrolmentFactory
from features.programs import actions
from features.programs.models import Assignment, CourseSet, MessageSetting, Program
from features.programs.tests.conftest import courses_of, deliveries, in_days, received, setting

Message = MessageSetting.Message


@pytest.fixture
def assigned(people, program):
    actions.assign_users(program, [people["lee"], people["lou"]], due_at=in_days(30))
    from alerts.models import Alert

    Alert.objects.all().delete()
    return program


def test_finishing_a_course_set_tells_the_learner(
    people, assigned, django_capture_on_commit_callbacks
):
    first, second, _third = courses_of(assigned)
    assert actions.complete_course(people["lee"], first) == []
    assert deliveries() == []
    with django_capture_on_commit_callbacks(execute=True):
        actions.complete_course(people["lee"], second)
    key = assigned.key("courseset_completed")
    assert deliveries() == [(key, "lee")]
    assert "You have completed Basics" in mail.outbox[0].subject


def test_finishing_every_course_set_completes_the_program(
    people, assigned, django_capture_on_commit_callbacks
):
    setting(assigned, Message.COMPLETED, notify_manager=True)
    with django_capture_on_commit_callbacks(execute=True):
        for course in courses_of(assigned):
            done = actions.complete_course(people["lee"], course)
    assert [a.user for a in done] == [people["lee"]]
    completed = assigned.key("completed")
    sets = assigned.key("courseset_completed")
    assert deliveries() == [(completed, "lee"), (completed, "mia"), (sets, "lee"), (sets, "lee")]
    lee = Assignment.objects.get(user=people["lee"])
    assert lee.completed_at is not None
    to_lee = [m for m in mail.outbox if m.to == ["lee@example.com"]]
    (congratulations,) = [m for m in to_lee if "Congratulations" in m.body]
    if assigned.kind == Program.Kind.CERTIFICATION:
        assert LearnerCertification.objects.get(assignment=lee).status == "certified"
        assert "Your certification is valid until" in congratulations.body
    else:
        assert "You have completed the program Induction on" in congratulations.body
    # Completing a course again changes nothing more.
    actions.complete_course(people["lee"], courses_of(assigned)[0])
    assert len(deliveries()) == 4


def test_any_one_course_completes_an_any_set(people, assigned):
    basics = assigned.course_sets.get(name="Basics")
    basics.completion = CourseSet.Completion.ANY
    basics.save()
    actions.complete_course(people["lou"], courses_of(assigned)[1])
    assert received(assigned.key("courseset_completed")) == {"lou"}


def test_completions_before_the_assignment_count(people, program):
    first, second, third = courses_of(program)
    actions.complete_course(people["sam"], first)
    EnrolmentFactory(user=people["sam"], course=second, completed_at=in_days(-3))
    actions.complete_course(people["sam"], third)
    assert deliveries() == []
    actions.assign_users(program, [people["sam"]], due_at=in_days(30))
    assert received(program.key("completed")) == {"sam"}
    assert received(program.key("enrolment")) == {"sam"}
    assert received(program.key("courseset_completed")) == {"sam"}


def test_a_course_outside_the_program_does_nothing(people, assigned):
    actions.complete_course(people["lee"], CourseFactory())
    assert deliveries() == []


def test_a_program_without_course_sets_is_never_complete(people):
    empty = Program.objects.create(name="Empty")
    actions.assign_users(empty, [people["lee"]])
    actions.complete_course(people["lee"], CourseFactory())
    assert not Assignment.objects.filter(completed_at__isnull=False).exists()


def test_an_inactive_user_cannot_complete(people, assigned):
    people["lee"].is_active = False
    people["lee"].save()
    with pytest.raises(actions.ProgramError, match="not an active user"):
        actions.complete_course(people["lee"], courses_of(assigned)[0])


def test_course_set_due_dates_follow_their_time_allowance(people, program):
    practice = program.course_sets.get(name="Practice")
    practice.time_allowance_days = 10
    practice.save()
    with time_machine.travel(in_days(0), tick=False):
        actions.assign_users(program, [people["lee"]], due_at=in_days(30))
        rows = {
            p.course_set.name: p.due_at
            for p in Assignment.objects.get().course_set_progress.select_related("course_set")
        }
        assert rows == {"Basics": in_days(30), "Practice": in_days(10)}
