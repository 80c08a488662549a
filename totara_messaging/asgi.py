"""ASGI entry point: HTTP through Django, WebSocket /ws/ through Channels."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "totara_messaging.settings")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.urls import path  # noqa: E402

from notifications.consumers import LiveConsumer  # noqa: E402

websocket_urlpatterns = [path("ws/", LiveConsumer.as_asgi())]

if os.environ.get("ASGI_GC_POLICY", "on") == "on":
    from totara_messaging import gcpolicy

    gcpolicy.install()

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)
