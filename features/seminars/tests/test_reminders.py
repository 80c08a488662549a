from datetime import timedelta
from io import StringIO

import time_machine
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from accounts.factories import UserFactory
from alerts.models import Alert
from features.courses.factories import CourseFactory
from features.seminars import actions
from features.seminars.models import Seminar
from notifications import muting

from .conftest import make_session, told


def cron():
    call_command("cron", "seminars.send_reminders", stdout=StringIO())


def test_reminders_default_to_two_days_before_the_session():
    assert Seminar._meta.get_field("reminder_days").default == 2


def test_the_reminder_goes_once_two_days_before_with_a_manager_copy(
    seminar, lee, mia, tara, django_capture_on_commit_callbacks
):
    seminar.notify_managers = True
    seminar.save()
    session = make_session(seminar, days=10)
    actions.assign_trainer(session, tara)
    actions.book(session, lee)
    other = make_session(seminar, days=20)
    actions.book(other, UserFactory(username="sam"))
    Alert.objects.all().delete()
    mail.outbox.clear()

    with time_machine.travel(session.starts_at - timedelta(days=2, minutes=1)):
        cron()
    assert told("seminars.booking_reminder") == []

    with (
        time_machine.travel(session.starts_at - timedelta(days=2) + timedelta(minutes=1)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        cron()
        cron()
    assert told("seminars.booking_reminder") == ["lee", "mia"]
    assert Alert.objects.count() == 2
    emails = {m.to[0]: m for m in mail.outbox}
    assert set(emails) == {"lee@example.com", "mia@example.com"}
    assert emails["lee@example.com"].attachments == []
    assert emails["mia@example.com"].attachments == []
    assert "Trainer: Tara Trainer" in emails["lee@example.com"].body

    with time_machine.travel(session.starts_at - timedelta(hours=1)):
        cron()
    assert Alert.objects.count() == 2


def test_the_reminder_follows_the_seminars_days_and_a_new_date(seminar, lee):
    seminar.reminder_days = 5
    seminar.save()
    session = make_session(seminar, days=10)
    actions.book(session, lee)
    Alert.objects.all().delete()
    with time_machine.travel(session.starts_at - timedelta(days=4)):
        cron()
        assert told("seminars.booking_reminder") == ["lee"]
        new_start = session.starts_at + timedelta(days=7)
        actions.change_session_dates(session, new_start, new_start + timedelta(hours=1))
        cron()
        assert told("seminars.booking_reminder") == ["lee"]
    with time_machine.travel(new_start - timedelta(days=4)):
        cron()
        cron()
    assert told("seminars.booking_reminder") == ["lee", "lee"]


def test_no_reminder_for_cancelled_bookings_sessions_or_a_seminar_that_turns_them_off(seminar, lee):
    quiet = Seminar.objects.create(name="Quiet", reminder_days=0)
    booked = actions.book(make_session(quiet, days=10), lee)
    cancelled_booking = actions.book(make_session(seminar, days=10), lee)
    actions.cancel_booking(cancelled_booking, lee)
    session = make_session(seminar, days=10, room="Room 2")
    actions.book(session, UserFactory(username="sam"))
    actions.cancel_session(session)
    assert booked.status == "confirmed"
    with time_machine.travel(timezone.now() + timedelta(days=9)):
        cron()
    assert told("seminars.booking_reminder") == []


def test_a_learner_who_books_inside_the_window_gets_the_confirmation_not_a_reminder(seminar, lee):
    session = make_session(seminar, days=10)
    with time_machine.travel(session.starts_at - timedelta(days=1)):
        actions.book(session, lee)
        cron()
    assert told("seminars.booking_confirmation") == ["lee"]
    assert told("seminars.booking_reminder") == []


def test_a_learner_who_muted_the_course_gets_its_reminder_in_the_inbox_only(
    seminar, lee, mia, django_capture_on_commit_callbacks
):
    seminar.course = CourseFactory(full_name="Workplace safety")
    seminar.notify_managers = True
    seminar.save()
    session = make_session(seminar, days=10)
    with django_capture_on_commit_callbacks(execute=True):
        actions.book(session, lee)
    confirmation = Alert.objects.get(key="seminars.booking_confirmation", recipient=lee)
    assert confirmation.event.about == [
        {"key": muting.subject_key(seminar.course), "label": "Workplace safety"}
    ]
    muting.mute(lee, muting.subject_key(seminar.course), event_id=confirmation.event_id)
    mail.outbox.clear()

    with (
        time_machine.travel(session.starts_at - timedelta(days=2) + timedelta(minutes=1)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        cron()
    assert told("seminars.booking_reminder") == ["lee", "mia"]  # lee's inbox still has it
    assert [m.to for m in mail.outbox] == [["mia@example.com"]]  # the manager did not mute

    # A calendar invitation is a document to keep: a mute never holds it back.
    later = make_session(seminar, days=30)
    with django_capture_on_commit_callbacks(execute=True):
        actions.book(later, lee)
    [invitation] = [m for m in mail.outbox if m.to == ["lee@example.com"]]
    assert invitation.attachments
