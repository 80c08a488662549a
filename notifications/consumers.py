"""The one WebSocket a browser tab opens (/ws/): counters and new items, pushed live."""

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from notifications import live, presence


class LiveConsumer(AsyncJsonWebsocketConsumer):
    """Joins the user's group; the first frame is `counts`. Anonymous sockets are refused."""

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
        await self.send_counts()

    async def disconnect(self, code):
        if getattr(self, "group", None):
            await self.channel_layer.group_discard(self.group, self.channel_name)
            await live.database_async(presence.socket_closed)(self.user.pk)

    async def receive_json(self, content, **kwargs):
        kind = content.get("type") if isinstance(content, dict) else None
        if kind == "ping":
            await live.database_async(presence.socket_alive)(self.user.pk)
            await self.send_json({"type": "pong"})
        elif kind == "counts":
            await self.send_counts()
        elif handler := live.receiver_for(kind):
            await handler(self, content)
        else:
            await self.send_json({"type": "error", "error": f"unknown frame type {kind!r}"})

    async def send_counts(self):
        counts = await live.database_async(live.counts_for)(self.user)
        await self.send_json({"type": "counts", **counts})

    async def push(self, event):
        frame = event["frame"]
        if frame.get("type") == "counts.refresh":
            await self.send_counts()
            return
        await self.send_json(frame)
        if event.get("counts"):
            await self.send_counts()
