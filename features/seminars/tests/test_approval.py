from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts.factories import UserFactory
from alerts import actions as inbox
from alerts.models import Alert
from features.job_assignments.factories import JobAssignmentFactory
from features.seminars import actions
from features.seminars.models import Booking

from .conftest import ics_fields, ics_of, told

Status = Booking.Status


@pytest.fixture
def tom(lee):
    tom = UserFactory(username="tom", full_name="Tom Temp")
    JobAssignmentFactory(
        user=lee,
        manager=None,
        temp_manager=tom,
        temp_manager_expires_at=timezone.now() + timedelta(days=5),
    )
    return tom


def _task(user):
    return Alert.objects.get(recipient=user, key="seminars.approval_request", kind="task")


def test_a_request_tells_the_learner_and_gives_the_managers_the_approval_task(
    approval_session, lee, mia, tom
):
    booking = actions.book(approval_session, lee, note="For my fire warden role")
    assert booking.status == Status.REQUESTED
    assert told("seminars.booking_request") == ["lee"]
    assert told("seminars.approval_request") == ["mia", "tom"]
    assert set(Alert.objects.values_list("kind", "recipient__username")) == {
        ("alert", "lee"),
        ("task", "mia"),
        ("task", "tom"),
    }
    task = _task(mia)
    assert task.event.data == {"booking_id": booking.pk}
    assert task.event.context["note"] == "For my fire warden role"
    assert task.event.sender == lee
    request = Alert.objects.get(key="seminars.booking_request").event
    assert request.context["approver"] == "Mia Manager or Tom Temp"


def test_approving_from_the_task_confirms_the_booking_with_an_invitation(
    approval_session, lee, mia, tom, django_capture_on_commit_callbacks
):
    booking = actions.book(approval_session, lee)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        inbox.act_on_task(mia, _task(mia).pk, "approve", "Enjoy")
    booking.refresh_from_db()
    assert (booking.status, booking.decided_by) == (Status.CONFIRMED, mia)
    assert told("seminars.booking_confirmation") == ["lee"]
    [email] = mail.outbox
    assert email.to == ["lee@example.com"]
    assert ics_fields(ics_of(email))["METHOD"] == "REQUEST"
    # The task is closed for the temporary manager too.
    assert _task(tom).done_at is not None
    with pytest.raises(inbox.InboxError, match="already approved"):
        inbox.act_on_task(tom, _task(tom).pk, "approve")


def test_approving_when_the_session_is_full_puts_the_learner_on_the_wait_list(
    approval_session, lee, mia
):
    booking = actions.book(approval_session, lee)
    for _ in range(approval_session.capacity):
        Booking.objects.create(
            session=approval_session, user=UserFactory(), status=Status.CONFIRMED
        )
    inbox.act_on_task(mia, _task(mia).pk, "approve")
    booking.refresh_from_db()
    assert booking.status == Status.WAITLISTED
    assert told("seminars.waitlist_advice") == ["lee"]
    assert told("seminars.booking_confirmation") == []


def test_declining_from_the_task_tells_the_learner_why(approval_session, lee, mia, tom):
    booking = actions.book(approval_session, lee)
    inbox.act_on_task(tom, _task(tom).pk, "decline", "Not this quarter")
    booking.refresh_from_db()
    assert (booking.status, booking.decided_by, booking.reason) == (
        Status.DECLINED,
        tom,
        "Not this quarter",
    )
    assert told("seminars.booking_declined") == ["lee"]
    alert = Alert.objects.get(key="seminars.booking_declined")
    assert alert.event.sender == tom
    assert alert.event.context["reason"] == "Not this quarter"
    assert told("seminars.booking_confirmation") == []


def test_a_request_cancelled_by_the_learner_can_no_longer_be_approved(approval_session, lee, mia):
    booking = actions.book(approval_session, lee)
    actions.cancel_booking(booking, lee)
    with pytest.raises(inbox.InboxError, match="Lee Learner has cancelled this booking request"):
        inbox.act_on_task(mia, _task(mia).pk, "approve")
    booking.refresh_from_db()
    assert booking.status == Status.CANCELLED
    assert _task(mia).done_at is None
    assert told("seminars.booking_confirmation") == []


def test_a_learner_without_a_manager_cannot_request_approval(approval_session):
    loner = UserFactory(username="loner")
    with pytest.raises(actions.SeminarError, match="no manager"):
        actions.book(approval_session, loner)
    assert not Booking.objects.exists()
    assert not Alert.objects.exists()


def test_a_pending_request_counts_as_a_booking(approval_session, lee, mia):
    actions.book(approval_session, lee)
    with pytest.raises(actions.SeminarError, match="not answered yet"):
        actions.book(approval_session, lee)
    assert Booking.objects.count() == 1
