"""Each rule of "who gets what, when" held against the others (notifications.preferences):
urgency, tasks and documents to keep, forced outputs, quiet hours, email cadence and mutes.
One learner, one moment in their quiet hours, every combination that could go wrong."""

import datetime as dt

import pytest
import time_machine

from accounts.factories import UserFactory
from alerts.models import Alert
from features.courses.factories import CourseFactory
from notifications import digests, email, muting, send
from notifications.catalogue import Permission
from notifications.factories import context_for
from notifications.models import (
    Cadence,
    EmailCadence,
    EmailDelivery,
    OutputSetting,
    UserMessaging,
)

UTC = dt.UTC
Status = EmailDelivery.Status
ALERT = "programs.due"  # emailed when logged off by default
TASK = "programs.extension_request"
URGENT = "programs.overdue"  # urgent by default
KEEPS = "seminars.booking_confirmation"  # carries a calendar invitation
# Wednesday 2026-01-14, 23:00 UTC: inside 22:00-07:00 quiet hours; quiet until 07:00.
NIGHT = dt.datetime(2026, 1, 14, 23, 0, tzinfo=UTC)
MORNING = dt.datetime(2026, 1, 15, 7, 0, tzinfo=UTC)


@pytest.fixture
def lee(db):
    lee = UserFactory(timezone="UTC")
    UserMessaging.objects.create(
        user=lee,
        quiet_hours_enabled=True,
        quiet_hours_start=dt.time(22, 0),
        quiet_hours_end=dt.time(7, 0),
    )
    return lee


@pytest.fixture
def course(db):
    return CourseFactory(full_name="Workplace safety")


@pytest.fixture
def send_at(django_capture_on_commit_callbacks):
    def _send(key, recipients, moment=NIGHT, **kwargs):
        kwargs.setdefault("context", context_for(key))
        with (
            time_machine.travel(moment, tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            return send(key, recipients, **kwargs)

    return _send


def cadence(user, value, feature=""):
    EmailCadence.objects.update_or_create(user=user, feature=feature, defaults={"cadence": value})


def mute(user, subject, send_at):
    event = send_at(ALERT, [user], about=[subject]).event_id
    mute = muting.mute(user, muting.subject_key(subject), event_id=event)
    EmailDelivery.objects.all().delete()
    Alert.objects.all().delete()
    return mute


def email_of(result) -> EmailDelivery | None:
    return EmailDelivery.objects.filter(event_id=result.event_id).first()


def force_email(key):
    OutputSetting.objects.filter(message_type__key=key, output="email").update(
        permission=Permission.FORCED
    )


def test_an_urgent_message_in_quiet_hours_with_a_daily_cadence_is_emailed_now(lee, send_at):
    cadence(lee, Cadence.DAILY)
    row = email_of(send_at(URGENT, [lee]))
    assert row.status == Status.SENT


def test_an_ordinary_alert_in_quiet_hours_with_a_daily_cadence_waits_for_the_digest(lee, send_at):
    cadence(lee, Cadence.DAILY)
    result = send_at(ALERT, [lee])
    assert email_of(result).status == Status.DIGEST  # not also held for the morning
    assert Alert.objects.filter(event_id=result.event_id, archived_at=None).exists()
    # The 07:00 digest is inside quiet hours ending 07:30: it waits for their end.
    UserMessaging.objects.filter(user=lee).update(quiet_hours_end=dt.time(7, 30))
    with time_machine.travel(MORNING, tick=False):
        assert digests.send_digests(MORNING).get("digests", 0) == 0
    later = MORNING + dt.timedelta(minutes=30)
    with time_machine.travel(later, tick=False):
        assert digests.send_digests(later)["digests"] == 1


def test_a_task_in_quiet_hours_with_a_daily_cadence_and_its_course_muted(lee, course, send_at):
    """A task is never muted nor digested; its email still waits for the quiet hours' end."""
    cadence(lee, Cadence.DAILY)
    mute(lee, course, send_at)
    result = send_at(TASK, [lee], about=[course])
    assert Alert.objects.get(event_id=result.event_id).archived_at is None
    row = email_of(result)
    assert row.status == Status.PENDING and row.next_attempt_at == MORNING


def test_a_forced_email_beats_never_and_a_mute_but_not_quiet_hours(lee, course, send_at):
    cadence(lee, Cadence.NEVER)
    mute(lee, course, send_at)
    force_email(ALERT)
    row = email_of(send_at(ALERT, [lee], about=[course]))
    assert row.status == Status.PENDING and row.next_attempt_at == MORNING


def test_a_calendar_invitation_is_neither_digested_nor_muted(lee, course, send_at):
    cadence(lee, Cadence.WEEKLY)
    mute(lee, course, send_at)
    row = email_of(send_at(KEEPS, [lee], about=[course]))
    assert row.status == Status.PENDING and row.next_attempt_at == MORNING  # quiet hours only


def test_a_mute_keeps_an_alert_out_of_the_digest_and_never_keeps_the_web_row(lee, course, send_at):
    cadence(lee, Cadence.DAILY)
    mute(lee, course, send_at)
    result = send_at(ALERT, [lee], about=[course])
    assert email_of(result) is None
    assert Alert.objects.filter(event_id=result.event_id, archived_at=None).exists()
    # An urgent message from the muted course still comes, at once despite quiet hours.
    assert email_of(send_at(URGENT, [lee], about=[course])).status == Status.SENT


def test_what_waited_for_quiet_hours_goes_once_when_they_end(
    lee, send_at, django_capture_on_commit_callbacks
):
    from django.core import mail

    result = send_at(ALERT, [lee])
    with (
        time_machine.travel(MORNING, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        email.send_held()
        email.send_held()
    assert [m.to for m in mail.outbox] == [[lee.email]]
    assert email_of(result).status == Status.SENT


def test_push_follows_quiet_hours_and_mutes_but_not_the_email_cadence(
    lee, course, send_at, push_service, subscribed
):
    from webpush.models import PushDelivery

    device = subscribed(lee)
    cadence(lee, Cadence.DAILY)
    # In quiet hours: the email waits for the digest, the push for the end of quiet hours.
    ordinary = send_at(ALERT, [lee])
    assert email_of(ordinary).status == Status.DIGEST
    assert PushDelivery.objects.get(event_id=ordinary.event_id).held_until == MORNING
    # Urgent: pushed now, emailed now.
    urgent = send_at(URGENT, [lee])
    assert email_of(urgent).status == Status.SENT
    assert PushDelivery.objects.get(event_id=urgent.event_id).status == PushDelivery.Status.SENT
    assert len(push_service.payloads(device)) == 1
    # Muted: neither pushed nor emailed, urgent aside.
    mute(lee, course, send_at)
    PushDelivery.objects.all().delete()
    muted = send_at(ALERT, [lee], about=[course])
    assert not PushDelivery.objects.filter(event_id=muted.event_id).exists()
    assert email_of(muted) is None
