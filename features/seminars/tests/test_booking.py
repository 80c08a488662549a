from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts.factories import UserFactory
from alerts.models import Alert
from features.job_assignments.factories import JobAssignmentFactory
from features.seminars import actions
from features.seminars.models import Booking

from .conftest import ics_fields, ics_of, make_session, told

Status = Booking.Status


def test_a_booking_with_a_free_place_is_confirmed_with_a_calendar_invitation(
    session, lee, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        booking = actions.book(session, lee)
    assert booking.status == Status.CONFIRMED
    assert told("seminars.booking_confirmation") == ["lee"]
    assert Alert.objects.count() == 1  # the seminar sends no manager copy unless it says so
    [email] = mail.outbox
    assert email.to == ["lee@example.com"]
    assert email.subject.startswith("Booking confirmed: Fire safety on ")
    fields = ics_fields(ics_of(email))
    assert fields["METHOD"] == "REQUEST"
    assert fields["SEQUENCE"] == "0"
    assert fields["UID"].startswith(f"seminar-session-{session.pk}-user-{lee.pk}@")
    booking.refresh_from_db()
    assert booking.ics_sequence == 1


def test_the_manager_copy_goes_separately_and_carries_no_invitation(
    session, lee, mia, django_capture_on_commit_callbacks
):
    session.seminar.notify_managers = True
    session.seminar.save()
    with django_capture_on_commit_callbacks(execute=True):
        actions.book(session, lee)
    assert told("seminars.booking_confirmation") == ["lee", "mia"]
    by_address = {m.to[0]: m for m in mail.outbox}
    assert set(by_address) == {"lee@example.com", "mia@example.com"}
    assert ics_of(by_address["lee@example.com"])
    assert by_address["mia@example.com"].attachments == []
    assert "As the manager of Lee Learner" in by_address["mia@example.com"].body
    assert "As the manager" not in by_address["lee@example.com"].body


def test_a_full_session_puts_the_learner_on_the_wait_list(seminar, lee):
    session = make_session(seminar, capacity=1)
    actions.book(session, UserFactory(username="sam"))
    Alert.objects.all().delete()
    booking = actions.book(session, lee)
    assert booking.status == Status.WAITLISTED
    assert told("seminars.waitlist_advice") == ["lee"]
    assert Alert.objects.count() == 1


def test_a_cancellation_gives_the_place_to_the_first_on_the_wait_list(
    seminar, lee, mia, django_capture_on_commit_callbacks
):
    seminar.notify_managers = True
    seminar.save()
    session = make_session(seminar, capacity=1)
    sam = UserFactory(username="sam")
    first = actions.book(session, sam)
    waiting = actions.book(session, lee)
    later = actions.book(session, UserFactory(username="lou"))
    assert (waiting.status, later.status) == (Status.WAITLISTED, Status.WAITLISTED)
    Alert.objects.all().delete()
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        actions.cancel_booking(first, sam, reason="Clash with a meeting")

    assert told("seminars.booking_cancellation") == ["sam"]
    assert told("seminars.booking_confirmation") == ["lee", "mia"]  # lee's manager is copied
    assert Alert.objects.count() == 3
    emails = {(m.to[0], m.subject.split(":")[0]): m for m in mail.outbox}
    cancel = ics_fields(ics_of(emails[("sam@example.com", "Booking cancelled")]))
    assert cancel["METHOD"] == "CANCEL"
    assert cancel["SEQUENCE"] == "1"
    assert "Reason: Clash with a meeting" in emails[("sam@example.com", "Booking cancelled")].body
    assert (
        ics_fields(ics_of(emails[("lee@example.com", "Booking confirmed")]))["METHOD"] == "REQUEST"
    )
    assert emails[("mia@example.com", "Booking confirmed")].attachments == []
    statuses = dict(Booking.objects.values_list("user__username", "status"))
    assert statuses == {"sam": "cancelled", "lee": "confirmed", "lou": "waitlisted"}


def test_cancelling_a_wait_listed_booking_promotes_nobody(seminar, lee):
    session = make_session(seminar, capacity=1)
    actions.book(session, UserFactory(username="sam"))
    waiting = actions.book(session, lee)
    Alert.objects.all().delete()
    actions.cancel_booking(waiting, lee)
    assert told("seminars.booking_cancellation") == ["lee"]
    assert Alert.objects.count() == 1


def test_booking_again_after_a_cancellation_continues_the_calendar_sequence(
    session, lee, django_capture_on_commit_callbacks
):
    booking = actions.book(session, lee)
    actions.cancel_booking(booking, lee)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        actions.book(session, lee)
    fields = ics_fields(ics_of(mail.outbox[0]))
    assert fields["SEQUENCE"] == "2"


@pytest.mark.parametrize(
    "setup, error",
    [
        ("full", "This session is full."),
        ("past", "already started"),
        ("twice", "already booked"),
        ("cancelled", "cancelled"),
    ],
)
def test_bad_bookings_get_a_clear_error_and_change_nothing(seminar, lee, setup, error):
    session = make_session(seminar, capacity=1, allow_waitlist=False)
    if setup == "full":
        actions.book(session, UserFactory())
    elif setup == "past":
        session.starts_at = timezone.now() - timedelta(hours=1)
        session.save()
    elif setup == "twice":
        actions.book(session, lee)
    elif setup == "cancelled":
        actions.cancel_session(session)
    bookings, alerts = Booking.objects.count(), Alert.objects.count()
    with pytest.raises(actions.SeminarError, match=error):
        actions.book(session, lee)
    assert (Booking.objects.count(), Alert.objects.count()) == (bookings, alerts)


def test_a_second_booking_on_the_wait_list_is_refused(seminar, lee):
    session = make_session(seminar, capacity=0)
    actions.book(session, lee)
    with pytest.raises(actions.SeminarError, match="already on the wait-list"):
        actions.book(session, lee)


def test_a_booking_cannot_be_cancelled_twice_or_after_the_start(session, lee):
    booking = actions.book(session, lee)
    actions.cancel_booking(booking, lee)
    with pytest.raises(actions.SeminarError, match="already cancelled"):
        actions.cancel_booking(booking, lee)
    other = actions.book(session, lee)
    session.starts_at = timezone.now() - timedelta(minutes=1)
    session.save()
    count = Alert.objects.count()
    with pytest.raises(actions.SeminarError, match="already started"):
        actions.cancel_booking(other, lee)
    other.refresh_from_db()
    assert other.status == Status.CONFIRMED
    assert Alert.objects.count() == count


def test_managers_include_a_current_temporary_manager_for_copies(seminar, lee, mia):
    seminar.notify_managers = True
    seminar.save()
    tom = UserFactory(username="tom")
    JobAssignmentFactory(
        user=lee,
        manager=None,
        temp_manager=tom,
        temp_manager_expires_at=timezone.now() + timedelta(days=3),
    )
    actions.book(make_session(seminar), lee)
    assert told("seminars.booking_confirmation") == ["lee", "mia", "tom"]
