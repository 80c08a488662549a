"""The event loop's own PostgreSQL connections and Redis client (notifications.loop_clients)."""

import asyncio

import pytest
from django.core.cache.backends.locmem import LocMemCache

from notifications import loop_clients, presence

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


async def backend_pid(conn) -> int:
    cursor = await conn.execute("SELECT pg_backend_pid()")
    return (await cursor.fetchone())[0]


def test_a_connection_is_kept_for_the_next_statement_and_closed_with_its_loop():
    async def run():
        async with loop_clients.database() as first:
            pid = await backend_pid(first)
        async with loop_clients.database() as again:
            assert again is first and await backend_pid(again) == pid
        return first

    conn = asyncio.run(run())
    assert conn.closed  # closed when asyncio.run closed its loop: nothing left open


def test_a_broken_connection_is_replaced():
    async def run():
        async with loop_clients.database() as first:
            pass
        await first.close()  # as a restarted database would leave it
        async with loop_clients.database() as second:
            assert second is not first and await backend_pid(second)

    asyncio.run(run())


def test_a_statement_cut_short_leaves_no_busy_connection_behind():
    async def run():
        with pytest.raises(TimeoutError):
            async with loop_clients.database() as conn:
                await asyncio.wait_for(conn.execute("SELECT pg_sleep(5)"), 0.2)
        # Cancelled on the server, or closed: either way the next statement runs at once.
        async with loop_clients.database() as conn:
            started = asyncio.get_running_loop().time()
            assert await backend_pid(conn)
            return asyncio.get_running_loop().time() - started

    assert asyncio.run(run()) < 1


def test_connections_are_capped_by_the_pool_size(monkeypatch):
    monkeypatch.setattr(loop_clients, "connection_limit", lambda: 2)
    inside = 0
    most = 0

    async def one():
        nonlocal inside, most
        async with loop_clients.database() as conn:
            inside += 1
            most = max(most, inside)
            await conn.execute("SELECT pg_sleep(0.05)")
            inside -= 1

    async def run():
        await asyncio.gather(*(one() for _ in range(6)))

    asyncio.run(run())
    assert most == 2


def test_the_socket_count_and_the_request_count_are_one_counter():
    """A user over the rate limit is over it whichever way the message comes."""
    assert presence.incr_expiring("rate-test", 60) == 1

    async def run():
        return [await presence.incr_expiring_async("rate-test", 60) for _ in range(2)]

    assert asyncio.run(run()) == [2, 3]
    assert presence.incr_expiring("rate-test", 60) == 4


def test_only_a_redis_cache_gets_a_client():
    async def run():
        cache = presence.shared_cache()
        assert loop_clients.redis_for(cache) is loop_clients.redis_for(cache)
        assert loop_clients.redis_for(LocMemCache("x", {})) is None

    asyncio.run(run())
