"""Approval tasks that can no longer be answered leave the managers' Tasks blocks: the session
started first, or the request was deleted (with the learner's account)."""

from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

import notifications
from accounts.factories import UserFactory
from alerts import actions as inbox
from alerts.models import Alert
from features.job_assignments.factories import JobAssignmentFactory
from features.seminars import actions
from features.seminars.models import Booking

from .conftest import make_session, told

Status = Booking.Status
TASK = "seminars.approval_request"


def cron():
    call_command("cron", "seminars.close_stale_requests", stdout=StringIO())


def open_tasks() -> list[tuple[str, int]]:
    """(manager, booking id) of each open approval task."""
    return sorted(
        (a.recipient.username, a.event.data["booking_id"])
        for a in Alert.objects.tasks().open().filter(key=TASK).select_related("recipient", "event")
    )


def learner(username: str, manager):
    user = UserFactory(username=username, full_name=f"{username.title()} Learner")
    JobAssignmentFactory(user=user, manager=manager)
    return user


def test_a_request_still_waiting_when_the_session_starts_is_declined_and_its_tasks_close(
    approval_session, lee, mia, pushed, django_capture_on_commit_callbacks
):
    booking = actions.book(approval_session, lee)
    with time_machine.travel(approval_session.starts_at - timedelta(minutes=1)):
        cron()
    assert open_tasks() == [("mia", booking.pk)]
    mail.outbox.clear()
    pushed.clear()

    with (
        time_machine.travel(approval_session.starts_at + timedelta(minutes=1)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        cron()
    assert open_tasks() == []
    task = Alert.objects.get(key=TASK)
    assert (task.action, task.acted_by, task.comment) == ("expired", None, actions.EXPIRED_REASON)
    assert task.read_at == task.done_at
    assert mia.pk in pushed
    booking.refresh_from_db()
    assert (booking.status, booking.decided_by, booking.reason) == (
        Status.DECLINED,
        None,
        "The session started before the request was answered.",
    )
    assert booking.ended_at is not None
    assert told("seminars.booking_declined") == ["lee"]
    [email] = mail.outbox
    assert email.to == ["lee@example.com"]
    assert "has been declined." in email.body
    assert "Reason: The session started before the request was answered." in email.body

    with pytest.raises(inbox.InboxError, match=r"already closed \(Expired on"):
        inbox.act_on_task(mia, task.pk, "approve")
    booking.refresh_from_db()
    assert booking.status == Status.DECLINED


def test_expiring_runs_twice_without_doing_anything_more(
    approval_session, lee, mia, django_assert_num_queries
):
    actions.book(approval_session, lee)
    with time_machine.travel(approval_session.starts_at + timedelta(minutes=1)):
        assert actions.expire_requests() == 1
        before = set(Alert.objects.values_list("pk", "done_at", "action", "acted_by", "comment"))
        before_bookings = set(Booking.objects.values_list("pk", "status", "ended_at"))
        # the savepoint, the requests whose session started (none), the release
        with django_assert_num_queries(3):
            assert actions.expire_requests() == 0
        cron()
    assert set(Alert.objects.values_list("pk", "done_at", "action", "acted_by", "comment")) == (
        before
    )
    assert set(Booking.objects.values_list("pk", "status", "ended_at")) == before_bookings
    assert told("seminars.booking_declined") == ["lee"]


def test_expiring_costs_the_same_queries_however_many_requests(
    approval_session, seminar, mia, django_assert_num_queries
):
    first_session = make_session(seminar, days=5, needs_approval=True)
    actions.book(first_session, learner("ann", mia))
    for name in ("bob", "cat", "dan", "eve"):
        actions.book(approval_session, learner(name, mia))

    # What one send of the learners' message costs (the same for any number of recipients).
    with CaptureQueriesContext(connection) as send:
        notifications.send(
            "seminars.booking_declined",
            [mia],
            context={"seminar": "Any", "session_date": first_session.starts_at},
            dedupe_key="any",
        )
    Alert.objects.filter(recipient=mia, key="seminars.booking_declined").delete()
    # the savepoint, the requests whose session started, their open tasks, closing them, the
    # requests locked with their learners and sessions, declining them, one send for the
    # session, the release
    with (
        time_machine.travel(first_session.starts_at + timedelta(minutes=1)),
        django_assert_num_queries(1 + 5 + len(send) + 1),
    ):
        assert actions.expire_requests() == 1
    with (
        time_machine.travel(approval_session.starts_at + timedelta(minutes=1)),
        django_assert_num_queries(1 + 5 + len(send) + 1),
    ):
        assert actions.expire_requests() == 4
    assert told("seminars.booking_declined") == ["ann", "bob", "cat", "dan", "eve"]
    assert open_tasks() == []
    assert not Booking.objects.filter(status=Status.REQUESTED).exists()


def test_expiring_leaves_answered_cancelled_and_future_requests_alone(
    approval_session, seminar, lee, mia
):
    approved = actions.book(approval_session, learner("ann", mia))
    inbox.act_on_task(mia, Alert.objects.get(event__data__booking_id=approved.pk).pk, "approve")
    cancelled = actions.book(approval_session, lee)
    actions.cancel_booking(cancelled, lee)
    later = actions.book(make_session(seminar, days=20, needs_approval=True), lee)
    confirmed = actions.book(make_session(seminar, days=10), learner("bob", mia))

    with time_machine.travel(approval_session.starts_at + timedelta(minutes=1)):
        cron()
    assert open_tasks() == [("mia", later.pk)]
    assert {b.pk: b.status for b in Booking.objects.all()} == {
        approved.pk: Status.CONFIRMED,
        cancelled.pk: Status.CANCELLED,
        later.pk: Status.REQUESTED,
        confirmed.pk: Status.CONFIRMED,
    }
    assert set(Alert.objects.tasks().values_list("event__data__booking_id", "action")) == {
        (approved.pk, "approve"),
        (cancelled.pk, "cancelled"),
        (later.pk, ""),
    }
    assert told("seminars.booking_declined") == []


def test_a_learners_deleted_account_closes_the_managers_approval_tasks(
    approval_session, seminar, lee, mia, pushed, django_capture_on_commit_callbacks
):
    tom = UserFactory(username="tom", full_name="Tom Temp")
    JobAssignmentFactory(user=lee, manager=tom)
    other_session = make_session(seminar, days=20, needs_approval=True)
    gone = [actions.book(approval_session, lee).pk, actions.book(other_session, lee).pk]
    kept = actions.book(approval_session, learner("ann", mia))
    lee.delete()
    assert not Booking.objects.filter(pk__in=gone).exists()
    pushed.clear()

    with django_capture_on_commit_callbacks(execute=True):
        cron()
    assert open_tasks() == [("mia", kept.pk)]
    closed = Alert.objects.tasks().filter(done_at__isnull=False)
    assert sorted(closed.values_list("recipient__username", "event__data__booking_id")) == sorted(
        [("mia", gone[0]), ("mia", gone[1]), ("tom", gone[0]), ("tom", gone[1])]
    )
    assert set(closed.values_list("action", "acted_by", "comment")) == {
        ("removed", None, actions.REMOVED_REASON)
    }
    assert {mia.pk, tom.pk} <= set(pushed)
    with pytest.raises(inbox.InboxError, match=r"already closed \(Removed on"):
        inbox.act_on_task(tom, closed.filter(recipient=tom).first().pk, "approve")


def test_closing_orphan_tasks_costs_the_same_queries_however_many_and_runs_twice(
    approval_session, mia, django_assert_num_queries
):
    for name in ("ann", "bob", "cat"):
        actions.book(approval_session, learner(name, mia))
    # the savepoint, the open tasks whose request is gone (none), the release
    with django_assert_num_queries(3):
        assert actions.close_orphan_approval_tasks() == 0
    Booking.objects.all().delete()
    # the savepoint, the open tasks whose request is gone, their open copies, one UPDATE, release
    with django_assert_num_queries(5):
        assert actions.close_orphan_approval_tasks() == 3
    with django_assert_num_queries(3):
        assert actions.close_orphan_approval_tasks() == 0
    assert open_tasks() == []
