"""What every benchmark shares, whichever database it uses: the sys.path fix, the PostgreSQL
server's address, and how results are printed (header, table, PASS/MISS verdicts).

common.py and im_common.py import it first. Importing it only moves bench/ on sys.path and
reads the environment: no Django set-up, no database or Redis connection.
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
# `python bench/x.py` puts bench/ first on sys.path, where bench/email.py would shadow the
# standard library's `email` (Django, http.client and websockets import it): move bench/ last.
_BENCH = Path(__file__).resolve().parent
for _entry in [p for p in sys.path if p and Path(p).resolve() == _BENCH]:
    sys.path.remove(_entry)
sys.path.append(str(_BENCH))

PG_HOST = os.environ.get("BENCH_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("BENCH_PG_PORT", "5432"))
PG_USER = os.environ.get("BENCH_PG_USER", "postgres")


def database_url(name: str) -> str:
    return f"postgres://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}"


def connect(name: str):
    """An autocommit psycopg connection to the database `name` (outside Django)."""
    import psycopg

    return psycopg.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, dbname=name, autocommit=True)


def ensure_database(name: str) -> None:
    """Creates the database `name` if it does not exist."""
    with connect("postgres") as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def delete_redis_keys(url: str, pattern: str) -> int:
    """Deletes the keys matching a glob pattern (this run's queue, cache, groups); returns how
    many."""
    import redis

    client = redis.Redis.from_url(url)
    try:
        keys = list(client.scan_iter(match=pattern, count=1000))
        for start in range(0, len(keys), 1000):
            client.delete(*keys[start : start + 1000])
        return len(keys)
    finally:
        client.close()


def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile (0-100) with linear interpolation between ranks (numpy's default)."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def table(
    headers: Sequence[str], rows: Iterable[Sequence], float_cell: Callable[[float], str]
) -> str:
    """A plain-text table, numbers right-aligned; `float_cell` writes a float's cell."""

    def cell(value) -> str:
        if isinstance(value, float):
            return float_cell(value)
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


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def header(title: str, services: str) -> None:
    """Prints the run's title, what it runs on (`services`: the database and Redis) and the
    load at the start."""
    print(f"== {title} ==")
    print(f"{services}; {os.cpu_count()} CPUs; Python {sys.version.split()[0]}")
    print(f"load average at the start: {load_average()} (other work on this machine skews results)")


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
