from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts.factories import AdminFactory, UserFactory
from alerts import actions as inbox
from alerts.models import Alert
from features.job_assignments.factories import JobAssignmentFactory
from features.seminars import actions
from features.seminars.models import Booking, Seminar

from .conftest import ics_fields, ics_of, make_session, told

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


def _open_tasks() -> list[str]:
    return sorted(Alert.objects.tasks().open().values_list("recipient__username", flat=True))


def test_a_request_cancelled_by_the_learner_closes_the_managers_tasks(
    approval_session, lee, mia, tom, pushed, django_capture_on_commit_callbacks
):
    booking = actions.book(approval_session, lee)
    assert _open_tasks() == ["mia", "tom"]
    with django_capture_on_commit_callbacks(execute=True):
        actions.cancel_booking(booking, lee, reason="  Clashes with an audit ")
    assert _open_tasks() == []
    for manager in (mia, tom):
        task = _task(manager)
        assert (task.action, task.acted_by, task.comment) == (
            "cancelled",
            lee,
            "Clashes with an audit",
        )
        assert task.read_at == task.done_at
    assert {mia.pk, tom.pk} <= set(pushed)


def test_a_stale_approval_of_a_cancelled_request_is_refused_and_changes_nothing(
    approval_session, lee, mia, tom, client
):
    booking = actions.book(approval_session, lee)
    actions.cancel_booking(booking, lee)
    before = set(Alert.objects.values_list("pk", "done_at", "action", "acted_by"))
    with pytest.raises(inbox.InboxError, match="Lee Learner already cancelled this on"):
        inbox.act_on_task(mia, _task(mia).pk, "approve")
    # The same click on an old page: a message, not an error.
    client.force_login(tom)
    response = client.post(
        f"/tasks/{_task(tom).pk}/act", {"action": "decline", "next": "/tasks/"}, follow=True
    )
    assert response.status_code == 200
    assert "Lee Learner already cancelled this on" in response.content.decode()
    booking.refresh_from_db()
    assert (booking.status, booking.decided_by) == (Status.CANCELLED, None)
    assert set(Alert.objects.values_list("pk", "done_at", "action", "acted_by")) == before
    assert told("seminars.booking_confirmation") == []
    assert told("seminars.booking_declined") == []


def test_cancelling_the_session_closes_the_approval_tasks_of_its_requests(
    approval_session, seminar, lee, mia, tom, pushed, django_capture_on_commit_callbacks
):
    sam = UserFactory(username="sam", full_name="Sam Student")
    JobAssignmentFactory(user=sam, manager=mia)
    admin = UserFactory(username="ada", full_name="Ada Admin")
    other_session = make_session(seminar, days=20, needs_approval=True)
    actions.book(approval_session, lee)
    actions.book(approval_session, sam)
    waiting = actions.book(other_session, sam)
    with django_capture_on_commit_callbacks(execute=True):
        actions.cancel_session(approval_session, admin, reason="Trainer ill")
    # Only the request on the other session still waits for mia.
    assert _open_tasks() == ["mia"]
    assert Alert.objects.tasks().open().get().event.data == {"booking_id": waiting.pk}
    closed = Alert.objects.tasks().filter(done_at__isnull=False)
    assert sorted(closed.values_list("recipient__username", flat=True)) == ["mia", "mia", "tom"]
    assert set(closed.values_list("action", "acted_by", "comment")) == {
        ("cancelled", admin.pk, "Trainer ill")
    }
    assert {mia.pk, tom.pk} <= set(pushed)
    with pytest.raises(inbox.InboxError, match="Ada Admin already cancelled this"):
        inbox.act_on_task(tom, _task(tom).pk, "approve")
    assert Booking.objects.filter(session=approval_session, status=Status.CANCELLED).count() == 2
    assert told("seminars.booking_confirmation") == []


def test_an_answered_request_keeps_its_answer_when_the_booking_is_cancelled(
    approval_session, lee, mia, tom
):
    booking = actions.book(approval_session, lee)
    inbox.act_on_task(mia, _task(mia).pk, "approve")
    actions.cancel_booking(booking, lee)
    assert set(Alert.objects.tasks().values_list("action", "acted_by")) == {("approve", mia.pk)}


@pytest.mark.links_gone("it deletes the booking requests")
@pytest.mark.parametrize("model", ["booking", "session", "seminar"])
def test_deleting_a_request_in_the_admin_closes_its_approval_tasks(
    approval_session, lee, mia, tom, client, model
):
    booking = actions.book(approval_session, lee)
    admin = AdminFactory(full_name="Ada Admin")
    client.force_login(admin)
    obj = {"booking": booking, "session": approval_session, "seminar": approval_session.seminar}
    url = f"/admin/seminars/{model}/{obj[model].pk}/delete/"
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not Booking.objects.exists()
    assert _open_tasks() == []
    assert set(Alert.objects.tasks().values_list("action", "acted_by")) == {("removed", admin.pk)}
    with pytest.raises(inbox.InboxError, match="Ada Admin already removed this"):
        inbox.act_on_task(mia, _task(mia).pk, "approve")


@pytest.mark.links_gone("it deletes the booking requests")
@pytest.mark.parametrize("model", ["booking", "session", "seminar"])
def test_deleting_from_the_admin_list_closes_only_the_deleted_requests_tasks(
    approval_session, seminar, lee, mia, tom, client, model
):
    deleted = actions.book(approval_session, lee)
    other_seminar = Seminar.objects.create(name="First aid")
    kept = actions.book(make_session(other_seminar, needs_approval=True), lee)
    selected = {"booking": deleted, "session": approval_session, "seminar": seminar}[model]
    client.force_login(AdminFactory())
    response = client.post(
        f"/admin/seminars/{model}/",
        {"action": "delete_selected", "_selected_action": [selected.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert list(Booking.objects.all()) == [kept]
    assert _open_tasks() == ["mia", "tom"]
    assert {a.event.data["booking_id"] for a in Alert.objects.tasks().open()} == {kept.pk}


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
