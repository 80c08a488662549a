"""Email through a real Celery worker on Redis to a local SMTP server (needs REDIS_URL and
DATABASE_URL; CI runs it). The worker is a separate process on the test database."""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from accounts.factories import UserFactory
from alerts.models import Alert
from notifications import email, send
from notifications.factories import context_for
from notifications.models import EmailDelivery
from tests.smtp import start_smtp_server
from totara_messaging.celery import app

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parent.parent
KEY = "forums.post"
Status = EmailDelivery.Status


@pytest.fixture
def smtp():
    controller, inbox = start_smtp_server()
    yield controller, inbox
    controller.stop()


@pytest.fixture
def worker(smtp):
    """A Celery worker on its own queue, pointed at the test database and the SMTP server."""
    controller, _ = smtp
    queue = f"test-{uuid.uuid4().hex[:8]}"
    db = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DATABASE_URL": (
            f"postgres://{db['USER']}:{db.get('PASSWORD') or ''}@{db['HOST']}:{db['PORT']}/"
            f"{connection.settings_dict['NAME']}"
        ),
        "EMAIL_ESP": "smtp",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(controller.port),
        "CELERY_QUEUE": queue,
        # The test's own cache keys (conftest), so the worker sees who has a page open.
        "CACHE_KEY_PREFIX": settings.CACHES["default"]["KEY_PREFIX"],
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "totara_messaging",
            "worker",
            "-P",
            "solo",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=WARNING",
        ],
        cwd=ROOT,
        env=env,
    )
    # Started as `make worker` starts it, without -Q: it consumes the queues the settings name
    # (CELERY_QUEUE, and the live pushes' queue beside it); this process routes to them.
    previous = app.conf.task_default_queue, app.conf.task_routes
    app.conf.task_default_queue = queue
    app.conf.task_routes = {"alerts.push_new_items": {"queue": f"{queue}-push"}}
    reset_router()
    yield process
    app.conf.task_default_queue, app.conf.task_routes = previous
    reset_router()
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def reset_router():
    """Celery caches its routes: they are read again from the configuration."""
    app.amqp._rtable = None
    app.amqp.__dict__.pop("router", None)


async def receive_within(layer, channel, seconds):
    import asyncio

    return await asyncio.wait_for(layer.receive(channel), seconds)


def use_broker(url):
    """Points this process's Celery at another broker, dropping its pooled connections."""
    from kombu import pools

    pools.reset()
    app.conf.broker_url = url
    app._pool = None
    app.amqp._producer_pool = None


def wait_until(predicate, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_a_real_worker_sends_the_email_once(smtp, worker):
    _, inbox = smtp
    users = UserFactory.create_batch(3)
    send(KEY, users, context=context_for(KEY, discussion="Welcome"))
    assert inbox.wait_for(3), "the worker sent nothing"
    assert wait_until(lambda: EmailDelivery.objects.filter(status=Status.SENT).count() == 3)
    assert sorted(m["To"] for m in inbox.messages) == sorted(u.email for u in users)
    assert inbox.messages[0]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # The same work queued again (a redelivered task) sends nothing more.
    email.enqueue(None, 1000)
    time.sleep(1)
    assert len(inbox.messages) == 3


def test_a_live_push_goes_through_its_own_queue_to_the_open_page(worker):
    """The push task is routed to the push queue, which the worker consumes beside email."""
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    from notifications import live, presence

    user, offline = UserFactory.create_batch(2)
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(live.group_name(user.pk), channel)
    presence.socket_opened(user.pk)  # as the consumer does when the page connects
    try:
        assert app.amqp.router.route({}, "alerts.push_new_items")["queue"].name.endswith("-push")
        result = send(
            "programs.enrolment", [user, offline], context=context_for("programs.enrolment")
        )
        frame = async_to_sync(receive_within)(layer, channel, 30)
    finally:
        presence.socket_closed(user.pk)
    assert frame["frame"]["type"] == "alert.new"
    assert frame["frame"]["item"]["key"] == "programs.enrolment"
    assert frame["frame"]["item"]["id"] in set(
        Alert.objects.filter(event_id=result.event_id).values_list("pk", flat=True)
    )


def test_a_broker_outage_delays_the_email_until_the_sweeper(smtp, worker):
    _, inbox = smtp
    user = UserFactory()
    real_broker = app.conf.broker_url
    # A broker nobody answers on: what the web process sees while Redis is down.
    use_broker("redis://127.0.0.1:1/0")
    try:
        result = send(KEY, [user], context=context_for(KEY))
    finally:
        use_broker(real_broker)
    assert result.outputs["email"] == 1
    assert EmailDelivery.objects.get().status == Status.PENDING
    assert not inbox.wait_for(1, timeout=1)
    assert email.sweep()["queued"] == 1
    assert inbox.wait_for(1)
    assert wait_until(lambda: EmailDelivery.objects.get().status == Status.SENT)


def test_a_row_a_killed_worker_was_sending_is_never_sent_again(smtp, worker, monkeypatch):
    _, inbox = smtp
    monkeypatch.setattr("notifications.email.enqueue", lambda *a, **k: True)
    first, second = UserFactory.create_batch(2)
    send(KEY, [first, second], context=context_for(KEY))
    claimed = email.claim().ids
    assert len(claimed) == 2
    # What a worker killed mid-batch leaves: one row attempted, one only claimed.
    long_ago = time.time() - 3600
    from datetime import UTC, datetime

    stale = datetime.fromtimestamp(long_ago, tz=UTC)
    EmailDelivery.objects.filter(pk=claimed[0]).update(status=Status.SENDING, claimed_at=stale)
    EmailDelivery.objects.filter(pk=claimed[1]).update(claimed_at=stale)
    monkeypatch.undo()
    assert email.sweep() == {"released": 1, "interrupted": 1, "queued": 1}
    assert inbox.wait_for(1)
    time.sleep(1)
    assert [m["To"] for m in inbox.messages] == [
        EmailDelivery.objects.get(pk=claimed[1]).to_address
    ]
    assert EmailDelivery.objects.get(pk=claimed[0]).status == Status.UNKNOWN


def test_a_real_worker_sends_each_digest_once(smtp, worker):
    from datetime import timedelta

    from django.utils import timezone

    from notifications import digests
    from notifications.models import Cadence, Digest, EmailCadence

    _, inbox = smtp
    users = UserFactory.create_batch(2)
    for user in users:
        EmailCadence.objects.create(user=user, feature="", cadence=Cadence.DAILY)
    send("programs.due", users, context=context_for("programs.due"))
    assert EmailDelivery.objects.filter(status=Status.DIGEST).count() == 2
    assert not inbox.wait_for(1, timeout=1)
    # A day later a 07:00 has passed in every zone: each user's digest is due.
    tomorrow = timezone.now() + timedelta(days=1)
    assert digests.send_digests(tomorrow)["digests"] == 2
    assert digests.send_digests(tomorrow)["digests"] == 0
    assert inbox.wait_for(2), "the worker sent no digest"
    assert wait_until(
        lambda: set(Digest.objects.values_list("delivery__status", flat=True)) == {Status.SENT}
    )
    assert sorted(m["To"] for m in inbox.messages) == sorted(u.email for u in users)
    assert all("daily digest" in m["Subject"].lower() for m in inbox.messages)
    time.sleep(1)
    assert len(inbox.messages) == 2
