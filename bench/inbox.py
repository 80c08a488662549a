"""Inbox reads on a 2,000,000-row alerts_alert: the unread counter and the first page.

Builds 2,000 users x 1,000 inbox rows by COPY, in time order (users interleaved, as send()
writes them): ~10% unread alerts, ~3% open tasks, ~5% closed tasks, the rest read alerts;
5,000 events, a third of them with a sender. Then VACUUM (ANALYZE), as autovacuum would.

For random users it takes the SQL exactly as the app issues it, captured while running

    Alert.objects.for_user(u).alerts().unread().count()
    list(queries.inbox(u, "alert", {})[0][:20])

and measures it server-side with EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) "Execution Time"
(p50/p99 over --samples users). The app-side time of the same ORM call (Python + round trip)
is shown for information. Target: under 1 ms p99 in SQL. The app's indexes are not touched.

    .venv/bin/python bench/inbox.py [--samples 1000]
"""

from __future__ import annotations

import argparse
import json
import random
from collections import Counter
from datetime import timedelta

import common

USERS = 2_000
ROWS_PER_USER = 1_000
EVENTS = 5_000
TARGET_MS = 1.0


def build(user_ids: list[int], rng: random.Random) -> int:
    """COPYs the inbox rows; returns how many."""
    from django.utils import timezone

    from notifications import catalogue

    types = catalogue.all_types()
    alert_keys = sorted(t.key for t in types if t.kind == catalogue.Kind.ALERT)
    task_keys = sorted(t.key for t in types if t.kind == catalogue.Kind.TASK)
    # Events round-robin over the types: about one in ten is a task.
    events = common.create_events(EVENTS, alert_keys + task_keys, sender_ids=user_ids)
    alert_events = [e for e in events if e[4] == "alert"]
    task_events = [e for e in events if e[4] == "task"]
    start = timezone.now() - timedelta(days=365)
    step = timedelta(days=365) / ROWS_PER_USER

    def row(events, user_id, created, read_at=None, done_at=None, acted=False):
        pk, key, feature, urgency, kind = rng.choice(events)
        action, acted_by = ("approve", user_id) if acted else ("", None)
        return (
            pk,
            user_id,
            kind,
            key,
            feature,
            urgency,
            created,
            read_at,
            done_at,
            action,
            acted_by,
            "",
        )

    def rows():
        order = list(user_ids)
        for slot in range(ROWS_PER_USER):
            base = start + slot * step
            rng.shuffle(order)
            for n, user_id in enumerate(order):
                created = base + timedelta(microseconds=n * 997)
                later = created + timedelta(hours=rng.randint(1, 72))
                draw = rng.random()
                if draw < 0.10:
                    yield row(alert_events, user_id, created)  # unread alert
                elif draw < 0.13:
                    yield row(task_events, user_id, created)  # open task
                elif draw < 0.18:
                    yield row(task_events, user_id, created, later, later, acted=True)
                else:
                    yield row(alert_events, user_id, created, later)  # read alert

    return common.copy_rows("alerts_alert", common.ALERT_COLUMNS, rows(), trusted=True)


def captured_sql(call) -> str:
    """Runs an ORM call and returns the one SQL statement it sent (parameters inlined)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        call()
    assert len(captured) == 1, [q["sql"] for q in captured]
    return captured[0]["sql"]


def explain(sql: str, analyze_timing: bool = False) -> dict:
    options = (
        "ANALYZE, BUFFERS, FORMAT JSON" if analyze_timing else "ANALYZE, TIMING OFF, FORMAT JSON"
    )
    (plan,) = common.execute(f"EXPLAIN ({options}) {sql}")[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return plan[0]


def nodes(plan: dict, depth: int = 0) -> list[str]:
    """The plan tree, one line per node: type, index or relation, rows."""
    node = plan.get("Plan", plan)
    name = node["Node Type"]
    if "Index Name" in node:
        name += f" using {node['Index Name']}"
    elif "Relation Name" in node:
        name += f" on {node['Relation Name']}"
    if node.get("Sort Key"):
        name += f" (sort {', '.join(node['Sort Key'])}"
        if node.get("Presorted Key"):
            name += f"; presorted {', '.join(node['Presorted Key'])}"
        name += ")"
    extra = f" rows={node.get('Actual Rows')}"
    if "Heap Fetches" in node:
        extra += f" heap_fetches={node['Heap Fetches']}"
    if "Actual Total Time" in node:
        extra += f" {node['Actual Total Time']:.3f} ms"
    lines = ["  " * depth + "-> " + name + extra]
    for child in node.get("Plans", []):
        lines += nodes(child, depth + 1)
    return lines


def shape(plan: dict) -> str:
    """A one-line signature of the plan's node types and indexes, to tally plans."""
    node = plan.get("Plan", plan)
    name = node["Node Type"] + (f"[{node['Index Name']}]" if "Index Name" in node else "")
    children = ",".join(shape(c) for c in node.get("Plans", []))
    return f"{name}({children})" if children else name


def main() -> bool:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--samples", type=int, default=1000, help="users sampled per query")
    args = parser.parse_args()

    common.setup()
    from django.contrib.auth import get_user_model

    from alerts import queries
    from alerts.models import Alert

    User = get_user_model()
    common.header("inbox: unread counter and first page on 2,000,000 rows")
    rng = random.Random(42)
    user_ids = common.create_users(USERS, prefix="inbox")
    with common.Timer() as load:
        count = build(user_ids, rng)
    with common.Timer() as vacuum:
        common.vacuum_analyze("alerts_alert")
    size = common.execute("SELECT pg_size_pretty(pg_total_relation_size('alerts_alert'))")[0][0]
    mix = common.execute(
        "SELECT kind, read_at IS NULL, done_at IS NULL, count(*) FROM alerts_alert "
        "GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
    )
    print(
        f"loaded {count:,} rows by COPY in {load.elapsed:.1f} s, VACUUM ANALYZE "
        f"{vacuum.elapsed:.1f} s; table + indexes {size}"
    )
    for kind, unread, still_open, n in mix:
        state = {
            "alert": "unread" if unread else "read",
            "task": "open" if still_open else "closed",
        }
        print(f"  {kind:5} {state[kind]:6} {n:>9,} ({n / count:.1%})")

    users = list(User.objects.filter(pk__in=user_ids))
    calls = {
        "unread count": lambda u: Alert.objects.for_user(u).alerts().unread().count(),
        "first page (20)": lambda u: list(queries.inbox(u, "alert", {})[0][:20]),
    }
    # Warm-up: the table and indexes in cache, as on a busy site.
    for u in users[:200]:
        for call in calls.values():
            call(u)

    results = {}
    for label, call in calls.items():
        sql_ms, app_ms, shapes = [], [], Counter()
        for _ in range(args.samples):
            u = rng.choice(users)
            with common.Timer() as app:
                call(u)
            app_ms.append(app.elapsed * 1000)
            sql = captured_sql(lambda u=u, call=call: call(u))
            plan = explain(sql)
            sql_ms.append(plan["Execution Time"])
            shapes[shape(plan)] += 1
        example = rng.choice(users)
        sql = captured_sql(lambda u=example, call=call: call(u))
        detail = explain(sql, analyze_timing=True)
        results[label] = (sql_ms, app_ms, shapes, sql, detail)

    rows = []
    for label, (sql_ms, app_ms, _, _, _) in results.items():
        rows.append(
            [
                label,
                len(sql_ms),
                f"{common.percentile(sql_ms, 50):.3f}",
                f"{common.percentile(sql_ms, 99):.3f}",
                f"{max(sql_ms):.3f}",
                f"{common.percentile(app_ms, 50):.3f}",
                f"{common.percentile(app_ms, 99):.3f}",
            ]
        )
    print()
    print(
        common.table(
            [
                "query",
                "samples",
                "SQL p50 ms",
                "SQL p99 ms",
                "SQL max ms",
                "ORM p50 ms",
                "ORM p99 ms",
            ],
            rows,
        )
    )
    for label, (_, _, shapes, sql, detail) in results.items():
        print()
        print(f"{label}: {sql}")
        for s, n in shapes.most_common():
            print(f"  plan used by {n}/{sum(shapes.values())} samples: {s}")
        print(f"  one plan in full (EXPLAIN ANALYZE, BUFFERS), {detail['Execution Time']:.3f} ms:")
        for line in nodes(detail):
            print("    " + line)

    verdicts = common.Verdicts()
    for label, (sql_ms, _, _, _, _) in results.items():
        p99 = common.percentile(sql_ms, 99)
        verdicts.check(f"{label} p99 < {TARGET_MS:g} ms in SQL", p99 < TARGET_MS, f"{p99:.3f} ms")
    common.execute("TRUNCATE alerts_alert, notifications_event CASCADE")
    common.cleanup_redis()
    return verdicts.report()


if __name__ == "__main__":
    with common.time_limit(900):
        ok = main()
    raise SystemExit(0 if ok else 1)
