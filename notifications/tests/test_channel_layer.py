"""The channel layer's one reader per process (notifications.channel_layer)."""

import asyncio
import uuid

import pytest
from django.conf import settings

from notifications import channel_layer

pytestmark = pytest.mark.services


def new_layer():
    config = dict(settings.CHANNEL_LAYERS["default"]["CONFIG"])
    config["prefix"] = f"test-{uuid.uuid4().hex[:8]}"
    return channel_layer.RedisChannelLayer(**config)


async def waited_for(layer, channel, n):
    """What a socket waiting on `channel` gets when message `n` is sent to it."""
    waiting = asyncio.ensure_future(layer.receive(channel))
    await asyncio.sleep(0.05)
    await layer.send(channel, {"type": "x", "n": n})
    return (await asyncio.wait_for(waiting, 5))["n"]


def test_many_waiting_channels_each_get_their_own_messages_in_order():
    async def run():
        layer = new_layer()
        channels = [await layer.new_channel() for _ in range(200)]
        receivers = [asyncio.ensure_future(layer.receive(c)) for c in channels]
        await asyncio.sleep(0.05)
        assert len([t for t in layer._readers.values() if not t.done()]) == 1
        for n, channel in enumerate(channels):
            await layer.send(channel, {"type": "x", "n": n})
        received = await asyncio.wait_for(asyncio.gather(*receivers), 10)
        assert [m["n"] for m in received] == list(range(200))
        # Two for one channel: both kept, in order, the second waiting in its queue.
        await layer.send(channels[0], {"type": "x", "n": "first"})
        await layer.send(channels[0], {"type": "x", "n": "second"})
        assert (await asyncio.wait_for(layer.receive(channels[0]), 5))["n"] == "first"
        assert (await asyncio.wait_for(layer.receive(channels[0]), 5))["n"] == "second"
        await layer.flush()

    asyncio.run(run())


def test_the_reader_stops_when_nobody_waits_and_starts_again():
    async def run():
        layer = new_layer()
        channel = await layer.new_channel()
        assert await waited_for(layer, channel, 1) == 1
        # Read while nobody waits: kept for the channel, and the reader stops.
        await layer.send(channel, {"type": "x", "n": 2})
        (reader,) = layer._readers.values()
        await asyncio.wait_for(reader, 5)
        assert (await asyncio.wait_for(layer.receive(channel), 5))["n"] == 2
        waiting = asyncio.ensure_future(layer.receive(channel))
        await asyncio.sleep(0.05)
        (again,) = layer._readers.values()
        assert again is not reader and not again.done()
        await layer.send(channel, {"type": "x", "n": 3})
        assert (await asyncio.wait_for(waiting, 5))["n"] == 3
        await layer.flush()

    asyncio.run(run())


def test_a_failed_read_is_retried_and_the_sockets_keep_waiting(monkeypatch, caplog):
    monkeypatch.setattr(channel_layer, "RETRY_DELAYS", (0.01,))

    async def run():
        layer = new_layer()
        channel = await layer.new_channel()
        real = layer.receive_single
        failures = []

        async def flaky(name):
            if not failures:
                failures.append(name)
                raise ConnectionError("Redis went away")
            return await real(name)

        layer.receive_single = flaky
        assert await waited_for(layer, channel, 1) == 1
        assert failures
        await layer.flush()

    asyncio.run(run())
    assert "Redis went away" in caplog.text


def test_the_last_socket_going_away_stops_the_reader_and_leaves_no_queue():
    async def run():
        layer = new_layer()
        channel = await layer.new_channel()
        waiting = asyncio.ensure_future(layer.receive(channel))
        await asyncio.sleep(0.05)
        (reader,) = layer._readers.values()
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        assert channel not in layer.receive_buffer
        # The last socket gone, no read is left blocked on Redis to take the next message.
        await asyncio.wait([reader], timeout=5)
        assert reader.cancelled()
        later = await layer.new_channel()
        assert await waited_for(layer, later, 1) == 1
        await layer.flush()

    asyncio.run(run())


def test_a_loop_that_stopped_without_closing_leaves_no_reader_in_the_way():
    """As a server stopped but not closed does: the next loop's sockets still get messages."""
    layer = new_layer()
    stopped = asyncio.new_event_loop()

    async def first():
        channel = await layer.new_channel()
        return await waited_for(layer, channel, 1)

    assert stopped.run_until_complete(first()) == 1  # its reader is left blocked on Redis

    async def second():
        channel = await layer.new_channel()
        assert await waited_for(layer, channel, 2) == 2
        # (No flush: it would close the other loop's connections too; the keys expire.)

    asyncio.run(second())
    (left_behind,) = (t for t in asyncio.all_tasks(stopped) if "_read" in repr(t))
    left_behind.cancel()
    stopped.run_until_complete(asyncio.wait([left_behind]))
    stopped.close()  # (here, not when collected in some later test's running loop)


def test_more_sockets_than_connections_wait_their_turn_instead_of_failing():
    """As when thousands of sockets open or drop at once: channels-redis's own pool raised
    "Too many connections" past its size; this one makes each command wait for a connection."""
    config = dict(settings.CHANNEL_LAYERS["default"]["CONFIG"])
    config["prefix"] = f"test-{uuid.uuid4().hex[:8]}"
    config["hosts"] = [{**config["hosts"][0], "max_connections": 3}]
    layer = channel_layer.RedisChannelLayer(**config)

    async def run():
        channels = [await layer.new_channel() for _ in range(50)]
        await asyncio.gather(*(layer.group_add("everyone", c) for c in channels))
        await asyncio.gather(*(layer.group_discard("everyone", c) for c in channels))
        await layer.flush()

    asyncio.run(run())
