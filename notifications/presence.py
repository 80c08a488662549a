"""Who is "logged in" for messaging preferences: an open page (a live WebSocket) or recent activity.

Kept in the cache (Redis in production) so every web process and worker sees the same answer.
"""

import threading
import time

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache

from notifications import loop_clients

_shared: dict[tuple, object] = {}
_lock = threading.Lock()


def shared_cache():
    """One cache client per process, shared by every thread and socket.

    Django's `cache` is per thread and per async context, so under ASGI each open socket (and
    each request) built its own Redis client and held a connection: ten thousand sockets meant
    ten thousand Redis connections. The client is thread-safe; one pool serves them all.
    """
    conf = settings.CACHES["default"]
    key = (conf["BACKEND"], str(conf.get("LOCATION", "")), conf.get("KEY_PREFIX", ""))
    client = _shared.get(key)
    if client is None:
        with _lock:
            client = _shared.setdefault(key, caches.create_connection("default"))
    return client


def incr_expiring(key: str, ttl: int) -> int:
    """Adds one to a counter that expires `ttl` seconds after its first count; returns the new
    count. On Redis one round trip (SET NX EX, then INCR, in a pipeline) instead of the cache
    API's add-then-incr; the key is the cache's own (same prefix and version)."""
    cache = shared_cache()
    if isinstance(cache, RedisCache):
        _, count = _incr_expiring_on(_redis_writer(cache), cache.make_key(key), ttl).execute()
        return count
    cache.add(key, 0, ttl)
    try:
        return cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.set(key, 1, ttl)
        return 1


async def incr_expiring_async(key: str, ttl: int) -> int:
    """incr_expiring from an event loop: the same counter, on the loop's own Redis client
    (notifications.loop_clients) rather than in a thread."""
    cache = shared_cache()
    client = loop_clients.redis_for(cache)
    if client is None:
        return await sync_to_async(incr_expiring, thread_sensitive=False)(key, ttl)
    _, count = await _incr_expiring_on(client, cache.make_key(key), ttl).execute()
    return count


def _incr_expiring_on(client, full_key: str, ttl: int):
    """incr_expiring's pipeline on a redis-py client, sync or asyncio, to execute."""
    pipe = client.pipeline(transaction=False)
    pipe.set(full_key, 0, ex=ttl, nx=True)
    pipe.incr(full_key)
    return pipe


def _redis_writer(cache: RedisCache):
    """The cache's Redis client for writes, built once (the cache API builds one per call)."""
    client = _shared.get(("writer", id(cache)))
    if client is None:
        client = _shared.setdefault(("writer", id(cache)), cache._cache.get_client(write=True))
    return client


_ACTIVE = "presence:active:{}"
_SOCKETS = "presence:sockets:{}"
# How long an open socket counts without a heartbeat; consumers refresh it while connected.
SOCKET_TTL = 120


def touch(user_id: int) -> None:
    """Records that the user did something now (a page load, an API call)."""
    shared_cache().set(_ACTIVE.format(user_id), int(time.time()), settings.PRESENCE_ACTIVE_SECONDS)


def socket_opened(user_id: int) -> None:
    key = _SOCKETS.format(user_id)
    if not shared_cache().add(key, 1, SOCKET_TTL):
        try:
            shared_cache().incr(key)
        except ValueError:
            shared_cache().add(key, 1, SOCKET_TTL)
    shared_cache().touch(key, SOCKET_TTL)


def socket_alive(user_id: int) -> None:
    shared_cache().touch(_SOCKETS.format(user_id), SOCKET_TTL)


def socket_closed(user_id: int) -> None:
    key = _SOCKETS.format(user_id)
    try:
        if shared_cache().decr(key) <= 0:
            shared_cache().delete(key)
    except ValueError:
        pass


def logged_in(user_ids) -> set[int]:
    """The subset of user_ids who count as logged in now; one cache round trip per kind of key."""
    user_ids = list(user_ids)
    if not user_ids:
        return set()
    active = shared_cache().get_many([_ACTIVE.format(u) for u in user_ids])
    sockets = shared_cache().get_many([_SOCKETS.format(u) for u in user_ids])
    online = set()
    for u in user_ids:
        if _ACTIVE.format(u) in active or (sockets.get(_SOCKETS.format(u)) or 0) > 0:
            online.add(u)
    return online


def has_open_socket(user_id: int) -> bool:
    return (shared_cache().get(_SOCKETS.format(user_id)) or 0) > 0
