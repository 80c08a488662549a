"""Snooze, archive and mark unread: the actions, the pages, the API, the job that brings
snoozed rows back, and the purge rules."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from alerts import actions, tasks
from alerts.models import Alert
from notifications import presence, send
from notifications.factories import context_for
from notifications.jobs import run
from notifications.live import counts_for

ALERT = "programs.due"
TASK = "programs.extension_request"


def alert(users, key=ALERT):
    send(key, users, context=context_for(key), url="/programs/1/")
    return Alert.objects.filter(recipient=users[0]).latest("id")


@pytest.fixture
def web_only(user, other_user):
    presence.touch(user.pk)
    presence.touch(other_user.pk)


def test_snooze_choices_are_in_the_users_timezone(user):
    user.timezone = "Pacific/Auckland"
    now = datetime(2026, 12, 6, 23, 0, tzinfo=UTC)  # 12:00 on the 7th in Auckland
    assert actions.snooze_until(user, "hour", now=now) == now + timedelta(hours=1)
    tomorrow = actions.snooze_until(user, "tomorrow", now=now)
    assert tomorrow.astimezone(UTC) == datetime(2026, 12, 7, 19, 0, tzinfo=UTC)  # 8th, 08:00
    day = actions.snooze_until(user, "date", "2026-12-24", now=now)
    assert (day.day, day.hour) == (24, 8)
    assert actions.snooze_until(user, "date", "2026-12-24T14:30", now=now).hour == 14


@pytest.mark.parametrize(
    "choice, until, error",
    [
        ("week", "", "Snooze for one of"),
        ("date", "", "YYYY-MM-DD"),
        ("date", "24/12/2026", "YYYY-MM-DD"),
        ("date", "2020-01-01", "in the future"),
        ("date", "2099-01-01", "at most a year"),
    ],
)
def test_a_bad_snooze_says_why(user, choice, until, error):
    with pytest.raises(actions.InboxError, match=error):
        actions.snooze_until(user, choice, until)


def test_a_snoozed_alert_leaves_the_lists_and_counts_and_comes_back_as_new(client, user, web_only):
    item = alert([user])
    actions.mark_read(user, [item.pk])
    client.force_login(user)
    with time_machine.travel(timezone.now(), tick=False):
        assert actions.snooze(user, [item.pk], timezone.now() + timedelta(hours=1)) == 1
        assert counts_for(user)["alerts"] == 0
        assert f'data-alert="{item.pk}"' not in client.get("/").content.decode()
        listed = client.get("/alerts/").content.decode()
        assert f'type="checkbox" name="ids" value="{item.pk}"' not in listed
        assert (
            f'type="checkbox" name="ids" value="{item.pk}"'
            in client.get("/alerts/?box=snoozed").content.decode()
        )
        assert actions.wake_snoozed() == 0  # not yet
    later = timezone.now() + timedelta(hours=1, minutes=1)
    with time_machine.travel(later, tick=False):
        assert actions.wake_snoozed() == 1
        assert actions.wake_snoozed() == 0  # once
    item.refresh_from_db()
    assert item.snoozed_until is None and item.read_at is None
    assert abs(item.created_at - later) < timedelta(seconds=1)
    assert counts_for(user)["alerts"] == 1
    assert f'data-alert="{item.pk}"' in client.get("/").content.decode()


def test_a_woken_row_is_pushed_live_to_an_open_page(user, other_user, web_only, monkeypatch):
    mine = alert([user, other_user])
    theirs = Alert.objects.get(event=mine.event, recipient=other_user)
    soon = timezone.now() + timedelta(minutes=5)
    actions.snooze(user, [mine.pk], soon)
    actions.snooze(other_user, [theirs.pk], soon)
    queued = []
    monkeypatch.setattr(tasks.push_rows, "delay", lambda *args: queued.append(args))
    presence.touch(user.pk)
    monkeypatch.setattr(presence, "with_open_socket", lambda ids: {i for i in ids if i == user.pk})
    with time_machine.travel(soon + timedelta(seconds=1), tick=False):
        from django.test import TestCase

        with TestCase.captureOnCommitCallbacks(execute=True):
            assert actions.wake_snoozed() == 2
    assert queued == [([mine.pk, theirs.pk], [user.pk])] or queued == [
        (sorted([mine.pk, theirs.pk]), [user.pk])
    ]
    pushed = []
    monkeypatch.setattr(
        tasks.live, "push_to_each_now", lambda frames, counts: pushed.extend(frames)
    )
    tasks.push_rows(*queued[0])
    assert [(uid, frame["type"], frame["item"]["id"]) for uid, frame in pushed] == [
        (user.pk, "alert.new", mine.pk)
    ]


def test_waking_costs_the_same_queries_for_one_row_or_many(
    user, other_user, web_only, django_assert_num_queries
):
    soon = timezone.now() + timedelta(minutes=5)
    for count in (1, 30):
        ids = [alert([user]).pk for _ in range(count)]
        actions.snooze(user, ids, soon)
        # the due rows, one UPDATE (the push is queued after commit, outside the database)
        with (
            time_machine.travel(soon + timedelta(seconds=1), tick=False),
            django_assert_num_queries(2),
        ):
            assert actions.wake_snoozed() == count


def test_archive_takes_rows_out_of_the_lists_and_counts_and_unarchive_puts_them_back(
    client, user, web_only
):
    item = alert([user])
    sent = send(TASK, [user], context=context_for(TASK))
    task = Alert.objects.get(event_id=sent.event_id, recipient=user)
    assert counts_for(user)["tasks"] == 1
    assert actions.archive(user, [item.pk, task.pk]) == 2
    assert counts_for(user)["alerts"] == 0 and counts_for(user)["tasks"] == 0
    client.force_login(user)
    assert (
        f'type="checkbox" name="ids" value="{item.pk}"'
        not in client.get("/alerts/").content.decode()
    )
    archived = client.get("/alerts/?box=archived").content.decode()
    assert (
        f'type="checkbox" name="ids" value="{item.pk}"' in archived
        and "Move selected to inbox" in archived
    )
    assert f'id="task-{task.pk}"' in client.get("/tasks/?box=archived").content.decode()
    assert f'id="task-{task.pk}"' not in client.get("/tasks/").content.decode()
    assert actions.unarchive(user, [item.pk]) == 1
    assert counts_for(user)["alerts"] == 1


def test_mark_unread_brings_a_read_alert_back(user, web_only):
    item = alert([user])
    actions.mark_read(user, [item.pk])
    assert actions.mark_unread(user, [item.pk]) == 1
    assert counts_for(user)["alerts"] == 1
    assert actions.mark_unread(user, [item.pk]) == 0  # already unread


def test_closed_tasks_are_not_snoozed_or_marked_unread(user, web_only):
    sent = send(TASK, [user], context=context_for(TASK))
    task = Alert.objects.get(event_id=sent.event_id, recipient=user)
    actions.act_on_task(user, task.pk, "dismiss")
    assert actions.snooze(user, [task.pk], timezone.now() + timedelta(hours=1)) == 0
    assert actions.mark_unread(user, [task.pk]) == 0


def test_nobody_changes_anyone_elses_rows(client, user, other_user, web_only):
    theirs = alert([other_user])
    for change in ("archive", "unread"):
        assert actions.change_state(user, [theirs.pk], change).count == 0
    assert actions.snooze(user, [theirs.pk], timezone.now() + timedelta(hours=1)) == 0
    theirs.refresh_from_db()
    assert theirs.archived_at is None and theirs.snoozed_until is None
    client.force_login(user)
    assert client.post(f"/api/inbox/{theirs.pk}/archive").status_code == 404
    response = client.post("/inbox/state", {"ids": [theirs.pk], "change": "archive"})
    assert response.status_code == 302
    theirs.refresh_from_db()
    assert theirs.archived_at is None


def test_the_page_actions_and_their_bad_input(client, user, web_only):
    item = alert([user])
    client.force_login(user)
    response = client.post(
        "/inbox/state", {"ids": [item.pk], "change": "snooze", "snooze": "tomorrow"}, follow=True
    )
    assert "Snoozed until" in response.content.decode()
    item.refresh_from_db()
    assert item.snoozed_until is not None
    # bad input: a clear error, nothing changed
    assert client.post("/inbox/state", {"ids": ["x"], "change": "archive"}).status_code == 400
    page = client.post(
        "/inbox/state",
        {"ids": [item.pk], "change": "snooze", "snooze": "date", "until": "soon"},
        follow=True,
    ).content.decode()
    assert "YYYY-MM-DD" in page
    page = client.post(
        "/inbox/state", {"ids": [item.pk], "change": "explode"}, follow=True
    ).content.decode()
    assert "Choose one of: snooze, archive" in page
    before = item.snoozed_until
    item.refresh_from_db()
    assert item.snoozed_until == before and item.archived_at is None
    # from a dashboard block through htmx: the block comes back, with the outcome
    other = alert([user])
    block = client.post(
        "/inbox/state",
        {"ids": [other.pk], "change": "archive", "block": "alerts"},
        headers={"HX-Request": "true"},
    ).content.decode()
    assert 'id="block-alerts"' in block and "Archived." in block
    assert f'data-alert="{other.pk}"' not in block


def test_the_api(client, user, web_only):
    item = alert([user])
    client.force_login(user)
    response = client.post(
        f"/api/inbox/{item.pk}/snooze",
        {"snooze": "date", "until": "2099-01-01"},
        content_type="application/json",
    )
    assert response.status_code == 400 and "at most a year" in response.json()["detail"]
    response = client.post(
        f"/api/inbox/{item.pk}/snooze", {"snooze": "hour"}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["snoozed_until"]
    assert client.get("/api/alerts/").json()["count"] == 0
    assert client.get("/api/alerts/?box=snoozed").json()["results"][0]["id"] == item.pk
    assert client.post(f"/api/inbox/{item.pk}/archive").json()["archived"] is True
    assert client.get("/api/alerts/?box=archived").json()["count"] == 1
    assert client.get("/api/alerts/?box=bin").status_code == 400
    assert client.post(f"/api/inbox/{item.pk}/unarchive").json()["archived"] is False
    assert client.post(f"/api/inbox/{item.pk}/frobnicate").status_code == 400


@pytest.mark.parametrize("box", ["snoozed", "archived"])
@pytest.mark.parametrize("rows", [3, 40])
def test_the_tabs_run_a_constant_number_of_queries(
    client, user, web_only, box, rows, django_assert_num_queries
):
    ids = [alert([user]).pk for _ in range(rows)]
    if box == "snoozed":
        actions.snooze(user, ids, timezone.now() + timedelta(hours=1))
    else:
        actions.archive(user, ids)
    client.force_login(user)
    with django_assert_num_queries(7):
        assert client.get(f"/alerts/?box={box}").status_code == 200
    with django_assert_num_queries(5):
        assert client.get(f"/api/alerts/?box={box}").status_code == 200


def test_the_purge_keeps_snoozed_rows_and_keeps_archived_ones_a_year(user, settings, web_only):
    settings.ALERTS_ARCHIVE_RETENTION_DAYS = 365
    snoozed, archived, plain = (alert([user]) for _ in range(3))
    actions.mark_read(user, [snoozed.pk, archived.pk, plain.pk])
    actions.snooze(user, [snoozed.pk], timezone.now() + timedelta(days=200))
    actions.archive(user, [archived.pk])
    with time_machine.travel(timezone.now() + timedelta(days=40)):
        actions.purge_read()
        assert set(Alert.objects.values_list("pk", flat=True)) == {snoozed.pk, archived.pk}
    with time_machine.travel(timezone.now() + timedelta(days=366)):
        assert actions.purge_archived() == 1
        assert not Alert.objects.filter(pk=archived.pk).exists()


def test_the_wake_job_is_scheduled(user, web_only):
    item = alert([user])
    actions.snooze(user, [item.pk], timezone.now() + timedelta(minutes=1))
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        assert run("alerts.wake_snoozed") == {"woken": 1}
