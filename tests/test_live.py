"""The WebSocket /ws/: who may open it, and what it sends."""

import asyncio
import time

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.conf import settings

from notifications import live, presence
from totara_messaging.asgi import application

pytestmark = pytest.mark.django_db(transaction=True)


def session_headers(client, user, origin="http://127.0.0.1:8000"):
    client.force_login(user)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    return [(b"cookie", cookie.encode()), (b"origin", origin.encode()), (b"host", b"127.0.0.1")]


async def open_socket(headers):
    communicator = WebsocketCommunicator(application, "/ws/", headers=headers)
    connected, code = await communicator.connect()
    return communicator, connected, code


def test_an_anonymous_socket_is_refused():
    async def run():
        _communicator, connected, code = await open_socket([(b"origin", b"http://127.0.0.1:8000")])
        assert not connected
        assert code == 4401

    asyncio.run(run())


def test_a_foreign_origin_is_refused(client, user):
    headers = session_headers(client, user, origin="http://evil.example.com")

    async def run():
        _communicator, connected, _ = await open_socket(headers)
        assert not connected

    asyncio.run(run())


def test_the_first_frame_is_counts_and_pushes_arrive(client, user, other_user):
    headers = session_headers(client, user)

    async def run():
        communicator, connected, _ = await open_socket(headers)
        assert connected
        first = await communicator.receive_json_from(timeout=5)
        assert first["type"] == "counts"
        assert await sync_to_async(presence.has_open_socket)(user.pk)
        layer = get_channel_layer()
        await layer.group_send(live.group_name(other_user.pk), {"type": "push", "frame": {"x": 1}})
        await layer.group_send(
            live.group_name(user.pk), {"type": "push", "frame": {"type": "alert.new", "id": 7}}
        )
        assert await communicator.receive_json_from(timeout=5) == {"type": "alert.new", "id": 7}
        assert await communicator.receive_nothing(timeout=0.2)
        await communicator.disconnect()
        assert not await sync_to_async(presence.has_open_socket)(user.pk)

    asyncio.run(run())


def test_frames_and_pushes_cost_no_hand_off_to_the_shared_thread(client, user, monkeypatch):
    """channels closes old connections in its shared sync thread before every event; this
    consumer's queries close their own (live.database_async), so it skips that trip."""
    import channels.consumer

    calls = []

    async def close_old_connections():
        calls.append(1)

    monkeypatch.setattr(channels.consumer, "aclose_old_connections", close_old_connections)
    headers = session_headers(client, user)

    async def run():
        communicator, connected, _ = await open_socket(headers)
        assert connected
        assert (await communicator.receive_json_from(timeout=5))["type"] == "counts"
        await get_channel_layer().group_send(
            live.group_name(user.pk), {"type": "push", "frame": {"type": "alert.new", "id": 7}}
        )
        assert (await communicator.receive_json_from(timeout=5))["id"] == 7
        await communicator.send_json_to({"type": "ping"})
        assert (await communicator.receive_json_from(timeout=5))["type"] == "pong"
        await communicator.disconnect()

    asyncio.run(run())
    assert calls == []


@pytest.mark.services
def test_an_idle_socket_outlives_the_redis_socket_timeout(client, user):
    """channels-redis blocks 5 s on a pop; redis-py's default 5 s socket timeout used to kill it."""
    assert "Redis" in settings.CHANNEL_LAYERS["default"]["BACKEND"]
    headers = session_headers(client, user)

    async def run():
        communicator, connected, _ = await open_socket(headers)
        assert connected
        await communicator.receive_json_from(timeout=5)
        started = time.monotonic()
        await asyncio.sleep(6.5)
        layer = get_channel_layer()
        await layer.group_send(
            live.group_name(user.pk), {"type": "push", "frame": {"type": "alert.new", "id": 1}}
        )
        # What is tested is that the socket survived the idle, not how fast it answers: a
        # loaded machine (two test workers) may take a few seconds to deliver.
        frame = await communicator.receive_json_from(timeout=15)
        assert frame == {"type": "alert.new", "id": 1}
        assert time.monotonic() - started > 6
        await communicator.disconnect()

    asyncio.run(run())


@pytest.mark.services
def test_two_trip_delivery_reaches_what_group_send_reaches(client, user, other_user):
    """notifications.delivery: look_up reads a group's sockets, deliver puts the message where
    channels-redis's group_send would (its own receive reads it); another group is untouched."""
    from django.test import Client

    from notifications import delivery

    # One client each: logging another user in on the same client ends the first session.
    headers, others = session_headers(client, user), session_headers(Client(), other_user)

    async def run():
        tabs = [(await open_socket(headers))[0] for _ in range(2)]
        other = (await open_socket(others))[0]
        for tab in (*tabs, other):
            assert (await tab.receive_json_from(timeout=5))["type"] == "counts"
        targets = await delivery.look_up([live.group_name(user.pk)])
        assert len(targets.channels) == 2
        await delivery.deliver(targets, live.event({"type": "alert.new", "id": 3}))
        for tab in tabs:
            assert await tab.receive_json_from(timeout=5) == {"type": "alert.new", "id": 3}
        assert await other.receive_nothing(timeout=0.3)
        # A tab closed after the look-up: its channel is gone, the others still get it.
        await tabs[1].disconnect()
        await delivery.deliver(targets, live.event({"type": "alert.new", "id": 4}))
        assert await tabs[0].receive_json_from(timeout=5) == {"type": "alert.new", "id": 4}
        await delivery.send([], live.event({"type": "alert.new", "id": 5}))  # nobody: nothing
        assert await tabs[0].receive_nothing(timeout=0.3)
        for tab in (tabs[0], other):
            await tab.disconnect()

    asyncio.run(run())


def test_a_tab_recounts_when_pushes_pause_and_at_least_every_max_delay(client, user, monkeypatch):
    from notifications import consumers

    monkeypatch.setattr(consumers, "COUNTS_DELAY", 0.2)
    monkeypatch.setattr(consumers, "COUNTS_MAX_DELAY", 0.5)
    headers = session_headers(client, user)

    async def run():
        communicator, connected, _ = await open_socket(headers)
        assert connected
        assert (await communicator.receive_json_from(timeout=5))["type"] == "counts"
        layer = get_channel_layer()
        refresh = live.event({"type": "counts.refresh"})
        during = 0
        stream_ends = time.monotonic() + 1.3
        while time.monotonic() < stream_ends:  # a push every 50 ms: never a 200 ms pause
            await layer.group_send(live.group_name(user.pk), refresh)
            # (a receive that times out would cancel the application: look first)
            if not await communicator.receive_nothing(timeout=0.05):
                assert (await communicator.receive_json_from())["type"] == "counts"
                during += 1
        assert 1 <= during <= 3, during
        assert (await communicator.receive_json_from(timeout=2))["type"] == "counts"
        assert await communicator.receive_nothing(timeout=0.4)
        await communicator.disconnect()

    asyncio.run(run())
