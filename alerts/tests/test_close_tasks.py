"""close_tasks: a feature closes the tasks about something that was cancelled or removed."""

import pytest

from accounts.factories import UserFactory
from alerts import actions
from alerts.models import Alert
from notifications import send
from notifications.factories import context_for

TASK = "programs.extension_request"
OTHER_TASK = "plans.plan_requested"


def task(key, users, **kwargs):
    return send(key, users, context=context_for(key), **kwargs)


@pytest.fixture
def people(db):
    return UserFactory.create_batch(3)


def open_tasks():
    return sorted(Alert.objects.tasks().open().values_list("key", "recipient__username"))


def test_it_closes_every_copy_of_the_task_and_no_other(
    people, pushed, django_capture_on_commit_callbacks, django_assert_num_queries
):
    manager, temp, learner = people
    task(TASK, [manager, temp], data={"request_id": 1}, sender=learner)
    task(TASK, [manager], data={"request_id": 2})
    task(OTHER_TASK, [temp], data={"request_id": 1})
    pushed.clear()
    # the open copies, then one UPDATE
    with django_capture_on_commit_callbacks(execute=True), django_assert_num_queries(2):
        closed = actions.close_tasks(
            TASK, data={"request_id": 1}, action="cancelled", actor=learner, comment="Not needed"
        )
    assert closed == 2
    assert open_tasks() == [(OTHER_TASK, temp.username), (TASK, manager.username)]
    for copy in Alert.objects.filter(event__data__request_id=1, key=TASK):
        assert copy.done_at and copy.read_at == copy.done_at
        assert (copy.action, copy.acted_by, copy.comment) == ("cancelled", learner, "Not needed")
    assert sorted(pushed) == sorted([manager.pk, temp.pk])


def test_it_is_idempotent(
    people, pushed, django_capture_on_commit_callbacks, django_assert_num_queries
):
    manager, temp, learner = people
    task(TASK, [manager, temp], data={"request_id": 1})
    actions.close_tasks(TASK, data={"request_id": 1}, action="cancelled", actor=learner)
    before = list(Alert.objects.values_list("pk", "done_at", "read_at", "action", "acted_by"))
    pushed.clear()
    # the open copies: none
    with django_capture_on_commit_callbacks(execute=True), django_assert_num_queries(1):
        assert actions.close_tasks(TASK, data={"request_id": 1}, action="removed") == 0
    assert list(Alert.objects.values_list("pk", "done_at", "read_at", "action", "acted_by")) == (
        before
    )
    assert pushed == []


def test_it_closes_many_tasks_by_a_list_of_values_or_dedupe_keys_in_two_queries(
    people, django_assert_num_queries
):
    manager, temp, _ = people
    for request_id in range(1, 6):
        task(TASK, [manager, temp], data={"request_id": request_id}, dedupe_key=f"r{request_id}")
    with django_assert_num_queries(2):
        closed = actions.close_tasks(TASK, data={"request_id": [1, 2, 3]}, action="cancelled")
    assert closed == 6
    with django_assert_num_queries(2):
        assert actions.close_tasks(TASK, dedupe_keys=["r3", "r4"], action="cancelled") == 2
    assert {a.event.data["request_id"] for a in Alert.objects.tasks().open()} == {5}


def test_it_can_close_some_recipients_copies_only(people):
    manager, temp, _ = people
    task(TASK, [manager, temp], data={"request_id": 1})
    closed = actions.close_tasks(
        TASK, data={"request_id": 1}, recipients=[temp.pk], action="removed"
    )
    assert closed == 1
    assert open_tasks() == [(TASK, manager.username)]


def test_it_refuses_to_close_every_task_of_a_key(people):
    task(TASK, people[:1], data={"request_id": 1})
    with pytest.raises(ValueError, match="data or dedupe keys"):
        actions.close_tasks(TASK, action="cancelled")
    assert actions.close_tasks(TASK, data={"request_id": []}, action="cancelled") == 0
    assert len(open_tasks()) == 1


def test_acting_on_a_closed_task_is_refused_with_what_happened(people, monkeypatch):
    from alerts import handlers

    manager, temp, learner = people
    calls = []
    monkeypatch.setattr(handlers, "_handlers", {})
    handlers.task_action(TASK, "accept")(lambda event, actor, comment: calls.append(actor))
    task(TASK, [manager, temp], data={"request_id": 1})
    actions.close_tasks(TASK, data={"request_id": 1}, action="cancelled", actor=learner)
    copy = Alert.objects.get(recipient=manager)
    with pytest.raises(actions.InboxError, match=f"{learner.display_name} already cancelled"):
        actions.act_on_task(manager, copy.pk, "accept")
    with pytest.raises(actions.InboxError, match="already closed"):
        actions.act_on_task(manager, copy.pk, "dismiss")
    assert calls == []
    copy.refresh_from_db()
    assert (copy.action, copy.acted_by) == ("cancelled", learner)


def test_a_task_closed_without_an_actor_is_refused_with_what_happened(people, monkeypatch):
    from alerts import handlers

    manager, temp, _ = people
    monkeypatch.setattr(handlers, "_handlers", {})
    handlers.task_action(TASK, "accept")(lambda event, actor, comment: None)
    task(TASK, [manager, temp], data={"request_id": 1})
    actions.close_tasks(TASK, data={"request_id": 1}, action="expired")
    copy = Alert.objects.get(recipient=manager)
    with pytest.raises(actions.InboxError, match=r"This task is already closed \(Expired on "):
        actions.act_on_task(manager, copy.pk, "accept")
