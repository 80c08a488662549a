"""The baseline for im_latency.py: a minimal Channels relay over the same channels-redis layer.

One AsyncWebsocketConsumer at /ws/ joins one group (`relay`, or the one named by ?group=) and
sends every frame it receives to that group; each member writes what the group delivers to its
socket. No authentication, no database, no permission checks: the cost of Channels,
channels-redis and the WebSocket server alone. (im_sockets.py --server relay also uses it as the
baseline for idle sockets and pushes.)

The channel layer has the application's own CHANNEL_LAYERS options (totara_messaging/settings.py,
read from REDIS_URL and CHANNELS_PREFIX), so both sides use the same Redis and options, with
channels-redis's own RedisChannelLayer as it is published (the application's subclasses it).
Served by im_latency.py as:

    python -m uvicorn bench.im_relay:application --app-dir /work/main --ws websockets-sansio
"""

from urllib.parse import parse_qs

import django
from django.conf import settings
from django.urls import path

if not settings.configured:
    from totara_messaging import settings as app_settings

    layers = {
        name: {**conf, "BACKEND": "channels_redis.core.RedisChannelLayer"}
        if "Redis" in conf["BACKEND"]
        else conf
        for name, conf in app_settings.CHANNEL_LAYERS.items()
    }
    settings.configure(
        CHANNEL_LAYERS=layers,
        INSTALLED_APPS=["channels"],
        SECRET_KEY=app_settings.SECRET_KEY,
        ALLOWED_HOSTS=["127.0.0.1", "localhost"],
        USE_TZ=True,
    )
    django.setup()

from channels.generic.websocket import AsyncWebsocketConsumer
from channels.routing import ProtocolTypeRouter, URLRouter

GROUP = "relay"


class RelayConsumer(AsyncWebsocketConsumer):
    async def connect(self):
        query = parse_qs(self.scope.get("query_string", b"").decode())
        self.group = query.get("group", [GROUP])[0]
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None):
        await self.channel_layer.group_send(self.group, {"type": "relay.frame", "text": text_data})

    async def relay_frame(self, event):
        await self.send(text_data=event["text"])


application = ProtocolTypeRouter({"websocket": URLRouter([path("ws/", RelayConsumer.as_asgi())])})
