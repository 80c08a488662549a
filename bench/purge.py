"""Purge: alerts.actions.purge_read() on 1,000,000 read alerts older than the retention.

Data (COPY, 2,000 users, rows in time order): 1,000,000 alerts read 31-400 days ago (purged)
plus 100,000 that must stay (50,000 unread, 50,000 read within the last 29 days); VACUUM
(ANALYZE) and CHECKPOINT after each load. Measures:

  purge_read()   the app's function, unchanged; each batch is timed by wrapping the
                 `transaction.atomic()` that purge_read() opens per batch (alerts.actions'
                 `transaction` is swapped for a shim that times the real atomic block);
  plain DELETE   on the same data rebuilt: one `DELETE FROM alerts_alert WHERE read_at < %s`
                 with the same cutoff (now - ALERTS_READ_RETENTION_DAYS);
  info only      (not the app's code, no target) the same purge batched two other ways, each
                 on the data rebuilt: server-side batches of 5,000,
                 `DELETE ... WHERE id IN (SELECT id ... ORDER BY read_at LIMIT 5000)`, and
                 ranges of read_at, `DELETE ... WHERE read_at >= %s AND read_at < %s` (7 days
                 each, from the oldest read_at up to the cutoff).

Targets: purge at no less than half the plain DELETE rate; every batch under 1 s.

    .venv/bin/python bench/purge.py
"""

from __future__ import annotations

import contextlib
import random
import time
from datetime import timedelta

import common

USERS = 2_000
OLD = 1_000_000
KEPT_UNREAD = 50_000
KEPT_RECENT = 50_000
EVENTS = 1_000
TARGET_RATIO = 0.5
TARGET_BATCH_S = 1.0
INFO_BATCH = 5_000
SERVER_BATCH = (
    "DELETE FROM alerts_alert WHERE id IN "
    "(SELECT id FROM alerts_alert WHERE read_at < %s ORDER BY read_at LIMIT %s)"
)
WINDOW = timedelta(days=7)
WINDOW_BATCH = "DELETE FROM alerts_alert WHERE read_at >= %s AND read_at < %s"


def build() -> int:
    """(Re)builds the same alerts_alert rows from a fixed seed; returns how many were written."""
    from django.utils import timezone

    common.execute("TRUNCATE alerts_alert")
    rng = random.Random(1)
    user_ids = [i for (i,) in common.execute("SELECT id FROM accounts_user ORDER BY id")]
    events = [
        (pk, key, feature, urgency)
        for pk, key, feature, urgency in common.execute(
            "SELECT e.id, e.key, m.feature, e.urgency FROM notifications_event e "
            "JOIN notifications_messagetype m ON m.id = e.message_type_id ORDER BY e.id"
        )
    ]
    now = timezone.now()
    total = OLD + KEPT_UNREAD + KEPT_RECENT

    def rows():
        # Oldest first, as an inbox fills up: 1,000,000 read long ago, then the recent ones.
        for n in range(total):
            pk, key, feature, urgency = events[n % len(events)]
            user_id = user_ids[rng.randrange(len(user_ids))]
            if n < OLD:
                created = now - timedelta(days=400) + timedelta(days=368) * (n / OLD)
                read_at = created + timedelta(hours=rng.randint(1, 24))  # 31-400 days ago
            else:
                created = now - timedelta(days=29) + timedelta(days=28) * ((n - OLD) / total)
                unread = rng.random() < KEPT_UNREAD / (KEPT_UNREAD + KEPT_RECENT)
                read_at = None if unread else created + timedelta(hours=rng.randint(1, 12))
            yield (
                pk,
                user_id,
                "alert",
                key,
                feature,
                urgency,
                created,
                read_at,
                None,
                "",
                None,
                "",
            )

    written = common.copy_rows("alerts_alert", common.ALERT_COLUMNS, rows(), trusted=True)
    common.vacuum_analyze("alerts_alert")
    common.execute("CHECKPOINT")  # each measurement starts with no dirty pages to write back
    return written


class TimedTransaction:
    """Stands in for django.db.transaction in alerts.actions: times each atomic() block."""

    def __init__(self, real, durations: list[float]):
        self._real = real
        self.durations = durations

    def __getattr__(self, name):
        return getattr(self._real, name)

    @contextlib.contextmanager
    def atomic(self, *args, **kwargs):
        start = time.perf_counter()
        try:
            with self._real.atomic(*args, **kwargs):
                yield
        finally:
            self.durations.append(time.perf_counter() - start)


def main() -> bool:
    common.setup()
    from django.conf import settings
    from django.db import transaction
    from django.utils import timezone

    from alerts import actions
    from notifications import catalogue

    common.header("purge: purge_read() against one plain DELETE")
    common.create_users(USERS, prefix="purge")
    keys = sorted(t.key for t in catalogue.all_types() if t.kind == catalogue.Kind.ALERT)
    common.create_events(EVENTS, keys)
    days = settings.ALERTS_READ_RETENTION_DAYS

    def purgeable() -> int:
        cutoff = timezone.now() - timedelta(days=days)
        sql = "SELECT count(*) FROM alerts_alert WHERE read_at < %s"
        return common.execute(sql, [cutoff])[0][0]

    # purge_read(), batches timed.
    with common.Timer() as load:
        written = build()
    print(f"loaded {written:,} rows by COPY + VACUUM ANALYZE in {load.elapsed:.1f} s")
    expected = purgeable()
    assert expected == OLD, expected
    durations: list[float] = []
    actions.transaction = TimedTransaction(transaction, durations)
    try:
        with common.Timer() as purge:
            purged = actions.purge_read()
    finally:
        actions.transaction = transaction
    left = common.execute("SELECT count(*) FROM alerts_alert")[0][0]
    assert purged == OLD and left == written - OLD, (purged, left)
    work = durations[:-1]  # the last block finds nothing left and deletes nothing

    # One plain DELETE on the same data.
    build()
    assert purgeable() == OLD
    cutoff = timezone.now() - timedelta(days=days)
    with common.Timer() as plain, transaction.atomic():
        deleted = common.execute_count("DELETE FROM alerts_alert WHERE read_at < %s", [cutoff])
    assert deleted == OLD, deleted

    # For information (not the app's code): two other ways to batch, on the same data again.
    # (a) the server picks each batch (no ids round trip); (b) ranges of read_at, no ORDER BY or
    # LIMIT: each batch is one index range (inbox_read), whatever the number of rows in it.
    info = {}
    build()
    cutoff = timezone.now() - timedelta(days=days)
    times, total = [], 0
    with common.Timer() as elapsed:
        while True:
            with common.Timer() as one, transaction.atomic():
                n = common.execute_count(SERVER_BATCH, [cutoff, INFO_BATCH])
            times.append(one.elapsed)
            total += n
            if not n:
                break
    assert total == OLD, total
    info[f"info: server-side batches of {INFO_BATCH:,}"] = (elapsed.elapsed, times[:-1])
    build()
    cutoff = timezone.now() - timedelta(days=days)
    times, total = [], 0
    with common.Timer() as elapsed:
        (low,) = common.execute("SELECT min(read_at) FROM alerts_alert")[0]
        while low is not None and low < cutoff:
            high = min(low + WINDOW, cutoff)
            with common.Timer() as one, transaction.atomic():
                total += common.execute_count(WINDOW_BATCH, [low, high])
            times.append(one.elapsed)
            low = high
    assert total == OLD, total
    info[f"info: read_at windows of {WINDOW.days} days"] = (elapsed.elapsed, times)
    common.execute("TRUNCATE alerts_alert, notifications_event CASCADE")
    common.cleanup_redis()

    purge_rate = common.rate(purged, purge.elapsed)
    plain_rate = common.rate(deleted, plain.elapsed)

    def line(method, seconds, batches):
        r = common.rate(OLD, seconds)
        return [
            method,
            OLD,
            f"{seconds:.2f}",
            f"{r:,.0f}",
            f"{r / plain_rate:.2f}",
            len(batches),
            f"{common.percentile(batches, 50):.3f}",
            f"{max(batches):.3f}",
        ]

    rows = [
        line("purge_read() (app, 5,000 per batch)", purge.elapsed, work),
        line("plain DELETE (baseline)", plain.elapsed, [plain.elapsed]),
    ]
    for label, (seconds, times) in info.items():
        rows.append(line(label, seconds, times))
    print()
    print(
        common.table(
            ["method", "rows", "s", "rows/s", "ratio", "batches", "batch p50 s", "batch max s"],
            rows,
        )
    )
    print(
        f"purge_read(): time inside its atomic blocks {sum(durations):.2f} s of "
        f"{purge.elapsed:.2f} s; first batches {[round(d, 3) for d in work[:3]]} s, "
        f"last {[round(d, 3) for d in work[-3:]]} s"
    )
    print(f"info rows run: {SERVER_BATCH % ('<cutoff>', INFO_BATCH)}")
    print(f"           and: {WINDOW_BATCH % ('<low>', '<low + 7 days>')}")

    verdicts = common.Verdicts()
    ratio = purge_rate / plain_rate
    verdicts.check(
        f"purge_read() >= {TARGET_RATIO:.0%} of the plain DELETE rate",
        ratio >= TARGET_RATIO,
        f"{ratio:.0%} ({purge_rate:,.0f} vs {plain_rate:,.0f} rows/s)",
    )
    verdicts.check(
        f"every batch < {TARGET_BATCH_S:g} s",
        max(work) < TARGET_BATCH_S,
        f"longest {max(work):.3f} s of {len(work)} batches",
    )
    return verdicts.report()


if __name__ == "__main__":
    with common.time_limit(600):
        ok = main()
    raise SystemExit(0 if ok else 1)
