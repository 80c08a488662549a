"""Live pushes of new inbox rows: only to users with an open page, a constant cost per batch."""

import asyncio
from types import SimpleNamespace

import pytest
import time_machine
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings

from accounts.factories import UserFactory
from alerts.models import Alert
from alerts.tasks import push_new_items
from notifications import presence, send
from notifications.factories import context_for
from notifications.models import MessageTemplate, MessageType
from totara_messaging.asgi import application

ALERT = "programs.due"


def sent_quietly(users, key=ALERT):
    """The event's rows written; its push left to the test."""

    for u in users:
        presence.touch(u.pk)  # web only, as logged in
    result = send(key, users, context=context_for(key), url="/programs/1/")
    return result.event_id


@pytest.mark.parametrize("count", [10, 40])
def test_a_batch_nobody_has_open_costs_one_look_up_and_no_query(
    db, count, django_assert_num_queries, django_capture_on_commit_callbacks
):
    users = UserFactory.create_batch(count)
    with django_capture_on_commit_callbacks(execute=False):
        event_id = sent_quietly(users)
    with django_assert_num_queries(0):
        push_new_items(event_id, [u.pk for u in users])


@pytest.mark.parametrize("count", [10, 40])
def test_the_push_task_costs_two_queries_however_many_are_online(
    db, count, django_assert_num_queries, django_capture_on_commit_callbacks
):
    users = UserFactory.create_batch(count, language="fr")
    users += UserFactory.create_batch(count, language="de", timezone="Europe/Berlin")
    with django_capture_on_commit_callbacks(execute=False):
        event_id = sent_quietly(users)
    for u in users[::2]:
        presence.socket_opened(u.pk)
    # the online recipients' rows with their events, senders and users; the admins' templates
    with django_assert_num_queries(2):
        push_new_items(event_id, [u.pk for u in users])


def test_each_online_recipient_gets_their_own_row_in_their_language_and_name(
    db, django_capture_on_commit_callbacks, monkeypatch
):
    from alerts import tasks

    french = UserFactory(language="fr", full_name="Zoé <Durand>")
    also_french = UserFactory(language="fr", full_name="Luc Martin")
    english = UserFactory(language="en", full_name="Ann Smith")
    away = UserFactory(language="fr")
    MessageTemplate.objects.create(
        message_type=MessageType.objects.get(key=ALERT),
        language="fr",
        subject="Bientôt dû, {{ recipient }}",
        body="Bonjour {{ recipient }}",
    )
    pushed = []
    monkeypatch.setattr(
        tasks.live, "push_to_each_now", lambda frames, counts: pushed.extend(frames)
    )
    recipients = [french, also_french, english, away]
    with django_capture_on_commit_callbacks(execute=False):
        event_id = sent_quietly(recipients)
    for u in (french, also_french, english):
        presence.socket_opened(u.pk)
    push_new_items(event_id, [u.pk for u in recipients])

    frames = dict(pushed)
    assert set(frames) == {french.pk, also_french.pk, english.pk}
    rows = {a.recipient_id: a.pk for a in Alert.objects.filter(event_id=event_id)}
    for u in (french, also_french, english):
        assert frames[u.pk]["type"] == "alert.new"
        assert frames[u.pk]["item"]["id"] == rows[u.pk]
    assert frames[french.pk]["item"]["subject"] == "Bientôt dû, Zoé <Durand>"
    assert frames[french.pk]["item"]["body"] == "<p>Bonjour Zoé &lt;Durand&gt;</p>"
    assert frames[also_french.pk]["item"]["subject"] == "Bientôt dû, Luc Martin"
    assert "Bientôt" not in frames[english.pk]["item"]["subject"]


def test_a_socket_counts_until_closed_and_a_dead_process_stops_counting(db, user, other_user):
    presence.socket_opened(user.pk)
    presence.socket_opened(user.pk)
    presence.socket_closed(user.pk)
    assert presence.with_open_socket([user.pk, other_user.pk]) == {user.pk}
    presence.socket_closed(user.pk)
    assert presence.with_open_socket([user.pk, other_user.pk]) == set()
    presence.socket_opened(other_user.pk)
    assert presence.logged_in([user.pk, other_user.pk]) == {other_user.pk}
    if settings.CACHES["default"]["BACKEND"].endswith("RedisCache"):
        # Nothing beats for this process from now on, as when it dies.
        with time_machine.travel(presence.time.time() + presence.PROCESS_TTL + 1, tick=False):
            assert presence.with_open_socket([other_user.pk]) == set()


@pytest.mark.services
def test_another_processs_sockets_count_while_it_beats(db, user, other_user):
    cache = presence.shared_cache()
    other = presence._Sockets()  # another web process, with its own id
    other.counts[user.pk] = 1
    with other.lock:
        presence._mirror(cache, other, None)
    assert presence.with_open_socket([user.pk, other_user.pk]) == {user.pk}
    later = presence.time.time() + presence.PROCESS_TTL - 10
    with time_machine.travel(later, tick=False):
        presence.socket_opened(other_user.pk)  # this process beats; the other does not
        assert presence.with_open_socket([user.pk, other_user.pk]) == {user.pk, other_user.pk}
    with time_machine.travel(later + 20, tick=False):
        assert presence.with_open_socket([user.pk, other_user.pk]) == {other_user.pk}


@pytest.mark.django_db(transaction=True)
def test_a_new_alert_reaches_the_open_page_of_a_recipient(client, user, other_user):
    client.force_login(user)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    headers = [(b"cookie", cookie.encode()), (b"origin", b"http://127.0.0.1:8000")]

    async def run():
        communicator = WebsocketCommunicator(application, "/ws/", headers=headers)
        connected, _ = await communicator.connect()
        assert connected
        assert (await communicator.receive_json_from(timeout=5))["type"] == "counts"
        await sync_to_async(send)(
            ALERT, [user, other_user], context=context_for(ALERT), url="/programs/1/"
        )
        frame = await communicator.receive_json_from(timeout=5)
        assert frame["type"] == "alert.new"
        assert (
            frame["item"]["id"]
            == await sync_to_async(lambda: Alert.objects.get(recipient=user).pk)()
        )
        counts = await communicator.receive_json_from(timeout=5)
        assert counts["type"] == "counts" and counts["alerts"] == 1
        await communicator.disconnect()
        assert not await sync_to_async(presence.has_open_socket)(user.pk)

    asyncio.run(run())


@pytest.mark.django_db(transaction=True)
def test_a_process_with_open_pages_keeps_beating_without_their_pings(client, user, monkeypatch):
    from notifications import consumers

    beats = []
    real = presence.heartbeat
    monkeypatch.setattr(presence, "HEARTBEAT_SECONDS", 0.05)
    monkeypatch.setattr(presence, "heartbeat", lambda: beats.append(real()) or beats[-1])
    client.force_login(user)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    headers = [(b"cookie", cookie.encode()), (b"origin", b"http://127.0.0.1:8000")]

    async def run():
        communicator = WebsocketCommunicator(application, "/ws/", headers=headers)
        assert (await communicator.connect())[0]
        await communicator.receive_json_from(timeout=5)
        await asyncio.sleep(0.5)
        assert len(beats) >= 3 and all(beats)  # no ping was sent
        await communicator.disconnect()
        await asyncio.sleep(0.3)
        task = consumers._heartbeats[asyncio.get_running_loop()]
        assert task.done() and beats[-1] is False  # no socket left: it stopped

    asyncio.run(run())


def test_a_send_queues_a_push_only_for_the_recipients_with_a_page_open(
    db, monkeypatch, settings, django_capture_on_commit_callbacks
):
    from alerts import output, tasks

    settings.NOTIFICATIONS_BATCH_SIZE = 7  # several batches, one look-up after commit
    monkeypatch.setattr(output, "PUSH_TASK_USERS", 3)
    users = UserFactory.create_batch(20)
    queued = []
    monkeypatch.setattr(tasks.push_new_items, "delay", lambda *args: queued.append(args))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        event_id = sent_quietly(users)
    assert len(callbacks) == 1 and queued == []  # nobody online: no task at all

    online = sorted(u.pk for u in users[::4])  # 5 of them
    for user_id in online:
        presence.socket_opened(user_id)
    with django_capture_on_commit_callbacks(execute=True):
        event_id = sent_quietly(users, key="programs.enrolment")
    assert queued == [(event_id, online[:3]), (event_id, online[3:])]


def test_the_look_up_of_many_recipients_is_chunked_and_exact(db, monkeypatch):
    monkeypatch.setattr(presence, "ONLINE_CHUNK", 4)
    users = UserFactory.create_batch(11)
    for u in users[1::3]:
        presence.socket_opened(u.pk)
    assert presence.with_open_socket([u.pk for u in users]) == {u.pk for u in users[1::3]}


def test_a_redis_outage_costs_the_live_push_only(
    db, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    from alerts import output

    def down(user_ids):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(output, "presence", SimpleNamespace(with_open_socket=down))
    users = UserFactory.create_batch(3)
    with django_capture_on_commit_callbacks(execute=True):
        result = send(ALERT, users, context=context_for(ALERT), url="/programs/1/")
    assert Alert.objects.filter(event_id=result.event_id).count() == 3
    assert "live push of event" in caplog.text
