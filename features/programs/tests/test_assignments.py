"""Assigning learners (individually, a manager's team), exceptions, unassigning."""

import pytest
from django.core import mail

from alerts.models import Alert
from features.programs import actions
from features.programs.models import (
    Assignment,
    AssignmentException,
    CourseSetProgress,
    MessageSetting,
    Source,
)
from features.programs.tests.conftest import deliveries, in_days, received, setting

Message = MessageSetting.Message


def test_assigning_a_learner_tells_them_and_nobody_else(
    people, program, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        result = actions.assign_users(
            program, [people["lee"]], due_at=in_days(30), actor=people["admin"]
        )
    assert [a.user for a in result.assigned] == [people["lee"]]
    key = program.key("enrolment")
    assert deliveries() == [(key, "lee")]
    assert [m.to for m in mail.outbox] == [["lee@example.com"]]
    assert f"You have been enrolled in {program.name}" in mail.outbox[0].subject
    assert "Please complete it by" in mail.outbox[0].body
    assert CourseSetProgress.objects.filter(assignment__user=people["lee"]).count() == 2


def test_the_manager_gets_a_copy_when_the_program_says_so(
    people, program, django_capture_on_commit_callbacks
):
    setting(program, Message.ENROLMENT, notify_manager=True)
    with django_capture_on_commit_callbacks(execute=True):
        actions.assign_users(program, [people["lou"]], due_at=in_days(30))
    key = program.key("enrolment")
    assert deliveries() == [(key, "lou"), (key, "mia"), (key, "tom")]
    bodies = {m.to[0]: m.body for m in mail.outbox}
    assert "As the manager of Lou Learner" in bodies["mia@example.com"]
    assert "As the manager of" not in bodies["lou@example.com"]


def test_assigning_a_managers_team_assigns_everyone_they_manage(people, program):
    result = actions.assign_team(program, people["mia"], due_at=in_days(30))
    assert {a.user.username for a in result.assigned} == {"lee", "lou", "sam"}
    assert set(Assignment.objects.values_list("source", "source_id")) == {
        (Source.MANAGER_TEAM, people["mia"].pk)
    }
    assert received(program.key("enrolment")) == {"lee", "lou", "sam"}
    with pytest.raises(actions.ProgramError, match="manages nobody"):
        actions.assign_team(program, people["lee"])


def test_a_due_date_already_past_waits_on_an_exception_reported_to_site_admins(
    people, program, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        result = actions.assign_users(program, [people["lee"]], due_at=in_days(-1))
    assert result.assigned == []
    assignment = Assignment.objects.get()
    assert assignment.status == Assignment.Status.EXCEPTION
    exception = AssignmentException.objects.get()
    assert (exception.kind, exception.assignment, exception.resolved_at) == (
        AssignmentException.Kind.PAST_DUE,
        assignment,
        None,
    )
    assert deliveries() == [(program.key("exception_report"), "admin")]
    alert = Alert.objects.get()
    assert alert.urgency == "urgent"
    assert "has already passed" in mail.outbox[0].body
    assert "Learner: Lee Learner" in mail.outbox[0].body


def test_one_report_tells_of_many_learners(people, program):
    actions.assign_users(program, [people["lee"], people["lou"], people["sam"]], due_at=in_days(-1))
    assert deliveries() == [(program.key("exception_report"), "admin")]
    context = Alert.objects.get().event.context
    assert "3 learners: Lee Learner, Lou Learner, Sam Student" in context["exception"]
    assert AssignmentException.objects.count() == 3


def test_a_learner_assigned_twice_is_an_exception_not_a_second_assignment(people, program):
    actions.assign_users(program, [people["lee"]], due_at=in_days(30))
    Alert.objects.all().delete()
    result = actions.assign_team(program, people["mia"], due_at=in_days(60))
    assert {a.user.username for a in result.assigned} == {"lou", "sam"}
    lee = Assignment.objects.get(user=people["lee"])
    assert lee.source == Source.INDIVIDUAL
    exception = AssignmentException.objects.get()
    assert (exception.kind, exception.user, exception.assignment) == (
        AssignmentException.Kind.DUPLICATE,
        people["lee"],
        lee,
    )
    assert received(program.key("exception_report")) == {"admin"}
    assert received(program.key("enrolment")) == {"lou", "sam"}
    # The same source again: nothing new, no second report.
    Alert.objects.all().delete()
    again = actions.assign_team(program, people["mia"], due_at=in_days(60))
    assert again.assigned == [] and again.exceptions == [] and len(again.unchanged) == 3
    assert not Alert.objects.exists()


def test_resolving_a_duplicate_can_give_the_requested_due_date(people, program):
    actions.assign_users(program, [people["lee"]], due_at=in_days(30))
    actions.assign_team(program, people["mia"], due_at=in_days(60))
    exception = AssignmentException.objects.get()
    actions.resolve_exception(exception, "assign", actor=people["admin"])
    lee = Assignment.objects.get(user=people["lee"])
    assert lee.due_at == exception.requested_due_at
    with pytest.raises(actions.ProgramError, match="already resolved"):
        actions.resolve_exception(exception, "dismiss")


def test_resolving_a_past_due_exception_assigns_anyway_or_drops_it(people, program):
    actions.assign_users(program, [people["lee"], people["lou"]], due_at=in_days(-1))
    lee, lou = AssignmentException.objects.order_by("user__username")
    Alert.objects.all().delete()
    with pytest.raises(actions.ProgramError, match="future"):
        actions.resolve_exception(lee, "set_due", due_at=in_days(-2))
    actions.resolve_exception(lee, "set_due", due_at=in_days(10), actor=people["admin"])
    actions.resolve_exception(lou, "dismiss", actor=people["admin"])
    assert dict(Assignment.objects.values_list("user__username", "status")) == {
        "lee": "active",
        "lou": "removed",
    }
    assert deliveries() == [(program.key("enrolment"), "lee")]


def test_a_switched_off_message_is_not_sent(people, program):
    setting(program, Message.ENROLMENT, enabled=False)
    setting(program, Message.EXCEPTION_REPORT, enabled=False)
    actions.assign_users(program, [people["lee"]], due_at=in_days(30))
    actions.assign_users(program, [people["lou"]], due_at=in_days(-1))
    assert not Alert.objects.exists()
    assert AssignmentException.objects.count() == 1  # recorded all the same


def test_bad_input_is_refused_and_changes_nothing(people, program):
    with pytest.raises(actions.ProgramError, match="No active user with id 999999"):
        actions.assign_users(program, [people["lee"].pk, 999999], due_at=in_days(30))
    with pytest.raises(actions.ProgramError, match="which manager or audience"):
        actions.assign_users(program, [people["lee"]], source="audience")
    assert not Assignment.objects.exists()
    assert not Alert.objects.exists()


def test_audiences_can_assign_through_assign_users(people, program):
    result = actions.assign_users(
        program, [people["sam"].pk], source=Source.AUDIENCE, source_id=42, due_at=in_days(9)
    )
    assert (result.assigned[0].source, result.assigned[0].source_id) == ("audience", 42)
    assert received(program.key("enrolment")) == {"sam"}


def test_unassigning_tells_the_learner_and_cancels_what_waits(people, program):
    setting(program, Message.UNENROLMENT, notify_manager=True)
    actions.assign_users(program, [people["lee"], people["lou"]], due_at=in_days(30))
    assignment = Assignment.objects.get(user=people["lou"])
    actions.request_extension(assignment, people["lou"], in_days(40).date(), "Busy")
    Alert.objects.all().delete()
    assert actions.unassign_users(program, [people["lou"]], actor=people["admin"]) == 1
    key = program.key("unenrolment")
    assert deliveries() == [(key, "lou"), (key, "mia"), (key, "tom")]
    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.REMOVED
    assert assignment.extension_requests.get().status == "cancelled"
    # Assigning again later is a fresh assignment, not a duplicate.
    result = actions.assign_users(program, [people["lou"]], due_at=in_days(30))
    assert len(result.assigned) == 1 and result.exceptions == []


def test_assigning_an_audience_assigns_its_members_and_later_only_newcomers(people, program):
    from features.audiences.actions import add_members
    from features.audiences.models import Audience

    audience = Audience.objects.create(name="Warehouse", type=Audience.Type.SET)
    with pytest.raises(actions.ProgramError, match="no members"):
        actions.assign_audience(program, audience)
    add_members(audience, [people["lee"], people["lou"]])
    result = actions.assign_audience(program, audience, due_at=in_days(30))
    assert {a.user.username for a in result.assigned} == {"lee", "lou"}
    assert set(Assignment.objects.values_list("source", "source_id")) == {
        (Source.AUDIENCE, audience.pk)
    }
    add_members(audience, [people["sam"]])
    again = actions.assign_audience(program, audience, due_at=in_days(30))
    assert {a.user.username for a in again.assigned} == {"sam"}
    assert received(program.key("enrolment")) == {"lee", "lou", "sam"}
