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
        frame = await communicator.receive_json_from(timeout=5)
        assert frame == {"type": "alert.new", "id": 1}
        assert time.monotonic() - started > 6
        await communicator.disconnect()

    asyncio.run(run())
