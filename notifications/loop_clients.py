"""PostgreSQL and Redis from the event loop, for the statement a socket runs per message.

Django's ORM is synchronous: under ASGI each of its calls hands the work to a thread and back,
and checks a connection out of the pool and in again. A message sent from a socket is one
statement and one count (instant.actions.write_message_async); run here, on the loop, with
psycopg's and redis-py's asyncio clients, they skip those hand-offs. Everything else stays on
the ORM and the cache API.

An asyncio connection belongs to the loop it was opened in, so the clients are kept per loop:
a server has one; a test has one per asyncio.run. They are closed when their loop closes (the
way channels-redis closes its own pools).
"""

from __future__ import annotations

import asyncio
import contextlib
import types
import weakref
from collections.abc import AsyncIterator

from django.conf import settings
from django.core.cache.backends.redis import RedisCache
from django.db import connections

DEFAULT_CONNECTIONS = 10  # when the database has no pool of its own to take the size from


def database_available() -> bool:
    """Whether `database()` can be used: the default database is PostgreSQL."""
    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def connection_limit() -> int:
    """At most as many connections per loop as the ORM's pool holds, so a burst of sockets
    sending at once waits its turn instead of exhausting the server's connections."""
    pool = settings.DATABASES["default"].get("OPTIONS", {}).get("pool")
    if isinstance(pool, dict):
        return pool.get("max_size", DEFAULT_CONNECTIONS)
    return DEFAULT_CONNECTIONS


class _LoopClients:
    def __init__(self):
        self.slots = asyncio.Semaphore(connection_limit())
        self.idle: list = []
        self.redis: dict[str, object] = {}

    async def aclose(self) -> None:
        idle, self.idle = self.idle, []
        for conn in idle:
            await conn.close()
        clients, self.redis = self.redis, {}
        for client in clients.values():
            await client.aclose()


_by_loop: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _LoopClients] = (
    weakref.WeakKeyDictionary()
)


def _clients() -> _LoopClients:
    loop = asyncio.get_running_loop()
    clients = _by_loop.get(loop)
    if clients is None:
        clients = _by_loop[loop] = _LoopClients()
        original_close = loop.close

        def close(self, *args, **kwargs):
            owned = _by_loop.pop(self, None)
            if owned is not None and not self.is_running():
                self.run_until_complete(owned.aclose())
            self.close = original_close
            return original_close(*args, **kwargs)

        loop.close = types.MethodType(close, loop)
    return clients


def _connection_params() -> dict:
    """Django's own parameters for the default database (name, host, options, its adapters and
    prepare threshold), less its synchronous cursor class."""
    params = connections["default"].get_connection_params()
    params.pop("cursor_factory", None)
    return params


@contextlib.asynccontextmanager
async def database() -> AsyncIterator:
    """An autocommit psycopg AsyncConnection to the default database, kept for reuse after.

    A connection found broken is replaced; one left mid-statement (the caller was cancelled or
    failed) is closed rather than kept.
    """
    import psycopg

    clients = _clients()
    async with clients.slots:
        conn = None
        while clients.idle and conn is None:
            candidate = clients.idle.pop()
            if candidate.closed or candidate.broken:
                await candidate.close()
            else:
                conn = candidate
        if conn is None:
            conn = await psycopg.AsyncConnection.connect(**_connection_params(), autocommit=True)
        try:
            yield conn
        finally:
            idle = conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
            if idle and not conn.closed and not conn.broken:
                clients.idle.append(conn)
            else:
                await conn.close()


def redis_for(cache) -> object | None:
    """A redis-py asyncio client on the Redis server `cache` writes to; None unless `cache` is
    Django's RedisCache."""
    if not isinstance(cache, RedisCache):
        return None
    from redis.asyncio import Redis

    server = cache._servers[0]  # where Django's RedisCache sends writes
    clients = _clients()
    client = clients.redis.get(server)
    if client is None:
        client = clients.redis[server] = Redis.from_url(server)
    return client
