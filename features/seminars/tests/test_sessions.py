from datetime import UTC, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts.factories import UserFactory
from alerts.models import Alert
from features.seminars import actions
from features.seminars.models import Booking

from .conftest import ics_fields, ics_of, make_session, told

Status = Booking.Status


def test_assigning_and_removing_a_trainer_tells_that_trainer(session, tara):
    actions.assign_trainer(session, tara)
    assert told("seminars.trainer_confirmation") == ["tara"]
    assert list(session.trainers.all()) == [tara]
    actions.unassign_trainer(session, tara)
    assert told("seminars.trainer_unassigned") == ["tara"]
    assert Alert.objects.count() == 2
    assert not session.trainers.exists()


def test_trainer_changes_that_make_no_sense_are_refused(session, tara):
    with pytest.raises(actions.SeminarError, match="does not teach"):
        actions.unassign_trainer(session, tara)
    actions.assign_trainer(session, tara)
    with pytest.raises(actions.SeminarError, match="already teaches"):
        actions.assign_trainer(session, tara)
    assert Alert.objects.count() == 1


def test_a_date_change_sends_updated_invitations_to_learners_and_tells_trainers(
    seminar, lee, tara, django_capture_on_commit_callbacks
):
    seminar.notify_managers = True  # the date change has no manager copy
    seminar.save()
    session = make_session(seminar, capacity=1)
    actions.assign_trainer(session, tara)
    booking = actions.book(session, lee)
    actions.book(session, UserFactory(username="sam"))  # wait-listed
    Alert.objects.all().delete()
    mail.outbox.clear()
    previous = session.starts_at
    new_start = previous + timedelta(days=3)

    with django_capture_on_commit_callbacks(execute=True):
        actions.change_session_dates(session, new_start, new_start + timedelta(hours=2))

    assert told("seminars.booking_datetime_changed") == ["lee", "sam", "tara"]
    assert Alert.objects.count() == 3
    emails = {m.to[0]: m for m in mail.outbox}
    fields = ics_fields(ics_of(emails["lee@example.com"]))
    assert fields["METHOD"] == "REQUEST"
    assert fields["SEQUENCE"] == "1"
    assert fields["UID"].startswith(f"seminar-session-{session.pk}-user-{lee.pk}@")
    assert fields["DTSTART"] == new_start.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    assert emails["sam@example.com"].attachments == []
    assert emails["tara@example.com"].attachments == []
    event = Alert.objects.filter(key="seminars.booking_datetime_changed").first().event
    assert event.context["previous_date"]
    booking.refresh_from_db()
    assert booking.ics_sequence == 2


def test_bad_date_changes_are_refused_and_change_nothing(session, lee):
    actions.book(session, lee)
    count = Alert.objects.count()
    start = session.starts_at
    with pytest.raises(actions.SeminarError, match="end after"):
        actions.change_session_dates(session, start, start - timedelta(hours=1))
    with pytest.raises(actions.SeminarError, match="future"):
        past = timezone.now() - timedelta(days=1)
        actions.change_session_dates(session, past, past + timedelta(hours=1))
    session.refresh_from_db()
    assert session.starts_at == start
    assert Alert.objects.count() == count


def test_cancelling_a_session_cancels_its_bookings_and_tells_trainers(
    seminar, lee, mia, tara, django_capture_on_commit_callbacks
):
    seminar.notify_managers = True
    seminar.save()
    session = make_session(seminar, capacity=1)
    actions.assign_trainer(session, tara)
    actions.book(session, lee)
    actions.book(session, UserFactory(username="sam"))  # wait-listed, no manager
    Alert.objects.all().delete()
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        actions.cancel_session(session, reason="The trainer is ill")

    assert told("seminars.trainer_session_cancellation") == ["tara"]
    assert told("seminars.booking_cancellation") == ["lee", "mia", "sam"]
    assert Alert.objects.count() == 4
    emails = {m.to[0]: m for m in mail.outbox}
    assert ics_fields(ics_of(emails["lee@example.com"]))["METHOD"] == "CANCEL"
    assert emails["sam@example.com"].attachments == []  # never had an invitation
    assert emails["mia@example.com"].attachments == []
    assert "The trainer is ill" in emails["tara@example.com"].body
    assert set(Booking.objects.values_list("status", flat=True)) == {Status.CANCELLED}
    with pytest.raises(actions.SeminarError, match="already cancelled"):
        actions.cancel_session(session)


def test_more_places_go_to_the_wait_list(seminar, lee):
    session = make_session(seminar, capacity=0)
    booking = actions.book(session, lee)
    assert booking.status == Status.WAITLISTED
    session.capacity = 1
    session.save()
    assert actions.fill_from_waitlist(session) == 1
    booking.refresh_from_db()
    assert booking.status == Status.CONFIRMED
    assert told("seminars.booking_confirmation") == ["lee"]
    assert actions.fill_from_waitlist(session) == 0
