"""What the email benchmarks share (email.py, fanout.py): a local SMTP server, a real Celery
worker on the run's queue, and the plain loop that is their baseline.

    .venv/bin/python bench/mailing.py --plain-loop-child EVENT_ID   (run by plain_loop)
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import time

import common

WORKER_LOG = f"/tmp/bench-email-worker-{common.RUN_ID}.log"


def start_smtp_server():
    """tests/smtp.py's server and Inbox, with a handler that keeps each message's recipients and
    raw bytes instead of parsing it: parsing with email.policy.default costs ~3 ms a message on
    this machine, which made the test server itself the bottleneck (~240 msg/s)."""
    from aiosmtpd.controller import Controller

    from tests.smtp import Inbox, _free_port

    class RawInbox(Inbox):
        async def handle_DATA(self, server, session, envelope):
            with self.arrived:
                self.messages.append((tuple(envelope.rcpt_tos), envelope.content))
                self.arrived.notify_all()
            return "250 OK"

    inbox = RawInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    return controller, inbox


def start_worker(pool: str, loglevel: str = "WARNING") -> tuple[subprocess.Popen, str]:
    """A Celery worker on this run's queues (email, pushes); returns once it answers a ping."""
    from totara_messaging.celery import app

    name = f"bench-{common.RUN_ID}-{pool}@{socket.gethostname()}"
    command = [sys.executable, "-m", "celery", "-A", "totara_messaging", "worker"]
    command += ["-Q", f"{common.QUEUE},{common.QUEUE}-push", "-n", name, f"--loglevel={loglevel}"]
    command += ["--without-heartbeat", "--without-gossip", "--without-mingle"]
    command += ["-P", "solo"] if pool == "solo" else ["-P", "prefork", "--concurrency", "2"]
    log = open(WORKER_LOG, "ab")  # noqa: SIM115 (the worker keeps it open)
    process = subprocess.Popen(
        command, cwd=common.ROOT, env=os.environ.copy(), stdout=log, stderr=subprocess.STDOUT
    )
    log.close()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the worker exited with {process.returncode}; see {WORKER_LOG}")
        if app.control.ping(destination=[name], timeout=0.5):
            return process, name
    stop_worker(process)
    raise RuntimeError("the worker did not answer within 60 s")


def stop_worker(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def clear(inbox) -> None:
    with inbox.arrived:
        inbox.messages.clear()


def wait_for(inbox, count: int, timeout: float) -> None:
    if not inbox.wait_for(count, timeout=timeout):
        raise RuntimeError(f"only {len(inbox.messages)} of {count} messages after {timeout} s")


def check_messages(inbox, count: int, key: str) -> None:
    """Each recipient got exactly one message, and a sample parses with the expected headers."""
    import email
    import email.policy

    recipients = [to for tos, _ in inbox.messages for to in tos]
    assert len(inbox.messages) == count == len(set(recipients)), "duplicates or losses"
    sample = email.message_from_bytes(inbox.messages[0][1], policy=email.policy.default)
    assert sample["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click", sample
    assert sample["X-Notification-Type"] == key, sample


def plain_loop_child(event_id: int) -> None:
    """In a child process: builds the event's messages, then sends them in one loop."""
    common.setup(reset=False)
    from django.core.mail import get_connection

    from notifications.email import build_message
    from notifications.models import EmailDelivery

    rows = list(
        EmailDelivery.objects.filter(event_id=event_id)
        .select_related("event", "event__message_type", "event__sender", "user")
        .order_by("id")
    )
    with common.Timer() as build:
        messages = [build_message(r, r.user, None) for r in rows]
    size = sum(len(m.message().as_bytes()) for m in messages[:100]) / 100
    connection = get_connection()
    with common.Timer() as sending:
        sent = connection.send_messages(messages)
    print(json.dumps({"build": build.elapsed, "send": sending.elapsed, "sent": sent, "size": size}))


def plain_loop(inbox, event_id: int, count: int, key: str) -> dict:
    clear(inbox)
    command = [sys.executable, __file__, "--plain-loop-child", str(event_id)]
    output = subprocess.run(
        command,
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        timeout=120 + count / 50,  # ~300 msg/s here: 100,000 take ~6 min
        check=True,
    ).stdout
    result = json.loads(output.strip().splitlines()[-1])
    wait_for(inbox, count, 30)
    assert result["sent"] == count, result
    check_messages(inbox, count, key)
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--plain-loop-child", type=int, required=True)
    plain_loop_child(parser.parse_args().plain_loop_child)
