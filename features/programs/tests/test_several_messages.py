"""Several messages of one type per program, as on Totara's Messages tab: "due" 14 days and
1 day before, each with its own offset, texts and manager copy, each sent once per occurrence
(the send log keys on the row); editing an offset resends nothing; deleting a row stops it."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from alerts.models import Alert
from features.programs import actions
from features.programs.models import MessageSetting, SentMessage
from features.programs.notices import ensure_message_settings
from features.programs.tests.conftest import make_program, messages_form
from features.programs.tests.test_scheduled import cron

Message = MessageSetting.Message


def subjects(username: str) -> list[str]:
    from alerts.presenting import Presenter

    rows = Alert.objects.filter(recipient__username=username).select_related(
        "event__sender", "event__message_type", "recipient"
    )
    viewer = rows[0].recipient if rows else None
    return sorted(Presenter(viewer).as_dict(a)["subject"] for a in rows) if viewer else []


@pytest.fixture
def start():
    return timezone.now()


@pytest.fixture
def two_reminders(people, program, start):
    """lee due in 30 days; "due" 14 days before (with a manager copy) and 1 day before."""
    ensure_message_settings(program)
    program.message_settings.exclude(message=Message.DUE).update(enabled=False)
    early = program.message_settings.get(message=Message.DUE)
    early.offset_days, early.notify_manager = 14, True
    early.subject = "Two weeks left for {{ NOUN }}".replace("NOUN", program.noun)
    early.save()
    late = MessageSetting.objects.create(
        program=program,
        message=Message.DUE,
        offset_days=1,
        subject="Tomorrow: {{ NOUN }} is due".replace("NOUN", program.noun),
    )
    with time_machine.travel(start, tick=False):
        actions.assign_users(program, [people["lee"]], due_at=start + timedelta(30))
    Alert.objects.all().delete()
    return early, late


def test_each_row_goes_once_at_its_own_offset_with_its_own_text(people, two_reminders, start):
    early, late = two_reminders
    cron(start + timedelta(days=15))
    assert subjects("lee") == []
    cron(start + timedelta(days=16, hours=1))
    assert subjects("lee") == ["Two weeks left for Induction"]
    assert subjects("mia") == ["Two weeks left for Induction"]  # this row copies the manager
    cron(start + timedelta(days=29, hours=1))
    assert subjects("lee") == ["Tomorrow: Induction is due", "Two weeks left for Induction"]
    assert subjects("mia") == ["Two weeks left for Induction"]  # that one does not
    logged = SentMessage.objects.filter(message=Message.DUE)
    assert sorted(logged.values_list("setting_id", flat=True)) == sorted([early.pk, late.pk])


def test_editing_an_offset_resends_nothing_and_deleting_a_row_stops_it(
    people, two_reminders, start
):
    early, late = two_reminders
    cron(start + timedelta(days=16, hours=1))
    early.offset_days = 20  # already sent for this due date: not again
    early.save()
    cron(start + timedelta(days=17))
    late.delete()
    cron(start + timedelta(days=29, hours=1))
    assert subjects("lee") == ["Two weeks left for Induction"]
    assert SentMessage.objects.filter(message=Message.DUE).count() == 1


@pytest.fixture
def admin_client(client, people):
    client.force_login(people["admin"])
    return client


def add_row(data, message, offset=""):
    i = int(data["message_settings-TOTAL_FORMS"])
    data["message_settings-TOTAL_FORMS"] = str(i + 1)
    prefix = f"message_settings-{i}-"
    data.update({prefix + "message": message, prefix + "enabled": "on"})
    data[prefix + "offset_days"] = offset
    return data


def test_the_admin_adds_a_second_reminder_but_not_a_second_enrolment_message(admin_client):
    program = make_program()
    ensure_message_settings(program)
    url = f"/admin/programs/program/{program.pk}/change/"
    data, _ = messages_form(program)
    response = admin_client.post(url, add_row(data, Message.ENROLMENT))
    assert response.status_code == 200
    assert "This message is sent when it happens: it has one row." in response.content.decode()
    assert program.message_settings.filter(message=Message.ENROLMENT).count() == 1

    data, _ = messages_form(program)
    response = admin_client.post(url, add_row(data, Message.DUE, "1"))
    assert response.status_code == 302
    offsets = program.message_settings.filter(message=Message.DUE).values_list("offset_days")
    assert sorted(o for (o,) in offsets) == [1, 7]


def test_the_admin_keeps_one_row_of_each_message(admin_client):
    program = make_program()
    ensure_message_settings(program)
    url = f"/admin/programs/program/{program.pk}/change/"
    data, rows = messages_form(program)
    due = next(i for i, r in enumerate(rows) if r.message == Message.DUE)
    data[f"message_settings-{due}-DELETE"] = "on"
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "untick “Enabled” to stop that message" in response.content.decode()
    assert program.message_settings.filter(message=Message.DUE).count() == 1
