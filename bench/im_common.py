"""Set-up shared by the instant-messaging benchmarks (im_latency.py, im_sockets.py).

They are scripts, not tests. Each runs the real ASGI application in a separate uvicorn process
against its own PostgreSQL database `bench_im` and Redis, with production-like settings (DEBUG
off, channels-redis, a Redis cache) and key prefixes unique to the run, so nothing meets the
keys of a developer's site, of the tests or of the other benchmarks. Import this module first
(it also keeps bench/email.py from shadowing the standard library's `email`).
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import resource
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterable, Sequence
from pathlib import Path

import base
from base import ROOT, Verdicts, load_average  # noqa: F401 (re-exported for the scripts)

DB_NAME = os.environ.get("BENCH_IM_DB", "bench_im")
DATABASE_URL = base.database_url(DB_NAME)
REDIS_URL = os.environ.get("BENCH_IM_REDIS_URL", "redis://127.0.0.1:6379/0")
# Shared with the client processes a benchmark spawns (they inherit the environment).
RUN_ID = os.environ.setdefault("BENCH_IM_RUN_ID", uuid.uuid4().hex[:8])
PREFIX = f"bench-im-{RUN_ID}"
CHANNELS_PREFIX = f"{PREFIX}-asgi"
RELAY_CHANNELS_PREFIX = f"{PREFIX}-relay"
ORIGIN_HOST = "127.0.0.1"
SESSION_COOKIE = "sessionid"
CSRF_COOKIE = "csrftoken"


def app_env(**extra: str) -> dict[str, str]:
    """The application's environment, for this process and for the servers it starts."""
    return {
        "DJANGO_SETTINGS_MODULE": "totara_messaging.settings",
        "DATABASE_URL": DATABASE_URL,
        "REDIS_URL": REDIS_URL,
        "CHANNELS_PREFIX": CHANNELS_PREFIX,
        "CACHE_KEY_PREFIX": PREFIX,
        "CELERY_QUEUE": PREFIX,
        # Production-like: no debug cursor wrapper recording every query.
        "DJANGO_DEBUG": "False",
        "SECRET_KEY": "bench-im-only-not-a-secret-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        # Plain HTTP on the loopback (production sits behind a TLS proxy).
        "SECURE_SSL_REDIRECT": "False",
        "LOG_LEVEL": "WARNING",
        # The benchmark sends thousands of messages from one person: the limit is checked on
        # every message (a Redis INCR) but set high enough not to refuse them.
        "INSTANT_RATE_LIMIT": "1000000/60",
        "VAR_DIR": os.environ.get("BENCH_VAR_DIR", "/tmp/totara-bench-im-var"),
        **extra,
    }


def setup() -> None:
    """Creates and migrates `bench_im`, empties users (and all that hangs off them) and sessions."""
    os.environ.update(app_env())
    base.ensure_database(DB_NAME)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0, interactive=False)
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE accounts_user, django_session CASCADE")


def create_users(count: int, prefix: str) -> list:
    """`count` active users <prefix><n> with unusable passwords, in id order."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    User = get_user_model()
    password = make_password(None)
    User.objects.bulk_create(
        [
            User(
                username=f"{prefix}{n}",
                email=f"{prefix}{n}@example.com",
                full_name=f"Bench {prefix}{n}",
                password=password,
            )
            for n in range(count)
        ],
        batch_size=1000,
    )
    return list(User.objects.filter(username__startswith=prefix).order_by("pk"))


def session_for(user) -> str:
    """A logged-in session (what django.contrib.auth.login stores); returns its key."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def csrf_token() -> str:
    """A CSRF secret: sent as the csrftoken cookie and as the X-CSRFToken header."""
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    return "".join(secrets.choice(alphabet) for _ in range(32))


def raise_fd_limit() -> int:
    """Raises this process's open-file limit to its hard limit; returns the new soft limit."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_kib(pid: int) -> int:
    """VmRSS of a process in KiB, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process (all its threads) has used, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def fd_limit(pid: int) -> int:
    """A process's soft limit on open files, from /proc."""
    for line in Path(f"/proc/{pid}/limits").read_text().splitlines():
        if line.startswith("Max open files"):
            return int(line.split()[3])
    raise RuntimeError(f"no open-file limit for {pid}")


def open_fds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


_GC_HOOK = """\
import gc
import os
import time

_log = os.environ.get("BENCH_IM_GC_LOG")
_started = [0.0]


def _timed(phase, info):
    if info["generation"] != 2:
        return
    if phase == "start":
        _started[0] = time.perf_counter()
        return
    with open(_log, "a") as log:
        log.write(f"{time.time():.3f} {time.perf_counter() - _started[0]:.6f}\\n")


if _log:
    gc.callbacks.append(_timed)
"""


class Server:
    """One uvicorn process (one worker) serving an ASGI app on the loopback.

    Started in its own session with the open-file limit raised to the hard limit; stopped by
    its pid only (SIGTERM, then SIGKILL).
    """

    def __init__(self, app: str, *, extra_args: Sequence[str] = (), env: dict | None = None):
        self.app = app
        self.port = free_port()
        self.extra_args = list(extra_args)
        self.env = {**os.environ, **app_env(), **(env or {})}
        self.proc: subprocess.Popen | None = None
        self.errors: dict[str, int] = {}  # filled by stop(): the log's exceptions, counted
        self.log = tempfile.NamedTemporaryFile(  # noqa: SIM115 (kept open for the process)
            prefix="bench-im-server-", suffix=".log", delete=False
        )
        # The server's full (generation 2) garbage collections, timed by a sitecustomize
        # module put first on its PYTHONPATH: nothing in the application changes.
        self.gc_dir = tempfile.mkdtemp(prefix="bench-im-gc-")
        self.gc_log = Path(self.gc_dir) / "gc.log"
        (Path(self.gc_dir) / "sitecustomize.py").write_text(_GC_HOOK)
        self.env["PYTHONPATH"] = os.pathsep.join(
            [self.gc_dir, *filter(None, [os.environ.get("PYTHONPATH")])]
        )
        self.env["BENCH_IM_GC_LOG"] = str(self.gc_log)

    def gc_pauses(self, since: float = 0.0, until: float = float("inf")) -> list[float]:
        """Durations (seconds) of the server's full collections that ended in [since, until]
        (time.time())."""
        if not self.gc_log.exists():
            return []
        pauses = []
        for line in self.gc_log.read_text().splitlines():
            ended, seconds = (float(x) for x in line.split()[:2])
            if since <= ended <= until:
                pauses.append(seconds)
        return pauses

    @property
    def command(self) -> list[str]:
        return [
            sys.executable,
            "-m",
            "uvicorn",
            self.app,
            "--app-dir",
            str(ROOT),
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--ws",
            "websockets-sansio",
            "--lifespan",
            "off",
            "--no-access-log",
            "--log-level",
            "warning",
            "--timeout-graceful-shutdown",
            "5",
            *self.extra_args,
        ]

    def start(self, timeout: float = 60) -> Server:
        self.proc = subprocess.Popen(
            self.command,
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            preexec_fn=raise_fd_limit,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited ({self.proc.returncode}):\n{self.log_tail()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"server not listening after {timeout} s:\n{self.log_tail()}")

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def rss_kib(self) -> int:
        return rss_kib(self.pid)

    def cpu_seconds(self) -> float:
        return cpu_seconds(self.pid)

    def log_tail(self, lines: int = 30) -> str:
        self.log.flush()
        text = Path(self.log.name).read_text(errors="replace").splitlines()
        return "\n".join(text[-lines:])

    def stop(self) -> None:
        """Stops the process (by its pid only) and removes its temporary files."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.log.close()
        self.errors = log_errors(Path(self.log.name).read_text(errors="replace"))
        Path(self.log.name).unlink(missing_ok=True)
        self.gc_log.unlink(missing_ok=True)
        (Path(self.gc_dir) / "sitecustomize.py").unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            Path(self.gc_dir).rmdir()


def log_errors(text: str) -> dict[str, int]:
    """{final exception line: count} over the tracebacks in a server log (for a chain of
    exceptions, only the last one counts)."""
    errors: dict[str, int] = {}
    lines = [line for line in text.splitlines() if line.strip()]
    in_traceback = False
    for n, line in enumerate(lines):
        if line.startswith("Traceback (most recent call last)"):
            in_traceback = True
            continue
        if in_traceback and not line.startswith(" "):
            in_traceback = False
            following = lines[n + 1] if n + 1 < len(lines) else ""
            if following.startswith(("The above exception", "During handling")):
                continue
            errors[line[:160]] = errors.get(line[:160], 0) + 1
    return errors


def report_errors(server: Server, name: str) -> None:
    if not server.errors:
        print(f"{name} log: no exceptions")
        return
    print(f"{name} log: {sum(server.errors.values()):,} exceptions:")
    for error, count in sorted(server.errors.items(), key=lambda item: -item[1])[:5]:
        print(f"  {count:6,} x {error}")


def ws_url(port: int, query: str = "") -> str:
    return f"ws://127.0.0.1:{port}/ws/" + (f"?{query}" if query else "")


def origin(port: int) -> str:
    return f"http://{ORIGIN_HOST}:{port}"


async def open_socket(
    port: int, cookie: str | None, *, compression: str | None = "deflate", query: str = ""
):
    """A WebSocket to /ws/ as a browser tab opens it: Origin header, session cookie, and
    permessage-deflate offered (browsers offer it). No client pings (browsers send none)."""
    from websockets.asyncio.client import connect

    headers = {"Cookie": cookie} if cookie else {}
    return await connect(
        ws_url(port, query),
        origin=origin(port),
        additional_headers=headers,
        compression=compression,
        proxy=None,
        ping_interval=None,
        open_timeout=60,
        close_timeout=5,
        max_queue=None,
    )


class HttpClient:
    """A keep-alive HTTP/1.1 client on one connection, as a browser tab's fetch() uses."""

    def __init__(self, port: int):
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.used = 0.0

    async def open(self) -> HttpClient:
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        self.used = time.monotonic()
        return self

    async def ensure_open(self, idle: float = 4.0) -> None:
        """Reconnects if the connection idled longer than `idle` seconds or was closed: uvicorn
        drops keep-alive connections idle for 5 s (browsers reconnect the same way)."""
        assert self.reader is not None
        if self.reader.at_eof() or time.monotonic() - self.used > idle:
            await self.close()
            await self.open()

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()

    def request_bytes(self, method: str, path: str, body: bytes, headers: dict) -> bytes:
        head = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{self.port}"]
        head += [f"{k}: {v}" for k, v in headers.items()]
        head += [f"Content-Length: {len(body)}", "Connection: keep-alive", "", ""]
        return "\r\n".join(head).encode() + body

    async def send(self, request: bytes) -> None:
        assert self.writer is not None
        self.writer.write(request)
        await self.writer.drain()

    async def response(self) -> tuple[int, bytes]:
        assert self.reader is not None
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                headers[name.strip().lower()] = value.strip()
        if "content-length" in headers:
            body = await self.reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                chunk = await self.reader.readexactly(size + 2)
                if size == 0:
                    break
                chunks.append(chunk[:-2])
            body = b"".join(chunks)
        else:
            body = b""
        self.used = time.monotonic()
        return status, body


def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile (0-100), linear interpolation between ranks (numpy's default); NaN
    for no values (a "-" in a table)."""
    return base.percentile(values, p) if values else float("nan")


def summary_ms(values: Sequence[float]) -> list[float]:
    """[p50, p90, p99, max] in milliseconds of values in seconds."""
    return [percentile(values, p) * 1000 for p in (50, 90, 99)] + [
        max(values) * 1000 if values else float("nan")
    ]


def _float_cell(value: float) -> str:
    if math.isnan(value):
        return "-"
    return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"


def table(headers: Sequence[str], rows: Iterable[Sequence]) -> str:
    """A plain-text table, numbers right-aligned; floats below 100 with 2 decimals, NaN as "-"."""
    return base.table(headers, rows, _float_cell)


def header(title: str) -> None:
    base.header(
        title,
        f"PostgreSQL {base.PG_HOST}:{base.PG_PORT}/{DB_NAME}; Redis {REDIS_URL} (prefix {PREFIX})",
    )


def redis_stat(section: str, name: str) -> int:
    """One number from Redis INFO (the whole Redis server: other clients count too)."""
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        return int(client.info(section)[name])
    finally:
        client.close()


def redis_config(name: str) -> int:
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        return int(client.config_get(name)[name])
    finally:
        client.close()


def cleanup_redis() -> int:
    """Deletes this run's keys (channel layer groups and messages, cache)."""
    return base.delete_redis_keys(REDIS_URL, f"*{PREFIX}*")
