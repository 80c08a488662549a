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
import os
import signal
import time
import uuid
from collections.abc import Iterable, Sequence

import base
from base import ROOT, Verdicts, percentile  # noqa: F401 (re-exported for the scripts)

DB_NAME = os.environ.get("BENCH_DB", "bench")
DATABASE_URL = base.database_url(DB_NAME)
# A Redis database of its own, so nothing here meets the keys of a developer's site or tests.
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")
RUN_ID = uuid.uuid4().hex[:8]
QUEUE = f"bench-{RUN_ID}"


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


def _drop_schema() -> None:
    with base.connect(DB_NAME) as conn:
        conn.execute("DROP SCHEMA IF EXISTS public CASCADE")
        conn.execute("CREATE SCHEMA public")


def setup(reset: bool = True, **env: str) -> None:
    """Sets the environment, creates the database, drops every table and runs `migrate`."""
    os.environ.update(bench_env(**env))
    base.ensure_database(DB_NAME)
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


def rate(count: int, seconds: float) -> float:
    return count / seconds if seconds > 0 else float("inf")


def _float_cell(value: float) -> str:
    return f"{value:,.3f}" if abs(value) < 10 else f"{value:,.0f}"


def table(headers: Sequence[str], rows: Iterable[Sequence]) -> str:
    """A plain-text table, numbers right-aligned; floats below 10 with 3 decimals."""
    return base.table(headers, rows, _float_cell)


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


def cleanup_redis() -> None:
    """Removes this run's Redis keys (Celery queue, cache, channel layer)."""
    for pattern in (f"{QUEUE}*", f"*bench-{RUN_ID}*", f"_kombu.binding.{QUEUE}*"):
        base.delete_redis_keys(REDIS_URL, pattern)


def header(title: str) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    base.header(
        title, f"PostgreSQL {version} at {base.PG_HOST}:{base.PG_PORT}/{DB_NAME}; Redis {REDIS_URL}"
    )


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
    columns = ["message_type_id", "key", "sender_id", "context", "data", "templates", "url"]
    columns += ["urgency", "dedupe_key", "recipient_count", "created_at"]

    def rows():
        for n in range(count):
            key = keys[n % len(keys)]
            t = catalogue.get(key)
            context = json.dumps({p.name: f"{p.name} {n}" for p in t.placeholders})
            sender = rng.choice(sender_ids) if sender_ids and n % 3 == 0 else None
            url = f"/x/{n}"
            yield (type_ids[key], key, sender, context, "{}", "{}", url, str(t.urgency), "", 0, now)

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
