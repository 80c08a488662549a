"""Message latency from A to B through channels-redis, against a minimal Channels relay.

The real ASGI application runs in its own uvicorn process (one worker) on PostgreSQL `bench_im`
and Redis; users A and B (privacy "site") share a one-to-one conversation and each has a tab
open (a WebSocket to /ws/ authenticated by a session cookie). A sends messages one after the
other, as a client does, and the time until B's socket receives the matching `message.new`
frame is measured three ways:

  socket  A's socket sends a `message.send` frame -> B receives. The whole path from A's socket,
          as the issue asks: the consumer parses the frame, checks membership, the rules and
          the rate, INSERT + 2 UPDATEs + COMMIT, then group_send through Redis to B.
  http    A's POST /api/conversations/<id>/messages/ is written to the socket -> B receives.
          The whole path: HTTP parsing, middleware (session, CSRF, auth), permission checks,
          rate check, INSERT + 3 UPDATEs + COMMIT, then group_send through Redis to B's consumer.
  stamp   the same messages, from the message's created_at (stamped inside send_message before
          its INSERT, in the server process; wall clock) -> B receives. Leaves out HTTP,
          middleware and permission checks; keeps the writes, the commit and the push.
  commit  actions.send_message called in this process (same database, same Redis layer and
          prefix), from its COMMIT (an on_commit hook registered before send_message's own)
          -> B receives: only the push (group_send, Redis, B's consumer in the server, socket).

Baseline, same run, interleaved in rounds with the above: bench/im_relay.py served the same way
(uvicorn, same channel layer settings and Redis); A's socket sends a frame of about the same
size, B's socket receives it from the group. Sends are sequential: the next message goes once
B has received the previous one (and, for http, A has its response).

    .venv/bin/python bench/im_latency.py [--messages 2000] [--rounds 10]

Target: our p99 within 2x of the relay's p99.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from datetime import datetime

import im_common as c

WAIT = 10.0  # seconds for one delivery before the run is declared broken
PAD = "lorem ipsum dolor sit amet " * 2
KINDS = ("relay", "socket", "http", "commit")


def prepare() -> dict:
    c.setup()
    from instant import actions
    from instant.models import Privacy

    a, b = c.create_users(2, "im-lat-")
    for user in (a, b):
        actions.set_privacy(user, Privacy.SITE)
    conversation, _ = actions.start_conversation(a, [b.pk])
    return {
        "a": a,
        "b": b,
        "conversation": conversation.pk,
        "session_a": c.session_for(a),
        "session_b": c.session_for(b),
        "csrf": c.csrf_token(),
    }


def send_committed(ctx: dict, body: str) -> float:
    """Sends through actions.send_message here; returns perf_counter() at its COMMIT."""
    from django.db import transaction

    from instant import actions

    mark = {}
    with transaction.atomic():
        # Registered first, so it runs first after COMMIT, before send_message's pushes.
        transaction.on_commit(lambda: mark.setdefault("t", time.perf_counter()))
        actions.send_message(ctx["a"], ctx["conversation"], body)
    return mark["t"]


class Run:
    def __init__(self, ctx: dict, app: c.Server, relay: c.Server, kinds=KINDS):
        self.ctx = ctx
        self.kinds = kinds
        self.app = app
        self.relay = relay
        self.pending: dict[str, asyncio.Future] = {}
        self.results: dict[str, list[float]] = {
            "socket": [],
            "http": [],
            "stamp": [],
            "commit": [],
            "relay": [],
            "post": [],
        }
        self.seq = 0
        self.tasks: list[asyncio.Task] = []
        self.frame_bytes: dict[str, list[int]] = {"ours": [], "relay": []}
        # CPU seconds the serving process used during each kind's recorded blocks.
        self.cpu: dict[str, float] = {"socket": 0.0, "http": 0.0, "commit": 0.0, "relay": 0.0}
        # Connections Redis accepted during each kind's recorded blocks (whole Redis server).
        self.redis_connections: dict[str, int] = dict.fromkeys(self.cpu, 0)
        self.redis_commands: dict[str, int] = dict.fromkeys(self.cpu, 0)

    def expect(self, tag: str) -> asyncio.Future:
        future = asyncio.get_running_loop().create_future()
        self.pending[tag] = future
        return future

    def deliver(self, tag: str, value) -> None:
        future = self.pending.pop(tag, None)
        if future is not None and not future.done():
            future.set_result(value)

    async def read_b(self, ws) -> None:
        async for raw in ws:
            now, wall = time.perf_counter(), time.time()
            frame = json.loads(raw)
            if frame.get("type") == "message.new":
                self.frame_bytes["ours"].append(len(raw))
                self.deliver(frame["message"]["body"].split()[1], (now, wall, frame))

    async def read_relay_b(self, ws) -> None:
        async for raw in ws:
            now = time.perf_counter()
            self.frame_bytes["relay"].append(len(raw))
            self.deliver(json.loads(raw)["tag"], (now, None, None))

    @staticmethod
    async def drain(ws) -> None:
        async for _ in ws:
            pass

    async def open(self) -> None:
        ctx = self.ctx
        self.b = await c.open_socket(self.app.port, f"{c.SESSION_COOKIE}={ctx['session_b']}")
        self.a = await c.open_socket(self.app.port, f"{c.SESSION_COOKIE}={ctx['session_a']}")
        for ws in (self.a, self.b):
            first = json.loads(await asyncio.wait_for(ws.recv(), WAIT))
            assert first["type"] == "counts", first
        self.ra = await c.open_socket(self.relay.port, None)
        self.rb = await c.open_socket(self.relay.port, None)
        self.http = await c.HttpClient(self.app.port).open()
        self.tasks = [
            asyncio.create_task(self.read_b(self.b)),
            asyncio.create_task(self.drain(self.a)),
            asyncio.create_task(self.read_relay_b(self.rb)),
            asyncio.create_task(self.drain(self.ra)),
        ]
        self.path = f"/api/conversations/{ctx['conversation']}/messages/"
        self.headers = {
            "Cookie": (f"{c.SESSION_COOKIE}={ctx['session_a']}; {c.CSRF_COOKIE}={ctx['csrf']}"),
            "X-CSRFToken": ctx["csrf"],
            "Origin": c.origin(self.app.port),
            "Content-Type": "application/json",
            "Accept": "application/json",
        }

    async def close(self) -> None:
        for ws in (self.a, self.b, self.ra, self.rb):
            await ws.close()
        await self.http.close()
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)

    def next_tag(self, kind: str) -> str:
        self.seq += 1
        return f"{kind}-{self.seq}"

    async def one_http(self, record: bool) -> None:
        tag = self.next_tag("http")
        body = json.dumps({"body": f"bench {tag} {PAD}"}).encode()
        request = self.http.request_bytes("POST", self.path, body, self.headers)
        await self.http.ensure_open()
        received = self.expect(tag)
        start = time.perf_counter()
        await self.http.send(request)
        status, reply = await asyncio.wait_for(self.http.response(), WAIT)
        answered = time.perf_counter()
        if status != 201:
            raise RuntimeError(f"POST {self.path} answered {status}: {reply[:300]!r}")
        now, wall, frame = await asyncio.wait_for(received, WAIT)
        if record:
            created = datetime.fromisoformat(frame["message"]["created_at"]).timestamp()
            self.results["http"].append(now - start)
            self.results["post"].append(answered - start)
            self.results["stamp"].append(wall - created)

    async def one_socket(self, record: bool) -> None:
        tag = self.next_tag("socket")
        frame = json.dumps(
            {
                "type": "message.send",
                "conversation": self.ctx["conversation"],
                "body": f"bench {tag} {PAD}",
                "ref": tag,
            }
        )
        received = self.expect(tag)
        start = time.perf_counter()
        await self.a.send(frame)
        now, _, _ = await asyncio.wait_for(received, WAIT)
        if record:
            self.results["socket"].append(now - start)

    async def one_commit(self, record: bool) -> None:
        from asgiref.sync import sync_to_async

        tag = self.next_tag("commit")
        received = self.expect(tag)
        committed = await sync_to_async(send_committed)(self.ctx, f"bench {tag} {PAD}")
        now, _, _ = await asyncio.wait_for(received, WAIT)
        if record:
            self.results["commit"].append(now - committed)

    async def one_relay(self, record: bool) -> None:
        tag = self.next_tag("relay")
        body = f"bench {tag} {PAD}"
        frame = json.dumps(
            {
                "type": "message.new",
                "tag": tag,
                "conversation": self.ctx["conversation"],
                "message": {
                    "id": self.seq,
                    "sender_name": "Bench im-lat-0",
                    "body": body,
                    "body_html": f"<p>{body}</p>",
                    "created_at": datetime.now().astimezone().isoformat(),
                },
            }
        )
        received = self.expect(tag)
        start = time.perf_counter()
        await self.ra.send(frame)
        now, _, _ = await asyncio.wait_for(received, WAIT)
        if record:
            self.results["relay"].append(now - start)

    async def block(self, kind: str, count: int, record: bool = True) -> None:
        step = {
            "socket": self.one_socket,
            "http": self.one_http,
            "commit": self.one_commit,
            "relay": self.one_relay,
        }[kind]
        server = self.relay if kind == "relay" else self.app
        cpu = server.cpu_seconds()
        connections = c.redis_stat("stats", "total_connections_received")
        commands = c.redis_stat("stats", "total_commands_processed")
        for _ in range(count):
            await step(record)
        if record:
            self.cpu[kind] += server.cpu_seconds() - cpu
            self.redis_connections[kind] += (
                c.redis_stat("stats", "total_connections_received") - connections
            )
            # Less the two INFO calls of this measurement.
            self.redis_commands[kind] += (
                c.redis_stat("stats", "total_commands_processed") - commands - 2
            )

    async def run(self, messages: int, rounds: int, warmup: int) -> None:
        await self.open()
        try:
            kinds = self.kinds
            for kind in kinds:
                await self.block(kind, warmup, record=False)
            per_round = messages // rounds
            # Each kind goes first, second... in turn, so none always follows the same one.
            orders = [kinds[i:] + kinds[:i] for i in range(len(kinds))]
            for r in range(rounds):
                for kind in orders[r % len(orders)]:
                    await self.block(kind, per_round)
                print(f"  round {r + 1}/{rounds} done (load {c.load_average()})", flush=True)
        finally:
            await self.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=2000, help="per path (default 2000)")
    parser.add_argument("--rounds", type=int, default=10, help="interleaved rounds (default 10)")
    parser.add_argument("--warmup", type=int, default=50, help="unrecorded sends per path")
    parser.add_argument(
        "--paths",
        default=",".join(KINDS),
        help="comma-separated, of " + ", ".join(KINDS) + " (default all; relay always runs)",
    )
    parser.add_argument("--time-limit", type=float, default=900, help="seconds (default 900)")
    args = parser.parse_args()
    kinds = ("relay", *(k for k in KINDS if k in args.paths.split(",") and k != "relay"))

    ctx = prepare()
    c.header("Instant messaging: latency from A to B")
    app = c.Server("totara_messaging.asgi:application")
    relay = c.Server("bench.im_relay:application", env={"CHANNELS_PREFIX": c.RELAY_CHANNELS_PREFIX})
    print(f"app server:   {' '.join(app.command)}")
    print(f"relay server: {' '.join(relay.command)}")
    run = Run(ctx, app, relay, kinds)
    started = time.perf_counter()
    try:
        app.start()
        relay.start()
        asyncio.run(
            asyncio.wait_for(run.run(args.messages, args.rounds, args.warmup), args.time_limit)
        )
    except BaseException:
        print("app server log:\n" + app.log_tail())
        print("relay server log:\n" + relay.log_tail())
        raise
    finally:
        app.stop()
        relay.stop()
        c.cleanup_redis()
    elapsed = time.perf_counter() - started

    r = run.results
    print()
    print(
        f"{args.messages:,} sends per path in {args.rounds} interleaved rounds, "
        f"{elapsed:.0f} s; frame sizes: ours ~{max(run.frame_bytes['ours'])} B, "
        f"relay ~{max(run.frame_bytes['relay'])} B"
    )
    rows = [
        ("relay: A socket -> B socket (baseline)", r["relay"]),
        ("ours socket: A message.send -> B socket", r["socket"]),
        ("ours http: A POST sent -> B socket", r["http"]),
        ("ours stamp: created_at in send_message -> B", r["stamp"]),
        ("ours commit: send_message COMMIT -> B", r["commit"]),
        ("(info) A POST sent -> A has 201 response", r["post"]),
    ]
    relay_p99 = c.percentile(r["relay"], 99)
    print(
        c.table(
            ["path", "n", "p50 ms", "p90 ms", "p99 ms", "max ms", "p99 / relay p99"],
            [
                (name, len(values), *c.summary_ms(values), c.percentile(values, 99) / relay_p99)
                for name, values in rows
                if values
            ],
        )
    )
    print()
    print(
        c.table(
            ["per send", "server CPU ms", "new Redis connections", "Redis commands"],
            [
                (
                    label,
                    run.cpu[key] / len(r[key]) * 1000,
                    run.redis_connections[key] / len(r[key]),
                    run.redis_commands[key] / len(r[key]),
                )
                for key, label in (
                    ("relay", "relay: per relayed frame (relay server)"),
                    ("socket", "socket: per message (app server)"),
                    ("http", "http: per message (app server)"),
                    ("commit", "commit: per message sent here (app server: push side only)"),
                )
                if r[key]
            ],
        )
    )
    print(
        "server CPU: user+sys of the serving process, all threads (/proc/<pid>/stat); new Redis\n"
        "connections, commands: Redis INFO total_connections_received, total_commands_processed\n"
        "(the whole Redis server, shared with other work: a floor of noise; commit's commands\n"
        "include this process's own group_sends)"
    )
    c.report_errors(app, "app server")
    c.report_errors(relay, "relay server")
    verdicts = c.Verdicts()
    for key, label in (
        ("socket", "whole path from A's socket"),
        ("http", "whole path (HTTP POST)"),
        ("commit", "commit -> receipt"),
    ):
        if not r[key]:
            continue
        ratio = c.percentile(r[key], 99) / relay_p99
        verdicts.check(
            f"ours p99 within 2x of the relay's p99, {label}",
            ratio <= 2,
            f"{c.percentile(r[key], 99) * 1000:.2f} ms vs {relay_p99 * 1000:.2f} ms = {ratio:.2f}x",
        )
    verdicts.report()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
