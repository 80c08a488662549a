"""Fan-out end to end: send("programs.due", <User queryset>) to 10,000 and 100,000 recipients,
timed until the last thing it promises has happened.

The production shape on this machine: PostgreSQL, Redis, a real Celery worker (prefork, 2
processes) on the run's queue, the ASGI application in a uvicorn process, and 1% of the
recipients with a page open (a real WebSocket each, to that process, from this one). An
aiosmtpd server in this process takes the email (EMAIL_ESP=smtp).

1. Web only (email off site-wide): from the call until every inbox row is written (send()
   returns after its commit) and every online recipient's socket has its `alert.new` frame.
   Baseline: one raw COPY of the same rows, measured in the same run, interleaved.
   The push tasks' worker time is read from the worker's log (Celery's "succeeded in" line of
   each alerts.push_new_items task).
2. Web and email: from the call until the SMTP server holds every email (the online 1% get
   none: the type mails only people who are logged off). Baseline: the same messages, built
   beforehand and sent by one `connection.send_messages()` loop in a child process.

Also counts send()'s queries for both sizes (constant per batch of NOTIFICATIONS_BATCH_SIZE).

Targets: (1) >= 0.3x the COPY rate; push work for 100,000 recipients with 1,000 online under
2 s of worker time; (2) >= 0.7x the plain loop's rate.

    .venv/bin/python bench/fanout.py [--repeat 3] [--sizes 10000,100000] [--email-sizes ...]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import re
import threading
import time
import traceback
from pathlib import Path

import common
import mailing

KEY = "programs.due"
ONLINE_EVERY = 100  # 1% of the recipients have a page open
COPY_TARGET = 0.30
PUSH_TARGET_S = 2.0
EMAIL_TARGET = 0.70
_SUCCEEDED = re.compile(r"alerts\.push_new_items\[[^\]]+\] succeeded in ([0-9.e-]+)s")


class Sockets:
    """Open WebSockets, one per online user, read on an event loop in a thread of their own;
    records when each got its `alert.new` frame."""

    def __init__(self, port: int, sessions: dict[int, str]):
        self.port, self.sessions = port, sessions
        self.loop = asyncio.new_event_loop()
        self.arrived: dict[int, float] = {}
        self.wrong: list = []
        self.lock = threading.Condition()
        self.readers: set[asyncio.Future] = set()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.sockets = asyncio.run_coroutine_threadsafe(self._open(), self.loop).result(300)

    async def _open(self):
        import im_common

        async def one(user_id, session):
            ws = await im_common.open_socket(self.port, f"sessionid={session}")
            first = json.loads(await ws.recv())
            assert first["type"] == "counts", first
            self.readers.add(asyncio.ensure_future(self._read(user_id, ws)))
            return ws

        sockets = []
        items = list(self.sessions.items())
        for start in range(0, len(items), 100):  # as browsers arrive: not all in one instant
            sockets += await asyncio.gather(*(one(u, s) for u, s in items[start : start + 100]))
        return sockets

    async def _read(self, user_id: int, ws):
        async for raw in ws:
            frame = json.loads(raw)
            if frame["type"] == "alert.new":
                now = time.perf_counter()
                with self.lock:
                    if frame["item"]["key"] != KEY or user_id in self.arrived:
                        self.wrong.append((user_id, frame))
                    self.arrived[user_id] = now
                    self.lock.notify_all()

    def reset(self) -> None:
        with self.lock:
            self.arrived.clear()

    def wait_for(self, users: set[int], timeout: float) -> float:
        """The time the last of these users got their frame."""
        with self.lock:
            if not self.lock.wait_for(lambda: users <= set(self.arrived), timeout):
                missing = len(users - set(self.arrived))
                raise RuntimeError(f"{missing} of {len(users)} pushes missing after {timeout} s")
            assert set(self.arrived) == users, "a push reached someone who was not sent it"
            return max(self.arrived.values())

    def close(self) -> None:
        async def close_all():
            await asyncio.gather(*(ws.close() for ws in self.sockets), return_exceptions=True)

        asyncio.run_coroutine_threadsafe(close_all(), self.loop).result(60)
        self.loop.call_soon_threadsafe(self.loop.stop)


def push_seconds(log: Path, since: int) -> tuple[int, float]:
    """The push tasks logged after byte `since` of the worker's log: how many, and their time."""
    with log.open("rb") as f:
        f.seek(since)
        text = f.read().decode(errors="replace")
    times = [float(t) for t in _SUCCEEDED.findall(text)]
    return len(times), sum(times)


def sessions_for(user_ids: list[int]) -> dict[int, str]:
    """A logged-in session per user, written in one statement."""
    from datetime import timedelta

    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    store = SessionStore()
    expires = timezone.now() + timedelta(days=1)
    keys, rows = {}, []
    for user in get_user_model().objects.filter(pk__in=user_ids):
        key = get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789")
        data = {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
            HASH_SESSION_KEY: user.get_session_auth_hash(),
        }
        rows.append(Session(session_key=key, session_data=store.encode(data), expire_date=expires))
        keys[user.pk] = key
    Session.objects.bulk_create(rows)
    return keys


def main(args) -> bool:
    controller, inbox = mailing.start_smtp_server()
    try:
        common.setup(EMAIL_ESP="smtp", EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(controller.port))
        return run(args, inbox)
    finally:
        controller.stop()
        common.cleanup_redis()


def run(args, inbox) -> bool:
    import im_common
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from alerts.models import Alert
    from alerts.output import PUSH_TASK_USERS
    from notifications import catalogue, send
    from notifications.factories import context_for
    from notifications.models import EmailDelivery, Event, MessageType, SiteOutput

    sizes = sorted(args.sizes)
    im_common.raise_fd_limit()
    User = get_user_model()
    common.header("fan-out end to end: inbox rows, live pushes and email")
    ids = common.create_users(max(sizes), prefix="fan")
    online_ids = ids[::ONLINE_EVERY]
    context = context_for(KEY, program="Safety 101", due_date="2030-01-31")
    message_type = catalogue.get(KEY)
    batch = settings.NOTIFICATIONS_BATCH_SIZE
    print(
        f"batch size {batch}; {len(ids):,} users, {len(online_ids):,} with a page open; "
        f"web-only runs: best of {args.repeat}"
    )

    # The sockets are read by a thread of this process, which shares its GIL with the SMTP
    # server taking 100,000 emails: a pong may come late, which a browser's would not.
    server = im_common.Server(
        "totara_messaging.asgi:application",
        extra_args=["--ws-ping-timeout", "600"],
        env=common.bench_env(ALLOWED_HOSTS="127.0.0.1,localhost", ASGI_GC_POLICY="on"),
    ).start()
    worker, _ = mailing.start_worker("prefork", loglevel="INFO")
    log = Path(mailing.WORKER_LOG)
    sockets = None
    try:
        sockets = Sockets(server.port, sessions_for(online_ids))

        def recipients(n: int):
            return User.objects.filter(pk__range=(ids[0], ids[n - 1]))

        def online_among(n: int) -> set[int]:
            return {u for u in online_ids if u <= ids[n - 1]}

        def push_tasks(n: int) -> int:
            return math.ceil(len(online_among(n)) / PUSH_TASK_USERS)

        def truncate() -> None:
            common.execute("TRUNCATE alerts_alert, notifications_emaildelivery")

        def wait_pushes(since: int, tasks: int, timeout: float = 60) -> float:
            deadline = time.monotonic() + timeout
            while (found := push_seconds(log, since))[0] < tasks:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{found[0]} of {tasks} push tasks logged")
                time.sleep(0.05)
            return found[1]

        def web_run(n: int) -> dict:
            truncate()
            sockets.reset()
            since = log.stat().st_size
            start = time.perf_counter()
            result = send(KEY, recipients(n), context=context)
            rows_at = time.perf_counter()
            pushed_at = sockets.wait_for(online_among(n), timeout=120)
            assert result.outputs == {"web": n, "email": 0, "push": 0}, result
            assert Alert.objects.count() == n
            worker_s = wait_pushes(since, push_tasks(n))
            return {
                "send": rows_at - start,
                "end": max(rows_at, pushed_at) - start,
                "push_worker": worker_s,
            }

        def copy_run(n: int) -> float:
            truncate()
            event = Event.objects.create(
                message_type=MessageType.objects.get(key=KEY),
                key=KEY,
                context=context,
                urgency=message_type.urgency,
            )
            columns = ["event_id", "recipient_id", "kind", "key", "feature", "urgency"]
            columns += ["created_at", "read_at", "done_at", "action", "acted_by_id", "comment"]
            fixed = (Alert.Kind.ALERT.value, KEY, message_type.feature, str(event.urgency))
            with common.Timer() as t:
                rows = (
                    (event.pk, user_id, *fixed, event.created_at, None, None, "", None, "")
                    for user_id in ids[:n]
                )
                assert common.copy_rows("alerts_alert", columns, rows) == n
            return t.elapsed

        def email_run(n: int) -> dict:
            truncate()
            sockets.reset()
            mailing.clear(inbox)
            start = time.perf_counter()
            result = send(KEY, recipients(n), context=context)
            expected = n - len(online_among(n))
            assert result.outputs == {"web": n, "email": expected, "push": 0}, result
            mailing.wait_for(inbox, expected, 1200)
            end = time.perf_counter() - start
            mailing.check_messages(inbox, expected, KEY)
            # The pushes have their own queue, served between the email tasks' short turns.
            pushed = sockets.wait_for(online_among(n), timeout=120) - start
            deadline = time.monotonic() + 30
            rows = EmailDelivery.objects.filter(event_id=result.event_id)
            while rows.exclude(status="sent").exists() and time.monotonic() < deadline:
                time.sleep(0.05)
            loop = mailing.plain_loop(inbox, result.event_id, expected, KEY)
            return {"end": end, "count": expected, "loop": loop, "pushed": pushed}

        # Warm-up: imports, templates, plans and connections in every process.
        SiteOutput.objects.filter(output="email").update(enabled=False)
        web_run(min(sizes))
        copy_run(min(sizes))

        web, copies = {}, {}
        for n in sizes:
            # Interleaved, so load from other work on the machine hits both sides alike.
            runs = [(web_run(n), copy_run(n)) for _ in range(args.repeat)]
            web[n] = min((r for r, _ in runs), key=lambda r: r["end"])
            web[n]["push_worker"] = max(r["push_worker"] for r, _ in runs)
            copies[n] = min(c for _, c in runs)

        queries = {}
        for n in sizes:
            truncate()
            sockets.reset()
            with CaptureQueriesContext(connection) as captured:
                send(KEY, recipients(n), context=context)
            queries[n] = len(captured)
            sockets.wait_for(online_among(n), timeout=120)  # before the next run counts them

        SiteOutput.objects.filter(output="email").update(enabled=True)
        emails, failed = {}, {}
        for n in sorted(args.email_sizes):
            try:
                emails[n] = email_run(n)
            except Exception as error:  # reported as a MISS, after what was measured
                traceback.print_exc()
                failed[n] = f"{type(error).__name__}: {error}"
        truncate()
    finally:
        if sockets is not None:
            sockets.close()
        mailing.stop_worker(worker)
        server.stop()

    print()
    print("1. Web only: rows written and live pushes arrived")
    print(
        common.table(
            [
                "recipients",
                "online",
                "send() s",
                "end to end s",
                "COPY s",
                "end to end / COPY rate",
                "push worker s",
            ],
            [
                [
                    f"{n:,}",
                    f"{len(online_among(n)):,}",
                    f"{web[n]['send']:.3f}",
                    f"{web[n]['end']:.3f}",
                    f"{copies[n]:.3f}",
                    f"{copies[n] / web[n]['end']:.2f}",
                    f"{web[n]['push_worker']:.3f}",
                ]
                for n in sizes
            ],
        )
    )
    print()
    print(
        common.table(
            ["recipients", "batches", "queries in send()"],
            [[f"{n:,}", math.ceil(n / batch), queries[n]] for n in sizes],
        )
    )
    if emails:
        print()
        print("2. Web and email: every email at the SMTP server")
        rows = []
        for n, r in emails.items():
            rate = common.rate(r["count"], r["end"])
            loop_rate = common.rate(r["count"], r["loop"]["send"])
            rows.append(
                [
                    f"{n:,}",
                    f"{r['count']:,}",
                    f"{r['end']:.2f}",
                    f"{rate:,.0f}",
                    f"{r['loop']['build']:.2f} + {r['loop']['send']:.2f}",
                    f"{loop_rate:,.0f}",
                    f"{rate / loop_rate:.2f}",
                    f"{r['pushed']:.2f}",
                ]
            )
        print(
            common.table(
                [
                    "recipients",
                    "emails",
                    "end to end s",
                    "msg/s",
                    "plain loop build + send s",
                    "loop send msg/s",
                    "ratio",
                    "last push s",
                ],
                rows,
            )
        )

    verdicts = common.Verdicts()
    for n in sizes:
        ratio = copies[n] / web[n]["end"]
        verdicts.check(
            f"web only to {n:,}, end to end >= {COPY_TARGET}x the COPY rate",
            ratio >= COPY_TARGET,
            f"{ratio:.2f}x ({web[n]['end']:.3f} s vs COPY {copies[n]:.3f} s)",
        )
    largest = max(sizes)
    verdicts.check(
        f"push work for {largest:,} with {len(online_among(largest)):,} online "
        f"< {PUSH_TARGET_S:g} s of worker time",
        web[largest]["push_worker"] < PUSH_TARGET_S,
        f"{web[largest]['push_worker']:.3f} s in {push_tasks(largest)} tasks",
    )
    small, large = sizes[0], sizes[-1]
    if large != small:
        per_batch = (queries[large] - queries[small]) / (
            math.ceil(large / batch) - math.ceil(small / batch)
        )
        verdicts.check(
            "send()'s queries constant per batch",
            per_batch == int(per_batch) and per_batch <= 10,
            f"{per_batch:g} per batch",
        )
    for n, error in failed.items():
        verdicts.check(f"email to {n:,}", False, error)
    for n, r in emails.items():
        ratio = common.rate(r["count"], r["end"]) / common.rate(r["count"], r["loop"]["send"])
        verdicts.check(
            f"email to {n:,}, end to end >= {EMAIL_TARGET}x the plain send loop",
            ratio >= EMAIL_TARGET,
            f"{ratio:.2f}x",
        )
    return verdicts.report()


def sizes_arg(text: str) -> list[int]:
    return [int(x) for x in text.split(",") if x.strip()]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="web-only runs per size (best kept)")
    parser.add_argument("--sizes", type=sizes_arg, default=[10_000, 100_000])
    parser.add_argument("--email-sizes", type=sizes_arg, default=[10_000, 100_000])
    arguments = parser.parse_args()
    with common.time_limit(2400):
        ok = main(arguments)
    raise SystemExit(0 if ok else 1)
