"""Fan-out: send("programs.due", <User queryset>) to 10,000 and 100,000 recipients, web only.

Baselines, on the same alerts_alert rows (same columns and values send() writes):
  (a) one raw PostgreSQL COPY (the recipient ids already in memory);
  (b) a per-row Alert.objects.create() loop in one transaction (10,000 rows; for 100,000 its
      rows/s on 10,000 is reported, not re-run).
Also counts send()'s queries for 10k and 100k (CaptureQueriesContext, in a separate untimed
run) to show the cost is constant per batch of NOTIFICATIONS_BATCH_SIZE recipients.

Target: send() at no less than 40% of the COPY rate.

    .venv/bin/python bench/fanout.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import math
import time
from collections import defaultdict

import common

KEY = "programs.due"
SIZES = (10_000, 100_000)
LOOP_ROWS = 10_000
TARGET = 0.40
PHASES = (
    "read recipients (user ids, emails)",
    "resolve_outputs() (preferences, presence)",
    "  of which presence.logged_in() (Redis)",
    "WebOutput.deliver()",
    "  of which Alert bulk_create (SQL build + INSERT)",
    "live push enqueue (after commit)",
)


def instrumented(phases: dict[str, float]):
    """Wraps the parts of send() in timers (a diagnostic run only; the timed runs are plain).

    Returns a function that undoes the wrapping.
    """
    from alerts import output
    from alerts.models import Alert
    from notifications import presence, sending

    undo = []

    def wrap(owner, name: str, label: str) -> None:
        original = getattr(owner, name)

        def timed(*args, **kwargs):
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                phases[label] += time.perf_counter() - start

        setattr(owner, name, timed)
        undo.append((owner, name, original))

    batches = sending._recipient_batches

    def timed_batches(*args, **kwargs):
        iterator = batches(*args, **kwargs)
        while True:
            start = time.perf_counter()
            try:
                item = next(iterator)
            except StopIteration:
                return
            finally:
                phases[PHASES[0]] += time.perf_counter() - start
            yield item

    sending._recipient_batches = timed_batches
    undo.append((sending, "_recipient_batches", batches))
    wrap(sending, "resolve_outputs", PHASES[1])
    wrap(presence, "logged_in", PHASES[2])
    wrap(output.WebOutput, "deliver", PHASES[3])
    wrap(Alert.objects, "bulk_create", PHASES[4])
    wrap(output, "schedule_push", PHASES[5])

    def restore() -> None:
        for owner, name, original in reversed(undo):
            setattr(owner, name, original)
        Alert.objects.__dict__.pop("bulk_create", None)

    return restore


def main() -> bool:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per size (best kept)")
    args = parser.parse_args()

    common.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from alerts.models import Alert
    from notifications import catalogue, send
    from notifications.factories import context_for
    from notifications.models import Event, MessageType, SiteOutput

    User = get_user_model()
    common.header("fan-out: send() to many recipients, web output only")
    SiteOutput.objects.filter(output="email").update(enabled=False)
    ids = common.create_users(max(SIZES), prefix="fan")
    context = context_for(KEY, program="Safety 101", due_date="2030-01-31")
    message_type = catalogue.get(KEY)
    batch = settings.NOTIFICATIONS_BATCH_SIZE
    print(f"batch size {batch}; {len(ids):,} users; best of {args.repeat} runs reported")

    def truncate() -> None:
        common.execute("TRUNCATE alerts_alert")

    def recipients(n: int):
        return User.objects.filter(pk__range=(ids[0], ids[n - 1]))

    def timed_send(n: int) -> float:
        truncate()
        with common.Timer() as t:
            result = send(KEY, recipients(n), context=context)
        assert result.outputs["web"] == n, result
        assert Alert.objects.count() == n
        return t.elapsed

    def timed_copy(n: int) -> float:
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
        created = event.created_at
        with common.Timer() as t:
            rows = (
                (event.pk, user_id, *fixed, created, None, None, "", None, "")
                for user_id in ids[:n]
            )
            written = common.copy_rows("alerts_alert", columns, rows)
        assert written == n
        return t.elapsed

    def timed_loop(n: int) -> float:
        truncate()
        event = Event.objects.create(
            message_type=MessageType.objects.get(key=KEY),
            key=KEY,
            context=context,
            urgency=message_type.urgency,
        )
        with common.Timer() as t, transaction.atomic():
            for user_id in ids[:n]:
                Alert.objects.create(
                    event=event,
                    recipient_id=user_id,
                    kind=Alert.Kind.ALERT,
                    key=KEY,
                    feature=message_type.feature,
                    urgency=event.urgency,
                    created_at=event.created_at,
                )
        return t.elapsed

    # Warm-up: imports, template and plan caches, Redis and PostgreSQL connections.
    timed_send(2_000)
    timed_copy(2_000)

    results = {}
    for n in SIZES:
        # Interleaved, so load from other work on the machine hits both sides alike.
        runs = [(timed_send(n), timed_copy(n)) for _ in range(args.repeat)]
        results[n] = (min(s for s, _ in runs), min(c for _, c in runs))
    loop_s = timed_loop(LOOP_ROWS)
    loop_rate = common.rate(LOOP_ROWS, loop_s)

    queries = {}
    for n in SIZES:
        truncate()
        with CaptureQueriesContext(connection) as captured:
            send(KEY, recipients(n), context=context)
        queries[n] = len(captured)
    # Where the time goes, on one more (instrumented, untimed) send to the largest size.
    phases: dict[str, float] = defaultdict(float)
    for label in PHASES:
        phases[label] = 0.0
    restore = instrumented(phases)
    truncate()
    try:
        with common.Timer() as whole:
            send(KEY, recipients(max(SIZES)), context=context)
    finally:
        restore()
    truncate()
    common.cleanup_redis()

    rows = []
    for n, (send_s, copy_s) in results.items():
        send_rate, copy_rate = common.rate(n, send_s), common.rate(n, copy_s)
        loop_note = "" if n == LOOP_ROWS else f" (loop run on {LOOP_ROWS:,})"
        rows.append(
            [
                f"{n:,}",
                f"{send_s:.3f}",
                f"{send_rate:,.0f}",
                f"{copy_rate:,.0f}",
                f"{loop_rate:,.0f}{loop_note}",
                f"{send_rate / copy_rate:.2f}",
                f"{send_rate / loop_rate:.1f}",
            ]
        )
    print()
    print(
        common.table(
            [
                "recipients",
                "send s",
                "send rows/s",
                "COPY rows/s",
                "create() loop rows/s",
                "send/COPY",
                "send/loop",
            ],
            rows,
        )
    )
    print()
    q_rows = []
    for n in SIZES:
        q_rows.append([f"{n:,}", math.ceil(n / batch), queries[n]])
    print(common.table(["recipients", "batches", "queries in send()"], q_rows))
    small, large = SIZES
    per_batch = (queries[large] - queries[small]) / (
        math.ceil(large / batch) - math.ceil(small / batch)
    )
    fixed = queries[small] - per_batch * math.ceil(small / batch)
    print(f"=> {per_batch:g} queries per batch of {batch} + {fixed:g} fixed")

    print()
    print(f"Where send() to {max(SIZES):,} spends its time (instrumented run):")
    accounted = sum(v for k, v in phases.items() if not k.startswith("  "))
    phases["rest (event, Undelivered, commit, Python)"] = whole.elapsed - accounted
    print(
        common.table(
            ["part", "s", "share"],
            [[k, f"{v:.2f}", f"{v / whole.elapsed:.0%}"] for k, v in phases.items()]
            + [["total", f"{whole.elapsed:.2f}", "100%"]],
        )
    )

    verdicts = common.Verdicts()
    for n, (send_s, copy_s) in results.items():
        ratio = copy_s / send_s
        verdicts.check(
            f"send() to {n:,} >= {TARGET:.0%} of the COPY rate",
            ratio >= TARGET,
            f"{ratio:.0%} ({common.rate(n, send_s):,.0f} vs {common.rate(n, copy_s):,.0f} rows/s)",
        )
    verdicts.check(
        "queries constant per batch",
        per_batch == int(per_batch) and per_batch <= 10,
        f"{per_batch:g} per batch + {fixed:g} fixed",
    )
    return verdicts.report()


if __name__ == "__main__":
    with common.time_limit(600):
        ok = main()
    raise SystemExit(0 if ok else 1)
