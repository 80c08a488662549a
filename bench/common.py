"""Set-up shared by the benchmarks (they are scripts, not tests: pytest never collects them).

Every script runs against its own PostgreSQL database `bench` (created here if missing) with
production-like settings: DEBUG off, Redis for the cache, Celery broker and channel layer, a
Celery queue of its own. Import this module first and call `setup()` before importing models:

    import common

    common.setup()
    from alerts.models import Alert
"""

from __future__ import annotations

import contextlib
import math
import os
import signal
import sys
import time
import uuid
from collections.abc import Iterable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_HOST = os.environ.get("BENCH_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("BENCH_PG_PORT", "5432"))
PG_USER = os.environ.get("BENCH_PG_USER", "postgres")
DB_NAME = os.environ.get("BENCH_DB", "bench")
DATABASE_URL = f"postgres://{PG_USER}@{PG_HOST}:{PG_PORT}/{DB_NAME}"
# A Redis database of its own, so nothing here meets the keys of a developer's site or tests.
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")
RUN_ID = uuid.uuid4().hex[:8]
QUEUE = f"bench-{RUN_ID}"

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
# A script run as `python bench/x.py` has bench/ first on sys.path, where bench/email.py would
# shadow the standard library's `email` (which Django imports): move bench/ to the end.
_BENCH = str(Path(__file__).resolve().parent)
for _entry in [p for p in sys.path if p and Path(p).resolve() == Path(_BENCH)]:
    sys.path.remove(_entry)
sys.path.append(_BENCH)


def bench_env(**extra: str) -> dict[str, str]:
    """The environment of this process and of any worker it starts."""
    return {
        "DJANGO_SETTINGS_MODULE": "totara_messaging.settings",
        "DATABASE_URL": DATABASE_URL,
        "REDIS_URL": REDIS_URL,
        "CELERY_QUEUE": QUEUE,
        "CACHE_KEY_PREFIX": f"bench-{RUN_ID}",
        "CHANNELS_PREFIX": f"bench-asgi-{RUN_ID}",
        # Production-like: no debug cursor wrapper recording every query.
        "DJANGO_DEBUG": "False",
        "SECRET_KEY": "bench-only-not-a-secret-" + "x" * 40,
        "ALLOWED_HOSTS": "localhost",
        "LOG_LEVEL": "WARNING",
        # Keep settings' files (secret, static root) out of the working tree.
        "VAR_DIR": os.environ.get("BENCH_VAR_DIR", "/tmp/totara-bench-var"),
        **extra,
    }


def ensure_database() -> None:
    """Creates the `bench` database if it does not exist."""
    import psycopg

    with psycopg.connect(
        host=PG_HOST, port=PG_PORT, user=PG_USER, dbname="postgres", autocommit=True
    ) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DB_NAME}"')


def _drop_schema() -> None:
    import psycopg

    with psycopg.connect(
        host=PG_HOST, port=PG_PORT, user=PG_USER, dbname=DB_NAME, autocommit=True
    ) as conn:
        conn.execute("DROP SCHEMA IF EXISTS public CASCADE")
        conn.execute("CREATE SCHEMA public")


def setup(reset: bool = True, **env: str) -> None:
    """Sets the environment, creates the database, drops every table and runs `migrate`."""
    os.environ.update(bench_env(**env))
    ensure_database()
    if reset:
        _drop_schema()
    import django

    django.setup()
    if reset:
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)


def raw_cursor():
    """The psycopg cursor under Django's connection (for COPY)."""
    from django.db import connection

    connection.ensure_connection()
    return connection.connection.cursor()


def execute(sql: str, params: Sequence | None = None) -> list[tuple]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


def execute_count(sql: str, params: Sequence | None = None) -> int:
    """Runs a statement and returns its row count (e.g. rows a DELETE removed)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def copy_rows(
    table: str, columns: Sequence[str], rows: Iterable[Sequence], *, trusted: bool = False
) -> int:
    """COPY rows into a table in one statement; returns the number written.

    `trusted` (bulk test data only) skips the foreign key triggers for this load, as
    pg_restore does: the rows must reference existing ids.
    """
    count = 0
    cols = ", ".join(columns)
    with raw_cursor() as cursor:
        if trusted:
            cursor.execute("SET session_replication_role = replica")
        try:
            with cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
        finally:
            if trusted:
                cursor.execute("SET session_replication_role = DEFAULT")
    return count


def create_users(count: int, prefix: str = "user") -> list[int]:
    """COPYs `count` active users named <prefix><n> (email <prefix><n>@example.com, English,
    UTC, unusable password); returns their ids in order."""
    from django.utils import timezone

    now = timezone.now()
    columns = [
        "password",
        "is_superuser",
        "username",
        "first_name",
        "last_name",
        "email",
        "is_staff",
        "is_active",
        "date_joined",
        "full_name",
        "language",
        "timezone",
    ]
    rows = (
        (
            "!",
            False,
            f"{prefix}{n}",
            "Bench",
            f"User {n}",
            f"{prefix}{n}@example.com",
            False,
            True,
            now,
            f"Bench User {n}",
            "en",
            "UTC",
        )
        for n in range(count)
    )
    copy_rows("accounts_user", columns, rows)
    ids = execute("SELECT id FROM accounts_user WHERE username LIKE %s ORDER BY id", [prefix + "%"])
    execute("ANALYZE accounts_user")
    return [i for (i,) in ids]


def vacuum_analyze(table: str) -> None:
    from django.db import connection

    with connection.cursor() as cursor:  # Django runs in autocommit outside atomic blocks
        cursor.execute(f"VACUUM (ANALYZE) {table}")


class Timer:
    """with Timer() as t: ...; t.elapsed (seconds, perf_counter)."""

    def __enter__(self) -> Timer:
        self.start = time.perf_counter()
        self.elapsed = 0.0
        return self

    def __exit__(self, *exc) -> None:
        self.elapsed = time.perf_counter() - self.start


def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile (0-100) with linear interpolation between ranks (numpy's default)."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def rate(count: int, seconds: float) -> float:
    return count / seconds if seconds > 0 else float("inf")


def table(headers: Sequence[str], rows: Iterable[Sequence]) -> str:
    """A plain-text table, numbers right-aligned."""

    def cell(value) -> str:
        if isinstance(value, float):
            return f"{value:,.3f}" if abs(value) < 10 else f"{value:,.0f}"
        if isinstance(value, int):
            return f"{value:,}"
        return str(value)

    rows = [list(r) for r in rows]
    body = [[cell(v) for v in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in body)) for i, h in enumerate(headers)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    for raw, row in zip(rows, body, strict=True):
        cells = [
            c.rjust(w) if isinstance(v, int | float) else c.ljust(w)
            for v, c, w in zip(raw, row, widths, strict=True)
        ]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


class Verdicts:
    """Collects target checks and prints them as PASS/MISS lines at the end."""

    def __init__(self) -> None:
        self.items: list[tuple[str, bool, str]] = []

    def check(self, target: str, ok: bool, measured: str) -> None:
        self.items.append((target, ok, measured))

    def report(self) -> bool:
        print()
        print(f"load average at the end: {load_average()}")
        for target, ok, measured in self.items:
            print(f"{'PASS' if ok else 'MISS'}  {target}: {measured}")
        return all(ok for _, ok, _ in self.items)


@contextlib.contextmanager
def time_limit(seconds: int):
    """Raises TimeoutError in the main thread after `seconds` (so `finally` blocks clean up)."""

    def expire(signum, frame):
        raise TimeoutError(f"benchmark exceeded its {seconds} s limit")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def delete_redis_keys(pattern: str) -> int:
    """Removes this run's Redis keys (Celery queue, cache), matching a glob pattern."""
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(match=pattern, count=1000))
    if keys:
        client.delete(*keys)
    return len(keys)


def cleanup_redis() -> None:
    delete_redis_keys(f"{QUEUE}*")
    delete_redis_keys(f"*bench-{RUN_ID}*")
    delete_redis_keys(f"_kombu.binding.{QUEUE}*")


def header(title: str) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    print(f"== {title} ==")
    print(
        f"PostgreSQL {version} at {PG_HOST}:{PG_PORT}/{DB_NAME}; Redis {REDIS_URL}; "
        f"{os.cpu_count()} CPUs; Python {sys.version.split()[0]}"
    )
    print(f"load average at the start: {load_average()} (other work on this machine skews results)")


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def create_events(count: int, keys: Sequence[str], sender_ids: Sequence[int] = ()) -> list:
    """COPYs `count` events spread over `keys` (round robin), a third with a sender from
    `sender_ids`; returns [(id, key, feature, urgency, kind)] in id order."""
    import json
    import random

    from django.utils import timezone

    from notifications import catalogue
    from notifications.models import MessageType

    rng = random.Random(7)
    type_ids = dict(MessageType.objects.filter(key__in=keys).values_list("key", "id"))
    now = timezone.now()
    columns = ["message_type_id", "key", "sender_id", "context", "data", "url", "urgency"]
    columns += ["dedupe_key", "recipient_count", "created_at"]

    def rows():
        for n in range(count):
            key = keys[n % len(keys)]
            t = catalogue.get(key)
            context = json.dumps({p.name: f"{p.name} {n}" for p in t.placeholders})
            sender = rng.choice(sender_ids) if sender_ids and n % 3 == 0 else None
            url = f"/x/{n}"
            yield (type_ids[key], key, sender, context, "{}", url, str(t.urgency), "", 0, now)

    first = execute("SELECT coalesce(max(id), 0) FROM notifications_event")[0][0]
    copy_rows("notifications_event", columns, rows())
    events = []
    for pk, key in execute(
        "SELECT id, key FROM notifications_event WHERE id > %s ORDER BY id", [first]
    ):
        t = catalogue.get(key)
        kind = "task" if t.kind == catalogue.Kind.TASK else "alert"
        events.append((pk, key, t.feature, str(t.urgency), kind))
    return events


ALERT_COLUMNS = (
    "event_id",
    "recipient_id",
    "kind",
    "key",
    "feature",
    "urgency",
    "created_at",
    "read_at",
    "done_at",
    "action",
    "acted_by_id",
    "comment",
)
