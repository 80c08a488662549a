"""Admins assign learners, resolve exceptions, set messages up and record completions."""

import pytest

from alerts.models import Alert
from features.programs.models import (
    Assignment,
    AssignmentException,
    CourseCompletion,
    MessageSetting,
    Program,
)
from features.programs.tests.conftest import courses_of, in_days, make_program, received


@pytest.fixture
def admin_client(client, people):
    client.force_login(people["admin"])
    return client


def test_assigning_from_the_programs_list(people, admin_client):
    program = make_program()
    url = "/admin/programs/program/"
    form = {"action": "assign", "_selected_action": [program.pk]}
    page = admin_client.post(url, form).content.decode()
    assert "Assign learners" in page and "Team of" in page
    refused = admin_client.post(url, {**form, "apply": "1"}).content.decode()
    assert "Choose learners, a manager" in refused
    response = admin_client.post(
        url,
        {
            **form,
            "apply": "1",
            "learners": [people["lee"].pk],
            "team_of": people["mia"].pk,
            "due_date": in_days(20).date().isoformat(),
        },
        follow=True,
    )
    assert "3 assigned, 1 exception(s) raised" in response.content.decode()
    assert received("programs.enrolment") == {"lee", "lou", "sam"}
    assert received("programs.exception_report") == {"admin"}


def test_resolving_exceptions_from_the_report(people, admin_client):
    program = make_program()
    from features.programs import actions

    actions.assign_users(program, [people["lee"]], due_at=in_days(-1))
    exception = AssignmentException.objects.get()
    page = admin_client.get("/admin/programs/assignmentexception/?state=open").content.decode()
    assert "Lee Learner" in page
    admin_client.post(
        "/admin/programs/assignmentexception/",
        {"action": "assign_anyway", "_selected_action": [exception.pk]},
    )
    assert Assignment.objects.get().status == "active"
    assert received("programs.enrolment") == {"lee"}
    exception.refresh_from_db()
    assert exception.resolution == "assign" and exception.resolved_by == people["admin"]


def test_the_messages_tab_is_filled_and_checked(people, admin_client):
    response = admin_client.post(
        "/admin/programs/program/add/",
        {
            "name": "Compliance",
            "kind": "program",
            "allow_extension_requests": "on",
            "created_at_0": "2026-01-01",
            "created_at_1": "10:00:00",
            "course_sets-TOTAL_FORMS": "0",
            "course_sets-INITIAL_FORMS": "0",
            "message_settings-TOTAL_FORMS": "1",
            "message_settings-INITIAL_FORMS": "0",
            "message_settings-0-message": "recert_failed",
            "message_settings-0-enabled": "on",
        },
    )
    assert "Only certifications send re-certification messages." in response.content.decode()
    assert not Program.objects.exists()
    program = make_program()
    from features.programs.notices import ensure_message_settings

    ensure_message_settings(program)
    assert program.message_settings.count() == len(MessageSetting.messages_for("program"))


def test_recording_a_completion_completes_what_it_finishes(people, admin_client):
    program = make_program()
    from features.programs import actions

    actions.assign_users(program, [people["lee"]], due_at=in_days(20))
    course = courses_of(program)[2]
    admin_client.post(
        "/admin/programs/coursecompletion/add/", {"user": people["lee"].pk, "course": course.pk}
    )
    assert CourseCompletion.objects.get().course == course
    assert received("programs.courseset_completed") == {"lee"}
    assert Alert.objects.filter(key="programs.courseset_completed").count() == 1


def test_the_admin_lists_load(people, admin_client):
    program = make_program(Program.Kind.CERTIFICATION)
    from features.programs import actions

    actions.assign_users(program, [people["lee"]], due_at=in_days(20))
    for path in [
        "programs/program/",
        f"programs/program/{program.pk}/change/",
        "programs/assignment/",
        "programs/assignmentexception/",
        "programs/extensionrequest/",
        "programs/sentmessage/",
        "programs/coursecompletion/",
        "certifications/certification/",
        "certifications/learnercertification/",
    ]:
        assert admin_client.get(f"/admin/{path}").status_code == 200, path


def test_removing_assignments_from_the_admin_tells_the_learners(people, admin_client):
    program = make_program()
    from features.programs import actions

    actions.assign_users(program, [people["lee"], people["sam"]], due_at=in_days(20))
    ids = list(Assignment.objects.values_list("pk", flat=True))
    admin_client.post(
        "/admin/programs/assignment/", {"action": "unassign", "_selected_action": ids}
    )
    assert set(Assignment.objects.values_list("status", flat=True)) == {"removed"}
    assert received("programs.unenrolment") == {"lee", "sam"}
