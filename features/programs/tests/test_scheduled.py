"""Time-based messages: due, overdue, course set due and overdue, follow-up. Each goes out once
per learner and occurrence however often cron runs, and editing an offset resends nothing."""

from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from alerts.models import Alert
from features.programs import actions
from features.programs.models import Assignment, MessageSetting, SentMessage
from features.programs.tests.conftest import courses_of, deliveries, received, setting

Message = MessageSetting.Message
JOB = "programs.send_scheduled_messages"


def cron(at, times: int = 2):
    with time_machine.travel(at, tick=False):
        for _ in range(times):
            call_command("cron", JOB, stdout=StringIO())


@pytest.fixture
def start():
    return timezone.now()


@pytest.fixture
def assigned(people, program, start):
    """lee and lou, due in 30 days; Practice has a 10-day allowance; only program messages on."""
    practice = program.course_sets.get(name="Practice")
    practice.time_allowance_days = 10
    practice.save()
    with time_machine.travel(start, tick=False):
        actions.assign_users(program, [people["lee"], people["lou"]], due_at=start + timedelta(30))
    Alert.objects.all().delete()
    return program


def only(program, *messages):
    scheduled = [
        Message.DUE,
        Message.OVERDUE,
        Message.COURSESET_DUE,
        Message.COURSESET_OVERDUE,
        Message.LEARNER_FOLLOWUP,
    ]
    for message in scheduled:
        setting(program, message, enabled=message in messages)


def test_due_goes_out_n_days_before_once(people, assigned, start):
    only(assigned, Message.DUE)
    setting(assigned, Message.DUE, offset_days=7, notify_manager=True)
    cron(start + timedelta(days=22))
    assert deliveries() == []
    cron(start + timedelta(days=23, hours=1))
    key = assigned.key("due")
    assert deliveries() == [(key, "lee"), (key, "lou"), (key, "mia"), (key, "mia"), (key, "tom")]
    cron(start + timedelta(days=25))
    assert len(deliveries()) == 5


def test_overdue_goes_out_n_days_after_once_and_not_to_those_who_completed(people, assigned, start):
    only(assigned, Message.OVERDUE)
    setting(assigned, Message.OVERDUE, offset_days=2)
    with time_machine.travel(start + timedelta(days=1), tick=False):
        for course in courses_of(assigned):
            actions.complete_course(people["lou"], course)
    Alert.objects.all().delete()
    cron(start + timedelta(days=31))
    assert deliveries() == []
    cron(start + timedelta(days=32, hours=1))
    assert deliveries() == [(assigned.key("overdue"), "lee")]
    alert = Alert.objects.get()
    assert alert.urgency == "urgent"
    cron(start + timedelta(days=40))
    assert len(deliveries()) == 1


def test_course_sets_are_due_and_overdue_by_their_own_dates(people, assigned, start):
    only(assigned, Message.COURSESET_DUE, Message.COURSESET_OVERDUE)
    setting(assigned, Message.COURSESET_DUE, offset_days=7)
    setting(assigned, Message.COURSESET_OVERDUE, offset_days=1)
    cron(start + timedelta(days=4))
    due = assigned.key("courseset_due")
    assert deliveries() == [(due, "lee"), (due, "lou")]
    assert {a.event.context["course_set"] for a in Alert.objects.all()} == {"Practice"}
    with time_machine.travel(start + timedelta(days=5), tick=False):
        actions.complete_course(people["lou"], courses_of(assigned)[2])
    Alert.objects.filter(key=assigned.key("courseset_completed")).delete()
    cron(start + timedelta(days=11, hours=1))
    overdue = assigned.key("courseset_overdue")
    assert received(overdue) == {"lee"}
    cron(start + timedelta(days=24))
    basics = Alert.objects.filter(key=due, event__context__course_set="Basics")
    assert set(basics.values_list("recipient__username", flat=True)) == {"lee", "lou"}
    cron(start + timedelta(days=26))
    assert Alert.objects.filter(key=due).count() == 4
    assert Alert.objects.filter(key=overdue).count() == 1


def test_the_follow_up_goes_out_n_days_after_completion(people, assigned, start):
    only(assigned, Message.LEARNER_FOLLOWUP)
    setting(assigned, Message.LEARNER_FOLLOWUP, offset_days=30, notify_manager=True)
    with time_machine.travel(start + timedelta(days=2), tick=False):
        for course in courses_of(assigned):
            actions.complete_course(people["lee"], course)
    Alert.objects.all().delete()
    cron(start + timedelta(days=31))
    assert deliveries() == []
    cron(start + timedelta(days=32, hours=1))
    key = assigned.key("learner_followup")
    assert deliveries() == [(key, "lee"), (key, "mia")]
    assert Alert.objects.filter(key=key).first().urgency == "low"
    cron(start + timedelta(days=60))
    assert len(deliveries()) == 2


def test_editing_an_offset_does_not_resend_what_was_sent(people, assigned, start):
    only(assigned, Message.DUE)
    setting(assigned, Message.DUE, offset_days=7)
    cron(start + timedelta(days=23, hours=1))
    assert len(deliveries()) == 2
    setting(assigned, Message.DUE, offset_days=10)
    cron(start + timedelta(days=23, hours=2))
    setting(assigned, Message.DUE, offset_days=3)
    cron(start + timedelta(days=27, hours=1))
    assert len(deliveries()) == 2
    assert SentMessage.objects.filter(message=Message.DUE).count() == 2


def test_a_moved_due_date_is_a_new_occurrence(people, assigned, start):
    only(assigned, Message.DUE)
    cron(start + timedelta(days=23, hours=1))
    lee = Assignment.objects.get(user=people["lee"])
    with time_machine.travel(start + timedelta(days=24), tick=False):
        actions.set_due_date(lee, start + timedelta(days=45))
    cron(start + timedelta(days=30))
    assert received(assigned.key("due")) == {"lee", "lou"}
    cron(start + timedelta(days=38, hours=1))
    assert Alert.objects.filter(key=assigned.key("due"), recipient=people["lee"]).count() == 2


def test_a_switched_off_message_is_not_scheduled(people, assigned, start):
    only(assigned)
    with time_machine.travel(start + timedelta(days=2), tick=False):
        for course in courses_of(assigned):
            actions.complete_course(people["lee"], course)
    Alert.objects.all().delete()
    cron(start + timedelta(days=60))
    assert deliveries() == []
