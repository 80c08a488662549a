"""channels-redis's channel layer with one reader per process for its sockets' channels.

In channels-redis every socket waiting for a message holds a pending acquire of one
asyncio.Lock, and the sockets take turns reading the process's channel from Redis. Each message
read releases the lock to the next socket in line and cancels the acquire of the socket it was
for; asyncio.Lock scans its waiters on both, so with 10,000 open sockets every push walked
10,000 waiters (py-spy: 58% of the server's time while bench/im_sockets.py pushed).

Here one task per process reads the channel and puts each message in its socket's queue, as
channels-redis's reader does; a socket only waits on its queue. What is read, how (the backup
queue that keeps a message safe if the reader is cancelled), and the queues are channels-redis's
own. A failing read (Redis gone) is logged and retried after a pause, and the sockets keep
waiting, instead of the failure ending whichever socket's turn it was.
"""

from __future__ import annotations

import asyncio
import logging

from channels_redis.core import ChannelLock
from channels_redis.core import RedisChannelLayer as BaseRedisChannelLayer
from redis.asyncio import BlockingConnectionPool

logger = logging.getLogger(__name__)

RETRY_DELAYS = (0.1, 0.5, 1.0, 2.0, 5.0)  # seconds between failed reads, then 5 s each
POOL_TIMEOUT = 20  # seconds a Redis command waits for a free connection before it fails


class RedisChannelLayer(BaseRedisChannelLayer):
    def create_pool(self, index):
        """A pool that makes a caller wait for a free connection rather than fail.

        channels-redis's pool raises "Too many connections" past its size, so it had to be as
        large as the sockets a process may open or close at once (10,000 sockets dropped
        together each opened one for its group_discard, past Redis's own limit of clients, and
        retried for minutes). Waiting for one of a few hundred is faster than opening them.
        """
        host = dict(self.hosts[index])
        address = host.pop("address", None)
        if address is None:  # Sentinel and the like: channels-redis's own
            return super().create_pool(index)
        return BlockingConnectionPool.from_url(address, timeout=POOL_TIMEOUT, **host)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._readers: dict[str, asyncio.Task] = {}
        self._waiting = 0

    async def receive(self, channel):
        if "!" not in channel:  # a channel shared by processes: channels-redis reads it itself
            return await super().receive(channel)
        assert self.require_valid_channel_name(channel)
        real_channel = self.non_local_name(channel)
        assert real_channel.endswith(self.client_prefix + "!"), "Wrong client prefix"
        buffer = self.receive_buffer[channel]
        if buffer.empty():
            self._start_reader(real_channel)
            self._waiting += 1
            try:
                message = await buffer.get()
            except asyncio.CancelledError:
                # The socket is going away: its queue goes with it, as in channels-redis; the
                # last one out stops the reader, so no read stays blocked on Redis for a server
                # that is shutting down (it would take the next message from whoever reads next).
                self.receive_buffer.pop(channel, None)
                self._waiting -= 1
                if not self._waiting:
                    self._stop_reader(real_channel)
                raise
            self._waiting -= 1
        else:
            message = buffer.get_nowait()
        if buffer.empty():
            self.receive_buffer.pop(channel, None)
        return message

    def _start_reader(self, real_channel: str) -> None:
        loop = asyncio.get_running_loop()
        reader = self._readers.get(real_channel)
        if reader is not None and not reader.done():
            owner = reader.get_loop()
            if owner is loop:
                return
            if owner.is_running():
                if self._waiting:
                    raise RuntimeError(
                        "Two event loops are trying to receive() on one channel layer at once!"
                    )
                # Nobody waits in that loop any more: its reader gives way (what it had
                # taken from Redis is put back by the next read, channels-redis's backup).
                owner.call_soon_threadsafe(reader.cancel)
            # A loop that stopped, or closed, without cancelling its reader leaves it behind,
            # holding the channel's read lock, which belongs to that loop: start afresh.
            self.receive_clean_locks = ChannelLock()
        self._readers[real_channel] = loop.create_task(self._read(real_channel))

    def _stop_reader(self, real_channel: str) -> None:
        reader = self._readers.get(real_channel)
        if reader is not None and reader.get_loop() is asyncio.get_running_loop():
            reader.cancel()  # what it had taken from Redis is put back by the next read

    async def _read(self, real_channel: str) -> None:
        """Reads the process's channel while sockets wait on it; stops once none does (the
        next receive starts it again), at once when the last socket goes away."""
        failures = 0
        this = asyncio.current_task()
        while self._waiting and self._readers.get(real_channel) is this:
            try:
                message_channel, message = await self.receive_single(real_channel)
            except asyncio.CancelledError:
                raise
            except Exception:
                if self._readers.get(real_channel) is not this:
                    return  # replaced by a reader in another loop (see _start_reader)
                delay = RETRY_DELAYS[min(failures, len(RETRY_DELAYS) - 1)]
                failures += 1
                logger.exception("reading %s from Redis failed; again in %s s", real_channel, delay)
                await asyncio.sleep(delay)
                continue
            failures = 0
            channels = message_channel if isinstance(message_channel, list) else [message_channel]
            for each in channels:
                self.receive_buffer[each].put_nowait(message)
