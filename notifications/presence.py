"""Who is "logged in" for messaging preferences: an open page (a live WebSocket) or recent activity,
and who has a page open for live pushes.

Kept in the cache (Redis in production) so every web process and worker sees the same answer.
"""

import os
import secrets
import socket
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


def touch(user_id: int) -> None:
    """Records that the user did something now (a page load, an API call)."""
    shared_cache().set(_ACTIVE.format(user_id), int(time.time()), settings.PRESENCE_ACTIVE_SECONDS)


# Open sockets. Each process counts its own sockets per user in memory and mirrors the counts
# to Redis as one hash per process (`presence:proc:<process id>`), listed with the time it was
# last heard from in one sorted set (`presence:procs`). Opening and closing a socket writes
# that user's count at once; a heartbeat (a task of the web process, and the pages' pings)
# rewrites the process's whole hash at most every HEARTBEAT_SECONDS and renews its expiry. A
# process that dies stops beating: its hash expires and readers skip it after PROCESS_TTL, so
# its sockets stop counting within PROCESS_TTL without anyone cleaning up. Without Redis (the
# embedded default) the process's own counts are the answer: it is the only process.
_PROCS = "presence:procs"
_PROC = "presence:proc:"
HEARTBEAT_SECONDS = 20
PROCESS_TTL = 150  # pings of a tab in the background may come a minute apart

# KEYS[1]: the sorted set of processes. ARGV: the oldest heartbeat that counts, the prefix of
# the processes' hashes, then the user ids. Returns the ids with a socket in a live process.
_ONLINE = """
local procs = redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[1], '+inf')
local found, online = {}, {}
local users = #ARGV - 2
for _, proc in ipairs(procs) do
    for first = 3, #ARGV, 1000 do
        local last = math.min(first + 999, #ARGV)
        local counts = redis.call('HMGET', ARGV[2] .. proc, unpack(ARGV, first, last))
        for i, count in ipairs(counts) do
            local user = ARGV[first + i - 1]
            if count and tonumber(count) > 0 and not found[user] then
                found[user] = true
                online[#online + 1] = user
            end
        end
    end
end
return online
"""


class _Sockets:
    """One process's open sockets per user, for one cache (tests each have their own)."""

    def __init__(self):
        self.counts: dict[int, int] = {}
        self.lock = threading.Lock()
        self.beaten_at = 0.0
        self.process = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
        self.pid = os.getpid()


_sockets: dict[str, _Sockets] = {}


def _local(cache) -> _Sockets:
    state = _sockets.get(cache.key_prefix)
    if state is None or state.pid != os.getpid():  # a forked child counts its own sockets
        with _lock:
            state = _sockets[cache.key_prefix] = _Sockets()
    return state


def _changed(user_id: int, delta: int) -> None:
    cache = shared_cache()
    state = _local(cache)
    # Held across the write to Redis, so the writes of a process reach it in the order of the
    # changes (a heartbeat's snapshot never lands after a later change).
    with state.lock:
        count = max(state.counts.get(user_id, 0) + delta, 0)
        if count:
            state.counts[user_id] = count
        else:
            state.counts.pop(user_id, None)
        if isinstance(cache, RedisCache):
            _mirror(cache, state, {user_id: count})


def _mirror(cache, state: _Sockets, changed: dict[int, int] | None) -> None:
    """Writes these users' counts (None: the whole process, as a heartbeat) to Redis, with the
    process's expiry and heartbeat renewed; one round trip. The caller holds state.lock."""
    now = time.time()
    key = cache.make_key(_PROC + state.process)
    pipe = _redis_writer(cache).pipeline(transaction=True)
    if changed is None or now - state.beaten_at >= HEARTBEAT_SECONDS:
        state.beaten_at = now
        pipe.delete(key)
        if state.counts:
            pipe.hset(key, mapping=state.counts)
    else:
        for user_id, count in changed.items():
            if count:
                pipe.hset(key, user_id, count)
            else:
                pipe.hdel(key, user_id)
    pipe.expire(key, PROCESS_TTL)
    pipe.zadd(cache.make_key(_PROCS), {state.process: now})
    pipe.zremrangebyscore(cache.make_key(_PROCS), 0, now - PROCESS_TTL)
    pipe.execute()


def socket_opened(user_id: int) -> None:
    _changed(user_id, 1)


def socket_closed(user_id: int) -> None:
    _changed(user_id, -1)


def heartbeat() -> bool:
    """Renews this process's registration in Redis when it is due (no I/O otherwise); returns
    whether the process has open sockets. The web process's heartbeat task calls it every
    HEARTBEAT_SECONDS while it has any, and the pages' pings call it too."""
    cache = shared_cache()
    state = _local(cache)
    if isinstance(cache, RedisCache) and time.time() - state.beaten_at >= HEARTBEAT_SECONDS:
        with state.lock:
            _mirror(cache, state, None)
    return bool(state.counts)


# Ids per script: a look-up for 100,000 recipients holds Redis a few ms at a time.
ONLINE_CHUNK = 2000


def with_open_socket(user_ids) -> set[int]:
    """The subset of user_ids with a page open in any live process: one round trip to Redis
    however many ids (a script per ONLINE_CHUNK of them, pipelined; no I/O without Redis)."""
    user_ids = [int(u) for u in user_ids]
    if not user_ids:
        return set()
    cache = shared_cache()
    if not isinstance(cache, RedisCache):
        counts = _local(cache).counts
        return {u for u in user_ids if counts.get(u, 0) > 0}
    client = _redis_writer(cache)
    fixed = (1, cache.make_key(_PROCS), time.time() - PROCESS_TTL, cache.make_key(_PROC))
    if len(user_ids) <= ONLINE_CHUNK:
        return {int(u) for u in client.eval(_ONLINE, *fixed, *user_ids)}
    pipe = client.pipeline(transaction=False)
    for start in range(0, len(user_ids), ONLINE_CHUNK):
        pipe.eval(_ONLINE, *fixed, *user_ids[start : start + ONLINE_CHUNK])
    return {int(u) for found in pipe.execute() for u in found}


def logged_in(user_ids) -> set[int]:
    """The subset of user_ids who count as logged in now (recent activity or an open page);
    two round trips to the cache however many ids."""
    user_ids = list(user_ids)
    if not user_ids:
        return set()
    active = shared_cache().get_many([_ACTIVE.format(u) for u in user_ids])
    online = {u for u in user_ids if _ACTIVE.format(u) in active}
    return online | with_open_socket(set(user_ids) - online)


def has_open_socket(user_id: int) -> bool:
    return bool(with_open_socket([user_id]))
