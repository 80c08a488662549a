"""A program's own subject, text and manager text, as on Totara's Messages tab."""

from django.core import mail

from features.programs import actions
from features.programs.models import MessageSetting
from features.programs.tests.conftest import in_days, make_program, messages_form, setting

Message = MessageSetting.Message


def emails_by_address():
    return {m.to[0]: m for m in mail.outbox}


def test_a_programs_own_subject_and_text_reach_the_learner_and_the_managers(
    people, program, django_capture_on_commit_callbacks
):
    noun = "{{ " + program.noun + " }}"
    setting(
        program,
        Message.ENROLMENT,
        notify_manager=True,
        subject=f"Welcome to {noun}",
        body="{{ learner }}, start " + noun + " this week.",
        manager_text="Please support {{ learner }} in this.",
    )
    with django_capture_on_commit_callbacks(execute=True):
        actions.assign_users(program, [people["lou"]], due_at=in_days(30))
    sent = emails_by_address()
    assert sorted(sent) == ["lou@example.com", "mia@example.com", "tom@example.com"]
    learner, manager = sent["lou@example.com"], sent["mia@example.com"]
    assert learner.subject == manager.subject == f"Welcome to {program.name}"
    assert f"Lou Learner, start {program.name} this week." in learner.body
    assert "Please support" not in learner.body
    # The manager's text comes first, then the program's own text, in place of the standard line.
    assert manager.body.index("Please support Lou Learner in this.") < manager.body.index("start ")
    assert "As the manager of" not in manager.body


def test_a_programs_own_text_keeps_the_managers_standard_line_when_it_has_no_own(
    people, django_capture_on_commit_callbacks
):
    program = make_program()
    setting(program, Message.ENROLMENT, notify_manager=True, body="Start {{ program }} soon.")
    with django_capture_on_commit_callbacks(execute=True):
        actions.assign_users(program, [people["lee"]], due_at=in_days(30))
    sent = emails_by_address()
    assert "As the manager of Lee Learner" in sent["mia@example.com"].body
    assert "Start Induction soon." in sent["mia@example.com"].body
    assert "As the manager of" not in sent["lee@example.com"].body
    # The subject was left empty: the message type's own, in the learner's language.
    assert sent["lee@example.com"].subject == "You have been enrolled in Induction"


def test_the_web_inbox_shows_the_programs_own_text(people, client):
    program = make_program()
    setting(program, Message.ENROLMENT, subject="Your plan: {{ program }}")
    actions.assign_users(program, [people["lee"]], due_at=in_days(30))
    client.force_login(people["lee"])
    assert "Your plan: Induction" in client.get("/alerts/").content.decode()


def test_the_exception_report_uses_the_programs_own_text(
    people, django_capture_on_commit_callbacks
):
    program = make_program()
    setting(program, Message.EXCEPTION_REPORT, subject="Check {{ program }}: {{ exception }}")
    with django_capture_on_commit_callbacks(execute=True):
        actions.assign_users(program, [people["lee"]], due_at=in_days(-1))
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject.startswith("Check Induction: the due date ")
    assert mail.outbox[0].subject.endswith("has already passed")
    assert mail.outbox[0].to == ["admin@example.com"]


def test_texts_that_would_not_render_are_refused_in_the_admin(people, admin_client):
    program = make_program()
    from features.programs.notices import ensure_message_settings

    ensure_message_settings(program)
    data, rows = messages_form(program)
    enrolment = next(i for i, r in enumerate(rows) if r.message == Message.ENROLMENT)
    data[f"message_settings-{enrolment}-subject"] = "Welcome to {{ programme }}"
    data[f"message_settings-{enrolment}-manager_text"] = "{% if learner %}unclosed"
    response = admin_client.post(f"/admin/programs/program/{program.pk}/change/", data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Unknown placeholder {{ programme }}" in page
    assert "syntax error" in page
    assert not program.message_settings.exclude(subject="").exists()

    data[f"message_settings-{enrolment}-subject"] = "Welcome to {{ program }}"
    data[f"message_settings-{enrolment}-manager_text"] = "As {{ learner }}'s manager:"
    response = admin_client.post(f"/admin/programs/program/{program.pk}/change/", data)
    assert response.status_code == 302
    saved = program.message_settings.get(message=Message.ENROLMENT)
    assert (saved.subject, saved.manager_text) == (
        "Welcome to {{ program }}",
        "As {{ learner }}'s manager:",
    )
    page = admin_client.get(f"/admin/programs/program/{program.pk}/change/").content.decode()
    assert "<code>{{ program }}</code>" in page
