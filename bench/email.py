"""Email: 10,000 messages through a real Celery worker to a local SMTP server.

send("forums.post", <10,000 users>) with only the email output (web off site-wide; nobody
logged in, so the type's logged-off email default applies). A Celery worker (a subprocess on
the `bench` database and its own queue, EMAIL_ESP=smtp) claims and delivers the outbox rows to
an aiosmtpd server in this process (tests/smtp.py's Controller and Inbox, with a handler that
stores raw messages instead of parsing each one). Timed from send() until the server holds
10,000 messages; each recipient must get exactly one.

Baseline: the same 10,000 messages (the same send() into the outbox, with no task queued),
built by notifications.email.build_message beforehand, then sent by one
`connection.send_messages(messages)` over one SMTP connection to the same server. It runs in a
child process, like the worker, so the sender never shares this process's GIL with the SMTP
server; once before and once after the worker, and its rate is taken over both runs.

Target: the worker at no less than half the plain loop's rate (send only; the rate of building
+ sending in the loop is shown too).

    .venv/bin/python bench/email.py [--pool prefork|solo|both] [--count 10000]

The default worker is `-P prefork --concurrency 2` (this machine has 2 cores); `--pool solo` runs
`-P solo` instead, `--pool both` runs one after the other.
"""

from __future__ import annotations

import argparse
import time

import common
import mailing

KEY = "forums.post"
TARGET = 0.5
WARM_UP = 500
URL = "/forums/discussion/2"
POST = (
    "Thanks everyone for the first week. A few reminders before Friday's session: read "
    "chapter two, bring one question about the case study, and check the updated schedule "
    "in the course page. If you cannot attend, post your question here and we will answer "
    "it in the recording. "
) * 2


def worker_run(pool: str, inbox, user_ids: list[int], context: dict) -> dict:
    from django.contrib.auth import get_user_model
    from django.db.models import Count

    from notifications import send
    from notifications.models import EmailDelivery

    User = get_user_model()
    process, _ = mailing.start_worker(pool)
    try:
        # Warm-up: imports, templates, connections in every worker process.
        mailing.clear(inbox)
        warm = User.objects.filter(pk__in=user_ids[:WARM_UP])
        send(KEY, warm, context=context, url="/forums/discussion/1")
        mailing.wait_for(inbox, WARM_UP, 120)
        time.sleep(1)  # the warm-up's other tasks find nothing left and finish
        mailing.clear(inbox)

        recipients = User.objects.filter(pk__range=(user_ids[0], user_ids[-1]))
        start = time.perf_counter()
        result = send(KEY, recipients, context=context, url=URL)
        sent_call = time.perf_counter() - start
        assert result.outputs == {"web": 0, "email": len(user_ids), "push": 0}, result
        mailing.wait_for(inbox, 1, 60)
        first = time.perf_counter() - start
        mailing.wait_for(inbox, len(user_ids), 600)
        elapsed = time.perf_counter() - start
        rows = EmailDelivery.objects.filter(event_id=result.event_id)
        deadline = time.monotonic() + 30
        while rows.exclude(status="sent").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        all_sent = time.perf_counter() - start
        statuses = dict(rows.values_list("status").annotate(n=Count("id")).order_by())
    finally:
        mailing.stop_worker(process)
    mailing.check_messages(inbox, len(user_ids), KEY)
    return {
        "event_id": result.event_id,
        "send_call": sent_call,
        "first": first,
        "elapsed": elapsed,
        "all_sent": all_sent,
        "statuses": statuses,
    }


def main(args) -> bool:
    controller, inbox = mailing.start_smtp_server()
    try:
        common.setup(EMAIL_ESP="smtp", EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(controller.port))
        return run(args, inbox, controller.port)
    finally:
        controller.stop()
        common.cleanup_redis()


def outbox_only(user_ids: list[int], context: dict) -> int:
    """The baseline's messages: the same send() into the outbox, with no task queued for it
    (`notifications.email.enqueue` is a no-op meanwhile), so no worker ever touches its rows."""
    from django.contrib.auth import get_user_model

    from notifications import email, send

    recipients = get_user_model().objects.filter(pk__range=(user_ids[0], user_ids[-1]))
    enqueue = email.enqueue
    email.enqueue = lambda *args, **kwargs: True
    try:
        result = send(KEY, recipients, context=context, url=URL)
    finally:
        email.enqueue = enqueue
    assert result.outputs["email"] == len(user_ids), result
    return result.event_id


def run(args, inbox, port: int) -> bool:
    from notifications import catalogue
    from notifications.factories import context_for
    from notifications.models import SiteOutput

    common.header("email: 10,000 messages through a Celery worker to SMTP")
    SiteOutput.objects.filter(output="web").update(enabled=False)
    user_ids = common.create_users(args.count, prefix="mail")
    placeholders = [p.name for p in catalogue.get(KEY).placeholders]
    context = context_for(
        KEY,
        forum="Team forum",
        discussion="Week one: questions and answers",
        author="Ann Author",
        post=POST,
        course="Safety 101",
    )
    print(f"placeholders of {KEY}: {', '.join(placeholders)}; SMTP server 127.0.0.1:{port}")
    pools = ["prefork", "solo"] if args.pool == "both" else [args.pool]
    # The plain loop runs before and after the worker, so load from other work on the machine
    # is less likely to favour one side; its rate is taken over both runs.
    baseline_event = outbox_only(user_ids, context)
    loops = [mailing.plain_loop(inbox, baseline_event, args.count, KEY)]
    runs = {pool: worker_run(pool, inbox, user_ids, context) for pool in pools}
    loops.append(mailing.plain_loop(inbox, baseline_event, args.count, KEY))

    n = args.count
    send_rate = common.rate(n * len(loops), sum(loop["send"] for loop in loops))
    build_send_rate = common.rate(
        n * len(loops), sum(loop["build"] + loop["send"] for loop in loops)
    )
    rows = []
    for pool, r in runs.items():
        workers = "prefork, 2 processes" if pool == "prefork" else "solo, 1 process"
        rate = common.rate(n, r["elapsed"])
        rows.append(
            [
                f"Celery worker ({workers})",
                f"{r['elapsed']:.2f}",
                f"{rate:,.0f}",
                f"{rate / send_rate:.2f}",
                f"{rate / build_send_rate:.2f}",
                f"send() {r['send_call']:.2f} s, first mail {r['first']:.2f} s, "
                f"all rows sent {r['all_sent']:.2f} s",
            ]
        )
    for when, loop in zip(("before", "after"), loops, strict=True):
        rows.append(
            [
                f"plain loop {when}: send_messages",
                f"{loop['send']:.2f}",
                f"{common.rate(n, loop['send']):,.0f}",
                f"{common.rate(n, loop['send']) / send_rate:.2f}",
                "",
                f"pre-built; one connection; ~{loop['size'] / 1024:.1f} KiB per message",
            ]
        )
    for when, loop in zip(("before", "after"), loops, strict=True):
        both = loop["build"] + loop["send"]
        rows.append(
            [
                f"plain loop {when}: build + send",
                f"{both:.2f}",
                f"{common.rate(n, both):,.0f}",
                "",
                f"{common.rate(n, both) / build_send_rate:.2f}",
                f"build_message {loop['build']:.2f} s + send {loop['send']:.2f} s",
            ]
        )
    print()
    print(
        f"baseline (1.00) = both plain loops together: send_messages {send_rate:,.0f} msg/s, "
        f"build + send {build_send_rate:,.0f} msg/s"
    )
    print(common.table(["method", "s", "msg/s", "vs send loop", "vs build+send", "notes"], rows))
    for pool, r in runs.items():
        print(f"{pool}: outbox rows by status {r['statuses']}")

    verdicts = common.Verdicts()
    for pool, r in runs.items():
        ratio = common.rate(n, r["elapsed"]) / send_rate
        verdicts.check(
            f"worker ({pool}) >= {TARGET:.0%} of the plain send loop",
            ratio >= TARGET,
            f"{ratio:.0%} ({common.rate(n, r['elapsed']):,.0f} vs {send_rate:,.0f} msg/s)",
        )
    return verdicts.report()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pool", choices=["prefork", "solo", "both"], default="prefork")
    parser.add_argument("--count", type=int, default=10_000)
    arguments = parser.parse_args()
    with common.time_limit(600):
        ok = main(arguments)
    raise SystemExit(0 if ok else 1)
