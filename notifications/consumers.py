"""The one WebSocket a browser tab opens (/ws/): counters and new items, pushed live."""

import asyncio
import logging
import weakref

from channels.consumer import get_handler_name
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.utils import translation

from notifications import live, presence

logger = logging.getLogger(__name__)

# A tab recounts its counters once pushes that change them pause for COUNTS_DELAY seconds, and
# at least every COUNTS_MAX_DELAY while they keep coming: a burst of messages or alerts costs a
# tab one counters query, or one a second, instead of one per push.
COUNTS_DELAY = 0.05
COUNTS_MAX_DELAY = 1.0


# The heartbeat task of each event loop that has open sockets (a server has one loop).
_heartbeats: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _keep_beating() -> None:
    """Starts this loop's heartbeat task unless it runs: it keeps the process's open sockets
    counted (presence) whether or not the pages ping, and stops when none is left."""
    loop = asyncio.get_running_loop()
    task = _heartbeats.get(loop)
    if task is None or task.done():
        _heartbeats[loop] = loop.create_task(_beat())


async def _beat() -> None:
    while True:
        await asyncio.sleep(presence.HEARTBEAT_SECONDS)
        try:
            if not await live.database_async(presence.heartbeat)():
                return
        except Exception:  # Redis away for a moment: the next beat tries again
            logger.exception("the presence heartbeat failed")


class LiveConsumer(AsyncJsonWebsocketConsumer):
    """Joins the user's group; the first frame is `counts`. Anonymous sockets are refused."""

    counts_task: asyncio.Task | None = None
    counts_due = False
    last_change = 0.0

    async def dispatch(self, message):
        """AsyncConsumer.dispatch without its close_old_connections before every event.

        channels does that for consumers whose database work runs in its shared sync thread;
        here every query runs through live.database_async, which closes old connections in
        the thread that used them. For this consumer the call was only a hand-off to the shared
        thread and back on every frame and push, each socket queueing behind all the others.
        """
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        self.user = user
        self.group = live.group_name(user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await live.database_async(presence.socket_opened)(user.pk)
        _keep_beating()
        await self.send_counts()

    async def disconnect(self, code):
        if self.counts_task is not None:
            self.counts_task.cancel()
        if getattr(self, "group", None):
            await self.channel_layer.group_discard(self.group, self.channel_name)
            await live.database_async(presence.socket_closed)(self.user.pk)

    async def receive_json(self, content, **kwargs):
        kind = content.get("type") if isinstance(content, dict) else None
        if kind == "ping":
            await live.database_async(presence.heartbeat)()
            await self.send_json({"type": "pong"})
        elif kind == "counts":
            await self.send_counts()
        elif handler := live.receiver_for(kind):
            # Refusals ("message.refused") are read by the user: in their language.
            with translation.override(getattr(self.user, "language", None) or "en"):
                await handler(self, content)
        else:
            await self.send_json({"type": "error", "error": f"unknown frame type {kind!r}"})

    async def send_counts(self):
        counts = await live.database_async(live.counts_for)(self.user)
        await self.send_json({"type": "counts", **counts})

    def recount_soon(self):
        """Sends the counters once the pushes that change them pause (see COUNTS_DELAY)."""
        self.counts_due = True
        self.last_change = asyncio.get_running_loop().time()
        if self.counts_task is None or self.counts_task.done():
            self.counts_task = asyncio.create_task(self._recount())

    async def _recount(self):
        loop = asyncio.get_running_loop()
        try:
            while self.counts_due:
                latest = loop.time() + COUNTS_MAX_DELAY
                while (wait := min(self.last_change + COUNTS_DELAY, latest) - loop.time()) > 0:
                    await asyncio.sleep(wait)
                self.counts_due = False
                await self.send_counts()
        except asyncio.CancelledError:
            raise
        except Exception:  # the socket closed meanwhile, the database went away...
            logger.exception("could not send the counters to user %s", self.user.pk)

    async def push(self, event):
        frame = event["frame"]
        if frame.get("type") == "counts.refresh":
            self.recount_soon()
            return
        if event.get("origin") != self.channel_name:  # the sending tab has its answer already
            await self.send_json(frame)
        if event.get("counts"):
            self.recount_soon()
