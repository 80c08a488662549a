"""Test-wide set-up: fast password hashing, an isolated cache namespace per test."""

import os
import uuid

import pytest

# The demo's people (the `demo_people` fixture), for every feature's demo test.
# Every message's link opens for its recipients (tests/links.py).
pytest_plugins = ["features.job_assignments.tests.demo", "tests.links"]

# The ASGI process's garbage collection policy is for servers (totara_messaging/gcpolicy.py has
# its own tests); a test process that imports the ASGI application keeps the default.
os.environ.setdefault("ASGI_GC_POLICY", "off")

SERVICES = bool(os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL"))


def pytest_configure(config):
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # A backup blocked by a lock fails the test in seconds instead of waiting an hour.
    settings.SITE_ADMIN_BACKUP_TIMEOUT_SECONDS = 20
    # Push notifications are set up, as on a site with its VAPID keys (pytest-django runs with
    # DEBUG off, where no key would be made): sends cost what they cost in production.
    from webpush.keys import generate_pair

    settings.VAPID_PRIVATE_KEY, settings.VAPID_PUBLIC_KEY = generate_pair()
    # What tests log is not a problem of a site: the handler's own tests attach it themselves.
    import logging

    from features.site_admin.logging import NotifyAdminsHandler

    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler, NotifyAdminsHandler):
            root.removeHandler(handler)


def pytest_collection_modifyitems(config, items):
    if SERVICES:
        return
    skip = pytest.mark.skip(
        reason="needs DATABASE_URL and REDIS_URL (the real PostgreSQL and Redis)"
    )
    for item in items:
        if "services" in item.keywords or "worker" in item.keywords:
            item.add_marker(skip)


# Tests that may not skip in this run: browser tests always (`make test` sets up Chromium), and
# services tests when the services are configured. A skip of one fails the run with its reason.
REQUIRED_MARKERS = ("browser", "services", "worker") if SERVICES else ("browser",)
_required_skips: list[tuple[str, str]] = []


def pytest_runtest_logreport(report):
    if report.skipped and any(marker in report.keywords for marker in REQUIRED_MARKERS):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        _required_skips.append((report.nodeid, reason))


def pytest_terminal_summary(terminalreporter):
    if _required_skips:
        terminalreporter.section("tests that must not skip", red=True)
        for nodeid, reason in _required_skips:
            terminalreporter.write_line(f"{nodeid}: {reason}")


def pytest_sessionfinish(session):
    if _required_skips and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(autouse=True)
def _isolated_cache(settings):
    """Each test gets its own cache keys, so presence and locks never leak between tests."""
    caches = {name: dict(conf) for name, conf in settings.CACHES.items()}
    caches["default"]["KEY_PREFIX"] = f"test-{uuid.uuid4().hex[:12]}"
    settings.CACHES = caches
    yield


@pytest.fixture(autouse=True)
def _site_language():
    """Each test starts in the site's language: a page the test client opens leaves the user's
    language active in the test's thread (as a request does in its own), and a later test
    reading a message in English would read it in French."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _eager_celery(request):
    """Tasks run in the test's process unless the test drives a real worker (`worker` marker)."""
    from totara_messaging.celery import app

    eager = "worker" not in request.keywords
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = eager
    yield
    app.conf.task_always_eager = previous


@pytest.fixture
def sent(django_capture_on_commit_callbacks):
    """Sends and runs what send() scheduled after commit (pushes, the email task)."""
    from notifications import send
    from notifications.factories import context_for

    def _send(key, recipients, **kwargs):
        kwargs.setdefault("context", context_for(key))
        with django_capture_on_commit_callbacks(execute=True):
            return send(key, recipients, **kwargs)

    return _send


@pytest.fixture
def user(db):
    from accounts.factories import UserFactory

    return UserFactory(username="lee", full_name="Lee Learner")


@pytest.fixture
def other_user(db):
    from accounts.factories import UserFactory

    return UserFactory(username="olive", full_name="Olive Other")


@pytest.fixture
def pushed(monkeypatch):
    """The users whose open pages were asked to refresh their counters (new alerts do too)."""
    from notifications import live

    users = []

    def push_each_now(pushes):
        for user_ids, frame, _ in pushes:
            if frame == {"type": "counts.refresh"}:
                users.extend(user_ids)

    monkeypatch.setattr(live, "push_each_now", push_each_now)
    return users


# Web push: a local push service (tests/push_service.py) and subscriptions pointing at it, for the
# webpush tests and the tests of every rule together.
@pytest.fixture
def push_service():
    """A local push service (tests/push_service.py) that subscriptions can point at."""
    from tests.push_service import start_push_service

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
