import pytest

from tests.push_service import start_push_service


@pytest.fixture
def push_service():
    """A local push service (tests/push_service.py) that subscriptions can point at."""
    server, service = start_push_service()
    yield service
    server.shutdown()
    server.server_close()


@pytest.fixture
def subscribed(push_service):
    """Subscribes a user's new browser (a device of the local push service); returns it."""
    from webpush.models import PushSubscription

    def _subscribe(user):
        device = push_service.new_device()
        info = device.as_json()
        PushSubscription.objects.create(
            user=user,
            endpoint=info["endpoint"],
            p256dh=info["keys"]["p256dh"],
            auth=info["keys"]["auth"],
        )
        return device

    return _subscribe
