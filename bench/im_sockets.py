"""Idle authenticated WebSockets held by one ASGI process, and push latency with all of them open.

The real ASGI application runs in one uvicorn process (one worker, open-file limit raised to the
hard limit) on PostgreSQL `bench_im` and Redis. Client processes open --sockets WebSockets to
/ws/, spread over --users users with valid sessions (a tab authenticated by its session cookie,
Origin header set, permessage-deflate offered as browsers do, no client pings). A socket counts as
held once its first frame, `counts`, has arrived. The server's VmRSS (/proc/<pid>/status) before
(after a warm-up) and after gives the memory per socket. The opening stops early, and says why,
when its share of --time-limit runs out, when the shared Redis nears maxclients (other work
uses it) or when the server nears its open-file limit.

Pushes: this process opens one more tab and sends --pushes frames to that user's group
(channel_layer.group_send, same Redis and prefix as the server, what notifications.live.push_now
sends), one after the other; latency is from group_send to this tab's receipt. Measured three
times in the same run: before any idle socket is open; with all open, to a user with no other
tab; with all open, to a user who also holds --sockets/--users idle tabs (the client processes
time those tabs too, by the wall clock in the frame). The server's full garbage collections are
logged meanwhile (a sitecustomize put on the server's PYTHONPATH; nothing in the app changes).

    .venv/bin/python bench/im_sockets.py [--sockets 10000] [--users 300] [--clients 4]

Targets: 10,000 idle sockets in one process (a minimal consumer held 10,000 at about 37 KiB
each), push p99 under 10 ms. `--server relay` runs the same against bench/im_relay.py (no
authentication or first frame; a "user" is a group named by ?group=) as a same-machine baseline.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import multiprocessing.connection
import time
from pathlib import Path

import im_common as c

REFERENCE_KIB = 37  # a minimal consumer's memory per idle socket (from the brief)
WARMUP_PUSHES = 20  # pushed first and not recorded
CLOSE_BATCH = 25  # sockets each client process closes at once,
CLOSE_PAUSE = 0.25  # then waits this long (4 processes: at most 400 closes/s)


# Client processes ------------------------------------------------------------------------------


def client_main(conn, stop, port: int, tabs: list, compression, wait_first: bool):
    c.raise_fd_limit()
    asyncio.run(_client(conn, stop, port, tabs, compression, wait_first))


async def _client(conn, stop, port, tabs, compression, wait_first, concurrency=64):
    loop = asyncio.get_running_loop()
    command = await loop.run_in_executor(None, conn.recv)
    if not isinstance(command, tuple) or command[0] != "open":
        return
    # No new connection is started after this (the open phase has a time budget).
    stop_opening = time.monotonic() + command[1]
    sockets, drains, failures, connect, push = [], [], [], [], []
    skipped = 0
    closing = False
    dropped = 0
    gate = asyncio.Semaphore(concurrency)

    async def drain(ws):
        nonlocal dropped
        try:
            async for raw in ws:
                if '"bench.push"' in raw:
                    frame = json.loads(raw)
                    if frame["seq"] >= WARMUP_PUSHES:
                        push.append(time.time() - frame["t"])
        except Exception:  # any end counts
            pass
        if not closing:
            dropped += 1

    async def one(tab):
        cookie, query = tab
        nonlocal skipped
        async with gate:
            if time.monotonic() > stop_opening or stop.is_set():
                skipped += 1
                return
            start = time.perf_counter()
            try:
                ws = await c.open_socket(port, cookie, compression=compression, query=query)
                if wait_first:
                    first = json.loads(await asyncio.wait_for(ws.recv(), 60))
                    if first.get("type") != "counts":
                        raise RuntimeError(f"first frame {first!r}")
            except Exception as error:  # reported to the parent
                failures.append(repr(error)[:300])
                return
            connect.append(time.perf_counter() - start)
            sockets.append(ws)
            drains.append(asyncio.create_task(drain(ws)))

    start = time.perf_counter()
    await asyncio.gather(*(one(tab) for tab in tabs))
    conn.send(
        {
            "opened": len(sockets),
            "failed": len(failures),
            "skipped": skipped,
            "failures": failures[:3],
            "connect": connect,
            "seconds": time.perf_counter() - start,
        }
    )
    await loop.run_in_executor(None, conn.recv)  # "close"
    alive = sum(1 for ws in sockets if ws.state.name == "OPEN")
    closing = True
    start = time.perf_counter()
    # Paced: each disconnect makes the server borrow a Redis connection from channels-redis's
    # pool, which grows to as many as are pending at once; unpaced, a mass close pushed the
    # shared Redis past maxclients (see the README).
    for at in range(0, len(sockets), CLOSE_BATCH):
        batch = sockets[at : at + CLOSE_BATCH]
        await asyncio.gather(*(ws.close() for ws in batch), return_exceptions=True)
        await asyncio.sleep(CLOSE_PAUSE)
    seconds = time.perf_counter() - start
    for task in drains:
        task.cancel()
    await asyncio.gather(*drains, return_exceptions=True)
    conn.send(
        {"alive": alive, "dropped": dropped, "push": push, "close_seconds": seconds},
    )


class Clients:
    """--clients processes, each holding its share of the sockets."""

    def __init__(self, count: int, port: int, tabs: list, compression, wait_first: bool):
        context = multiprocessing.get_context("spawn")
        self.procs, self.conns = [], []
        self.stop_opening = context.Event()
        for n in range(count):
            parent, child = context.Pipe()
            share = tabs[n::count]
            proc = context.Process(
                target=client_main,
                args=(child, self.stop_opening, port, share, compression, wait_first),
                daemon=True,
            )
            proc.start()
            self.procs.append(proc)
            self.conns.append(parent)

    def command(self, word, timeout: float, watch=None) -> list[dict]:
        """Sends `word` to every client and collects their answers; `watch()` runs about once
        a second meanwhile."""
        for conn in self.conns:
            conn.send(word)
        deadline = time.monotonic() + timeout
        replies: dict[int, dict] = {}
        while len(replies) < len(self.conns):
            if time.monotonic() > deadline:
                raise TimeoutError(f"client processes did not answer {word!r} in {timeout} s")
            for n, conn in enumerate(self.conns):
                if n not in replies and conn.poll(0):
                    replies[n] = conn.recv()
            if watch is not None:
                watch()
            if len(replies) < len(self.conns):
                multiprocessing.connection.wait(self.conns, timeout=1)
        return [replies[n] for n in range(len(self.conns))]

    def stop(self) -> None:
        for proc in self.procs:
            proc.join(timeout=10)
            if proc.is_alive():
                proc.terminate()
                proc.join(timeout=5)


# The run ---------------------------------------------------------------------------------------


def redis_clients() -> int:
    import redis

    client = redis.Redis.from_url(c.REDIS_URL)
    try:
        return int(client.info("clients")["connected_clients"])
    finally:
        client.close()


async def warm_up(port: int, tabs: list, wait_first: bool) -> None:
    """Opens and closes a few sockets, so imports, pools and caches are in the baseline."""
    sockets = []
    for cookie, query in tabs:
        ws = await c.open_socket(port, cookie, query=query)
        if wait_first:
            await asyncio.wait_for(ws.recv(), 30)
        sockets.append(ws)
    for ws in sockets:
        await ws.close()


async def measure_push(port: int, tab: tuple, group: str, pushes: int, relay: bool):
    """Pushes to `group` one frame at a time; returns the latencies (s) at this process's tab.

    The app: channel_layer.group_send(user group, {"type": "push", "frame": ...}), what
    notifications.live.push_now sends. The relay: the same frame through its relay.frame type.
    """
    from channels.layers import get_channel_layer
    from channels_redis.core import RedisChannelLayer
    from django.conf import settings

    if relay:
        config = {**settings.CHANNEL_LAYERS["default"]["CONFIG"]}
        config["prefix"] = c.RELAY_CHANNELS_PREFIX
        layer = RedisChannelLayer(**config)
    else:
        layer = get_channel_layer()
    cookie, query = tab
    ws = await c.open_socket(port, cookie, query=query)
    if not relay:
        first = json.loads(await asyncio.wait_for(ws.recv(), 30))
        assert first["type"] == "counts", first
    latencies = []
    try:
        for seq in range(pushes + WARMUP_PUSHES):
            frame = {"type": "bench.push", "seq": seq, "t": time.time()}
            if relay:
                event = {"type": "relay.frame", "text": json.dumps(frame)}
            else:
                event = {"type": "push", "frame": frame}
            start = time.perf_counter()
            await layer.group_send(group, event)
            while True:
                got = json.loads(await asyncio.wait_for(ws.recv(), 10))
                if got.get("type") == "bench.push" and got["seq"] == seq:
                    break
            if seq >= WARMUP_PUSHES:
                latencies.append(time.perf_counter() - start)
    finally:
        await ws.close()
        if relay:
            await layer.close_pools()
    return latencies


class Watch:
    """Runs while sockets open: prints progress every 10 s, and stops the opening before the
    shared Redis runs out of client slots (other work uses it too) or the server runs out of
    file descriptors."""

    # Client slots left free on the shared Redis: closing needs some (see CLOSE_BATCH).
    HEADROOM = 1000

    def __init__(self, server: c.Server, clients: Clients):
        self.server = server
        self.clients = clients
        self.started = time.monotonic()
        self.printed = self.started
        self.max_redis = c.redis_config("maxclients")
        self.max_fds = c.fd_limit(server.pid)
        self.reason = ""

    def __call__(self) -> None:
        redis_now = redis_clients()
        fds = c.open_fds(self.server.pid)
        if not self.reason:
            if redis_now > self.max_redis - self.HEADROOM:
                self.reason = f"Redis has {redis_now:,} clients of maxclients {self.max_redis:,}"
            elif fds > self.max_fds - self.HEADROOM:
                self.reason = f"the server has {fds:,} files open of its limit {self.max_fds:,}"
            if self.reason:
                print(f"  stopping the opening: {self.reason}", flush=True)
                self.clients.stop_opening.set()
        if time.monotonic() - self.printed >= 10:
            self.printed = time.monotonic()
            print(
                f"  {self.printed - self.started:4.0f} s: server {fds:,} files open, "
                f"{self.server.rss_kib() / 1024:,.0f} MiB; Redis {redis_now:,} clients; "
                f"load {c.load_average()}",
                flush=True,
            )


def settled_rss(server: c.Server, seconds: float = 6) -> int:
    """RSS once it stops moving (sampled every second, at most `seconds`)."""
    last = server.rss_kib()
    for _ in range(int(seconds)):
        time.sleep(1)
        now = server.rss_kib()
        if abs(now - last) < 256:
            return now
        last = now
    return last


class Pushes:
    """One push measurement: latencies at this process's tab, the server's full GCs meanwhile."""

    def __init__(self, label: str, tabs: int):
        self.label = label
        self.tabs = tabs
        self.latencies: list[float] = []
        self.gc: list[float] = []
        self.seconds = 0.0

    def run(self, server: c.Server, tab: tuple, group: str, count: int, limit: float, relay):
        started, wall = time.perf_counter(), time.time()
        self.latencies = asyncio.run(
            asyncio.wait_for(measure_push(server.port, tab, group, count, relay), limit)
        )
        self.seconds = time.perf_counter() - started
        self.gc = server.gc_pauses(wall, time.time())
        return self

    def row(self) -> tuple:
        gc = f"{len(self.gc)} ({max(self.gc, default=0) * 1000:,.0f} ms)"
        return (self.label, self.tabs, len(self.latencies), *c.summary_ms(self.latencies), gc)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sockets", type=int, default=10_000)
    parser.add_argument("--users", type=int, default=300)
    parser.add_argument("--clients", type=int, default=4, help="client processes (default 4)")
    parser.add_argument("--pushes", type=int, default=1000)
    parser.add_argument("--no-deflate", action="store_true", help="clients offer no compression")
    parser.add_argument("--server", choices=["app", "relay"], default="app")
    parser.add_argument(
        "--time-limit",
        type=float,
        default=300,
        help="seconds for the whole run (default 300); opening stops when its share runs out",
    )
    args = parser.parse_args()
    deadline = time.monotonic() + args.time_limit
    compression = None if args.no_deflate else "deflate"
    is_app = args.server == "app"
    per_user = -(-args.sockets // args.users)

    c.raise_fd_limit()
    c.setup()
    # The last user holds no idle socket: pushes to it reach this process's tab only.
    # A tab is (cookie, query string); the relay's "users" are groups named by ?group=.
    if is_app:
        from notifications import live

        *users, solo = c.create_users(args.users + 1, "im-sock-")
        tab_of = {u.pk: (f"{c.SESSION_COOKIE}={c.session_for(u)}", "") for u in [*users, solo]}
        group_of = {u.pk: live.group_name(u.pk) for u in [*users, solo]}
    else:
        *users, solo = range(args.users + 1)
        tab_of = {n: (None, f"group=u{n}") for n in [*users, solo]}
        group_of = {n: f"u{n}" for n in [*users, solo]}
    key = (lambda u: u.pk) if is_app else (lambda u: u)
    tabs = [tab_of[key(users[n % len(users)])] for n in range(args.sockets)]
    busy = users[0]
    c.header(f"Instant messaging: {args.sockets:,} idle sockets in one ASGI process")
    if is_app:
        server = c.Server("totara_messaging.asgi:application")
    else:
        server = c.Server(
            "bench.im_relay:application", env={"CHANNELS_PREFIX": c.RELAY_CHANNELS_PREFIX}
        )
    print(f"server: {' '.join(server.command)}")
    print(
        f"{args.sockets:,} sockets over {len(users)} users (up to {per_user} each), "
        f"{args.clients} client processes, compression offered: {compression}"
    )
    clients = None
    pushes: list[Pushes] = []
    try:
        server.start()
        asyncio.run(warm_up(server.port, [tab_of[key(u)] for u in users[-20:]], is_app))
        # The same pushes with no other socket open: this machine's floor, same run.
        idle = Pushes("no other socket open", 1)
        pushes.append(
            idle.run(server, tab_of[key(solo)], group_of[key(solo)], args.pushes, 120, not is_app)
        )
        clients = Clients(args.clients, server.port, tabs, compression, is_app)
        time.sleep(1)
        redis_before = redis_clients()
        rss_before = settled_rss(server)
        fds_before = c.open_fds(server.pid)

        # Keep time for settling, the loaded pushes (2 x 3x the idle ones), closing, stopping.
        reserve = 75 + 6 * pushes[0].seconds
        budget = deadline - time.monotonic() - reserve
        print(f"opening for at most {budget:.0f} s (load {c.load_average()})", flush=True)
        cpu_before = server.cpu_seconds()
        started, open_started = time.perf_counter(), time.time()
        watch = Watch(server, clients)
        opened = clients.command(("open", budget), timeout=max(budget, 0) + 90, watch=watch)
        open_seconds = time.perf_counter() - started
        open_cpu = server.cpu_seconds() - cpu_before
        gc_open = server.gc_pauses(open_started, time.time())
        held = sum(r["opened"] for r in opened)
        failed = sum(r["failed"] for r in opened)
        skipped = sum(r["skipped"] for r in opened)
        connect = [t for r in opened for t in r["connect"]]
        for r in opened:
            for failure in r["failures"]:
                print(f"  failure: {failure}")
        rss_after = settled_rss(server)
        fds_after = c.open_fds(server.pid)
        redis_after = redis_clients()
        per_socket = (rss_after - rss_before) / max(held, 1)
        cpu = server.cpu_seconds()
        time.sleep(5)
        idle_cpu = (server.cpu_seconds() - cpu) / 5
        print(f"{held:,} open after {open_seconds:.0f} s; pushing", flush=True)

        for label, user, count in (
            (f"{held:,} open, a user with no other tab", solo, 1),
            (f"{held:,} open, a user with {per_user} other tabs", busy, per_user + 1),
        ):
            limit = max(10.0, (deadline - time.monotonic() - 25) / 2)
            measured = Pushes(label, count)
            pushes.append(
                measured.run(
                    server, tab_of[key(user)], group_of[key(user)], args.pushes, limit, not is_app
                )
            )
        rss_pushed = server.rss_kib()
        errors_before_close = sum(c.log_errors(Path(server.log.name).read_text()).values())
        closed = clients.command("close", timeout=max(10.0, deadline - time.monotonic() - 10))
        alive = sum(r["alive"] for r in closed)
        dropped = sum(r["dropped"] for r in closed)
        close_seconds = max(r["close_seconds"] for r in closed)
        other_tabs = [t for r in closed for t in r["push"]]
    except BaseException:
        print("server log:\n" + server.log_tail())
        raise
    finally:
        if clients is not None:
            clients.stop()
        server.stop()
        c.cleanup_redis()

    print()
    rows = [
        ("sockets requested", args.sockets, ""),
        ("sockets held (first frame received)", held, f"{failed:,} failed"),
        (
            "not attempted",
            skipped,
            watch.reason or ("the open phase's time ran out" if skipped else ""),
        ),
        ("still open before closing", alive, f"{dropped:,} closed by the server"),
        ("open phase, s", open_seconds, f"{held / open_seconds:,.0f} sockets/s"),
        (
            "server CPU per connect, ms",
            open_cpu / max(held, 1) * 1000,
            f"= at most {held / max(open_cpu, 1e-9):,.0f} sockets/s on a free core",
        ),
        ("connect + first frame p50, ms", c.percentile(connect, 50) * 1000, "64 at once/client"),
        ("connect + first frame p99, ms", c.percentile(connect, 99) * 1000, ""),
        (
            "server full GCs while opening",
            len(gc_open),
            f"longest {max(gc_open, default=0) * 1000:,.0f} ms",
        ),
        ("server RSS before, MiB", rss_before / 1024, "after a 20-socket warm-up"),
        ("server RSS with all open, MiB", rss_after / 1024, ""),
        ("server RSS after the pushes, MiB", rss_pushed / 1024, ""),
        ("memory per socket, KiB", per_socket, f"reference: minimal consumer ~{REFERENCE_KIB}"),
        (
            "server CPU with all open and idle, %",
            idle_cpu * 100,
            "of one core, over 5 s (uvicorn pings each socket every 20 s)",
        ),
        ("server open files", fds_after, f"{fds_before:,} before"),
        ("Redis connected clients (whole server)", redis_after, f"{redis_before:,} before"),
        ("closing all, s", close_seconds, ""),
    ]
    print(c.table(["measure", "value", "note"], rows))
    print()
    print(
        c.table(
            [
                "push: group_send -> this tab",
                "user's tabs",
                "n",
                "p50 ms",
                "p90 ms",
                "p99 ms",
                "max ms",
                "full GCs in phase (longest)",
            ],
            [p.row() for p in pushes],
        )
    )
    others = c.summary_ms(other_tabs)
    print(
        f"the same pushes at that user's other {per_user} tabs (wall clock, n="
        f"{len(other_tabs):,}): p50 {others[0]:.2f} ms, p99 {others[2]:.2f} ms, "
        f"max {others[3]:.2f} ms"
    )
    c.report_errors(server, "server")
    if server.errors:
        print(f"  ({errors_before_close:,} of them before the clients started closing)")
    verdicts = c.Verdicts()
    verdicts.check(
        f"{args.sockets:,} idle sockets held by one process",
        held == args.sockets and alive == args.sockets,
        f"{held:,} held ({held / open_seconds:,.0f}/s over {open_seconds:.0f} s), "
        f"{alive:,} still open at the end, {failed:,} failed, {skipped:,} not attempted",
    )
    idle_p99 = c.percentile(pushes[0].latencies, 99) * 1000
    for p in pushes[1:]:
        p99 = c.percentile(p.latencies, 99) * 1000
        verdicts.check(
            f"push p99 under 10 ms ({p.label})",
            p99 < 10,
            f"{p99:.2f} ms ({idle_p99:.2f} ms with no other socket open, same run)",
        )
    print(
        f"\nINFO  memory per socket: {per_socket:.1f} KiB "
        f"({per_socket / REFERENCE_KIB:.1f}x a minimal consumer's ~{REFERENCE_KIB} KiB)"
    )
    verdicts.report()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
