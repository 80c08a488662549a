"""The re-certification cycle: certified, window open, window closing, expired and reset."""

from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from alerts import actions as inbox
from alerts.models import Alert
from features.certifications.actions import CertificationError, create_certification
from features.certifications.models import LearnerCertification
from features.programs import actions
from features.programs.models import Assignment, CourseSetProgress, MessageSetting, Program
from features.programs.tests.conftest import courses_of, deliveries, make_program, setting

Message = MessageSetting.Message
JOB = "certifications.recertification"


def cron(at, job=JOB, times=2):
    with time_machine.travel(at, tick=False):
        for _ in range(times):
            call_command("cron", job, stdout=StringIO())


def complete_all(user, certification, at):
    with time_machine.travel(at, tick=False):
        for course in courses_of(certification):
            actions.complete_course(user, course)


@pytest.fixture
def start():
    return timezone.now()


@pytest.fixture
def certified(people, start):
    """First aid (valid 365 days, window 30 days before expiry); lee certified at day 1."""
    certification = make_program(Program.Kind.CERTIFICATION, "First aid")
    with time_machine.travel(start, tick=False):
        actions.assign_users(certification, [people["lee"]], due_at=start + timedelta(days=60))
    complete_all(people["lee"], certification, start + timedelta(days=1))
    Alert.objects.all().delete()
    return certification


def state(user):
    return LearnerCertification.objects.get(assignment__user=user)


def test_completing_certifies_until_the_expiry_date(people, start):
    certification = make_program(Program.Kind.CERTIFICATION, "First aid")
    actions.assign_users(certification, [people["lee"]], due_at=start + timedelta(days=60))
    complete_all(people["lee"], certification, start + timedelta(days=1))
    lee = state(people["lee"])
    assert lee.status == "certified"
    assert lee.expires_at == start + timedelta(days=366)
    assert lee.window_opens_at == start + timedelta(days=336)
    alert = Alert.objects.get(key="certifications.completed")
    assert alert.recipient == people["lee"]
    assert alert.event.context["expiry_date"] == {"__datetime__": lee.expires_at.isoformat()}


def test_the_window_opens_once_and_resets_progress(people, certified, start):
    setting(certified, Message.RECERT_WINDOW_OPEN, notify_manager=True)
    cron(start + timedelta(days=335))
    assert deliveries() == []
    cron(start + timedelta(days=336, hours=1))
    key = "certifications.recert_window_open"
    assert deliveries() == [(key, "lee"), (key, "mia")]
    assert Alert.objects.get(recipient=people["lee"]).event.context["window_closes"]
    lee = Assignment.objects.get(user=people["lee"])
    assert (lee.completed_at, lee.due_at) == (None, state(people["lee"]).expires_at)
    assert not CourseSetProgress.objects.filter(completed_at__isnull=False).exists()
    assert state(people["lee"]).status == "window_open"
    cron(start + timedelta(days=340))
    assert len(deliveries()) == 2


def test_the_window_due_to_close_warns_n_days_before_once(people, certified, start):
    setting(certified, Message.RECERT_WINDOW_DUE_CLOSE, offset_days=7)
    setting(certified, Message.DUE, enabled=False)
    cron(start + timedelta(days=336, hours=1))
    Alert.objects.all().delete()
    cron(start + timedelta(days=358))
    assert deliveries() == []
    cron(start + timedelta(days=359, hours=1))
    assert deliveries() == [("certifications.recert_window_due_close", "lee")]
    setting(certified, Message.RECERT_WINDOW_DUE_CLOSE, offset_days=3)
    cron(start + timedelta(days=363, hours=1))
    assert len(deliveries()) == 1


def test_completing_in_the_window_re_certifies_from_the_old_expiry(people, certified, start):
    old_expiry = state(people["lee"]).expires_at
    cron(start + timedelta(days=336, hours=1))
    Alert.objects.all().delete()
    # Completions from before the window do not count: one course again is not enough.
    first = courses_of(certified)[0]
    with time_machine.travel(start + timedelta(days=340), tick=False):
        actions.complete_course(people["lee"], first)
    assert deliveries() == []
    complete_all(people["lee"], certified, start + timedelta(days=341))
    lee = state(people["lee"])
    assert lee.status == "certified"
    assert lee.expires_at == old_expiry + timedelta(days=365)
    assert ("certifications.completed", "lee") in deliveries()
    cron(start + timedelta(days=367))
    assert not Alert.objects.filter(key="certifications.recert_failed").exists()


def test_failing_to_re_certify_expires_and_resets_once(people, certified, start):
    setting(certified, Message.RECERT_FAILED, notify_manager=True)
    expiry = state(people["lee"]).expires_at
    cron(start + timedelta(days=336, hours=1))
    with time_machine.travel(start + timedelta(days=350), tick=False):
        actions.complete_course(people["lee"], courses_of(certified)[2])
    Alert.objects.all().delete()
    cron(start + timedelta(days=366, hours=1))
    key = "certifications.recert_failed"
    assert [d for d in deliveries() if d[0] == key] == [(key, "lee"), (key, "mia")]
    assert Alert.objects.filter(key=key).first().urgency == "urgent"
    lee = Assignment.objects.get(user=people["lee"])
    assert state(people["lee"]).status == "expired"
    assert (lee.due_at, lee.completed_at) == (expiry, None)
    assert not CourseSetProgress.objects.filter(completed_at__isnull=False).exists()
    cron(start + timedelta(days=370))
    assert Alert.objects.filter(key=key).count() == 2
    # The programs' job now finds the learner overdue since the expiry date.
    cron(start + timedelta(days=370), job="programs.send_scheduled_messages")
    assert ("certifications.overdue", "lee") in deliveries()
    # Completing again certifies from now.
    complete_all(people["lee"], certified, start + timedelta(days=380))
    assert state(people["lee"]).status == "certified"
    assert state(people["lee"]).expires_at == start + timedelta(days=380 + 365)


def test_a_window_long_open_expires_in_the_same_run(people, certified, start):
    cron(start + timedelta(days=400))
    assert {k for k, _ in deliveries()} >= {
        "certifications.recert_window_open",
        "certifications.recert_failed",
    }
    assert state(people["lee"]).status == "expired"


def test_an_extension_granted_in_the_window_moves_its_close(people, certified, start):
    cron(start + timedelta(days=336, hours=1))
    lee = Assignment.objects.get(user=people["lee"])
    with time_machine.travel(start + timedelta(days=340), tick=False):
        actions.request_extension(lee, people["lee"], (start + timedelta(days=380)).date())
        task = Alert.objects.get(key="certifications.extension_request", recipient=people["mia"])
        inbox.act_on_task(people["mia"], task.pk, "accept", "")
    lee.refresh_from_db()
    assert state(people["lee"]).expires_at == lee.due_at
    assert ("certifications.extension_granted", "lee") in deliveries()
    cron(start + timedelta(days=370))
    assert state(people["lee"]).status == "window_open"


def test_a_certification_needs_a_window_shorter_than_its_validity(db):
    with pytest.raises(CertificationError, match="longer than"):
        create_certification("First aid", active_days=30, window_days=30)
    with pytest.raises(CertificationError, match="name"):
        create_certification("  ")
    assert not Program.objects.exists()
    created = create_certification("First aid", active_days=365, window_days=30)
    assert created.program.kind == Program.Kind.CERTIFICATION
    assert set(created.program.message_settings.values_list("message", flat=True)) == set(
        MessageSetting.Message.values
    )
