"""Sending pushes: claim due rows, encrypt and post each to its push service, record the outcome.

Claims are one conditional UPDATE (SKIP LOCKED on PostgreSQL), so any number of workers share
the work and none takes a row another has; the attempt is counted in that same statement,
before it is made, and no row lock is held while talking to a push service. pywebpush encrypts
the payload to the browser's keys (RFC 8291, aes128gcm) and signs the VAPID JWT (RFC 8292).

Outcomes: 201/202 sent; 404 or 410 (the push service forgot the subscription) expired, and the
subscription is deleted; 429, 5xx and network errors retried with backoff, at most
WEBPUSH_MAX_ATTEMPTS attempts; any other answer (400 malformed, 403 bad VAPID, 413 too large)
failed, never retried.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection as db_connection
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from pywebpush import WebPushException, webpush

from notifications import catalogue, muting
from notifications.catalogue import Kind, Urgency
from notifications.models import MessageTemplate
from notifications.rendering import absolute, render
from webpush import keys
from webpush.models import PushDelivery, PushSubscription

logger = logging.getLogger(__name__)
Status = PushDelivery.Status

# What a notification shows: browsers cut long bodies anyway, and a push payload is at most
# about 4 KB once encrypted.
BODY_CHARS = 240
# Where a notification with no link of its own opens, by kind.
DEFAULT_PAGES = {Kind.TASK: "/tasks/", Kind.MESSAGE: "/messages/"}
# RFC 8030's Urgency header: how hard a push service may try to wake the device.
URGENCY_HEADER = {Urgency.LOW: "low", Urgency.NORMAL: "normal", Urgency.URGENT: "high"}
EXPIRED_STATUSES = (404, 410)


@dataclass(frozen=True)
class Claim:
    token: str
    ids: list[int]


def claim(event_id: int | None = None, limit: int | None = None) -> Claim:
    """Marks up to `limit` (WEBPUSH_CLAIM_BATCH) due pending rows `sending` with a new token,
    counting their attempt, oldest first: one statement. Held rows are due once their quiet
    hours are over (their next_attempt_at)."""
    limit = limit or settings.WEBPUSH_CLAIM_BATCH
    token = secrets.token_hex(8)
    now = timezone.now()
    field = PushDelivery._meta.get_field("claimed_at")
    prepared_now = field.get_db_prep_save(now, db_connection)
    table = db_connection.ops.quote_name(PushDelivery._meta.db_table)
    where = "status = %s AND next_attempt_at <= %s"
    params: list = [Status.PENDING, prepared_now]
    if event_id is not None:
        where += " AND event_id = %s"
        params.append(event_id)
    lock = (
        " FOR UPDATE SKIP LOCKED"
        if db_connection.features.has_select_for_update_skip_locked
        else ""
    )
    sql = (
        f"UPDATE {table} SET status = %s, claim_token = %s, claimed_at = %s, "
        "attempts = attempts + 1 "
        f"WHERE id IN (SELECT id FROM {table} WHERE {where} ORDER BY id LIMIT %s{lock}) "
        "RETURNING id"
    )
    with db_connection.cursor() as cursor:
        cursor.execute(sql, [Status.SENDING, token, prepared_now, *params, limit])
        ids = sorted(row[0] for row in cursor.fetchall())
    return Claim(token, ids)


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8... minutes after the failed attempt, at most six hours."""
    return timedelta(seconds=min(60 * 2 ** max(attempts - 1, 0), 6 * 3600))


def _body(text: str) -> str:
    """The message text as one short paragraph: without a greeting line of its own ("Hello
    Lee,"), whitespace collapsed, cut at BODY_CHARS."""
    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    if len(paragraphs) > 1 and len(paragraphs[0]) < 60 and paragraphs[0].rstrip().endswith(","):
        paragraphs = paragraphs[1:]
    body = " ".join(" ".join(paragraphs).split())
    return body if len(body) <= BODY_CHARS else body[: BODY_CHARS - 1].rstrip() + "…"


def payload(delivery: PushDelivery, override) -> dict:
    """What the service worker shows: title, body, url (absolute), tag (one notification per
    event, a repeat replaces it), kind and actions (its buttons: title and url). Rendered in
    the recipient's language and zone."""
    event, user = delivery.event, delivery.user
    rendered = render(
        event.key,
        event.context,
        language=user.language,
        tz=user.timezone,
        recipient_name=user.display_name,
        sender_name=event.sender.display_name if event.sender else "",
        url=event.url,
        override=override,
        custom=event.templates,
    )
    try:
        kind = str(catalogue.get(event.key).kind)
    except catalogue.UnknownMessageType:
        kind = Kind.ALERT
    url = event.url or DEFAULT_PAGES.get(kind, "/alerts/")
    with translation.override(user.language):
        # The notification's buttons: "Mute …" for what the message comes from, as an email's
        # foot has them (the worker shows as many as the browser allows, two in Chrome).
        actions = [
            {"title": _("Mute %(name)s") % {"name": label}, "url": link}
            for label, link in muting.mute_links(event)
        ]
    return {
        "title": rendered.subject,
        "body": _body(rendered.text),
        "url": absolute(url),
        "tag": f"event-{event.pk}",
        "kind": kind,
        "actions": actions,
    }


def _retry_after(error: WebPushException) -> timedelta | None:
    value = error.retry_after
    if value and str(value).isdigit():
        return timedelta(seconds=int(value))
    return None


def deliver_claimed(claimed: Claim) -> dict[str, int]:
    """Sends the claimed rows over one HTTP session and records what happened. Queries: the
    rows with their events, users and subscriptions, the admins' templates, then one statement
    per outcome (sent, expired), one per retried or failed row."""
    tally = {"sent": 0, "expired": 0, "retry": 0, "failed": 0}
    if not claimed.ids:
        return tally
    rows = list(
        PushDelivery.objects.filter(pk__in=claimed.ids, claim_token=claimed.token)
        .select_related("event", "event__sender", "user", "subscription")
        .order_by("pk")
    )
    overrides = {
        (t.message_type_id, t.language): t
        for t in MessageTemplate.objects.filter(
            message_type_id__in={r.event.message_type_id for r in rows}
        )
    }
    try:
        vapid = keys.vapid()
    except ImproperlyConfigured as error:
        # A key that is not one: nothing can be signed until an admin fixes it. The rows wait
        # (not counted as an attempt) rather than fail; the system check names the problem.
        logger.error("pushes not sent: %s", error)
        PushDelivery.objects.filter(pk__in=claimed.ids, claim_token=claimed.token).update(
            status=Status.PENDING,
            attempts=F("attempts") - 1,
            next_attempt_at=timezone.now() + timedelta(minutes=5),
            last_error=str(error)[:2000],
        )
        return {**tally, "retry": len(claimed.ids)}
    subject = keys.subject()
    sent: list[int] = []
    expired: list[int] = []
    gone: set[int] = set()
    session = requests.Session()
    try:
        for row in rows:
            if row.subscription is None:
                expired.append(row.pk)  # the browser unsubscribed after the row was written
                continue
            if vapid is None:
                _fail(row, "push is unavailable: no VAPID key is set", tally)
                continue
            override = overrides.get((row.event.message_type_id, row.user.language))
            data = json.dumps(payload(row, override), ensure_ascii=False)
            try:
                webpush(
                    row.subscription.info(),
                    data,
                    vapid_private_key=vapid,
                    # A new dict each time: pywebpush writes the endpoint's `aud` into it.
                    vapid_claims={"sub": subject},
                    ttl=settings.WEBPUSH_TTL_SECONDS,
                    timeout=settings.WEBPUSH_TIMEOUT_SECONDS,
                    headers={"Urgency": URGENCY_HEADER.get(row.event.urgency, "normal")},
                    requests_session=session,
                )
            except WebPushException as error:
                status = error.status_code
                if status in EXPIRED_STATUSES:
                    expired.append(row.pk)
                    gone.add(row.subscription_id)
                elif status is None or status == 429 or status >= 500:
                    _retry(row, f"{status or 'error'}: {error}", tally, _retry_after(error))
                else:
                    _fail(row, f"{status}: {error}", tally)
            except requests.RequestException as error:
                _retry(row, f"{type(error).__name__}: {error}", tally)
            except Exception as error:  # a stored key that is not one: retrying cannot help
                logger.info("push %s cannot be sent: %s", row.pk, error)
                _fail(row, f"{type(error).__name__}: {error}", tally)
            else:
                sent.append(row.pk)
    finally:
        session.close()
        now = timezone.now()
        with transaction.atomic():
            if sent:
                tally["sent"] = PushDelivery.objects.filter(
                    pk__in=sent, claim_token=claimed.token
                ).update(status=Status.SENT, sent_at=now, last_error="")
                PushSubscription.objects.filter(deliveries__pk__in=sent).update(last_success_at=now)
            if expired:
                tally["expired"] = PushDelivery.objects.filter(
                    pk__in=expired, claim_token=claimed.token
                ).update(status=Status.EXPIRED, last_error="the subscription is gone")
            if gone:
                PushSubscription.objects.filter(pk__in=gone).delete()
    return tally


def _retry(row: PushDelivery, error: str, tally: dict, at_least: timedelta | None = None):
    if row.attempts >= settings.WEBPUSH_MAX_ATTEMPTS:
        _fail(row, f"gave up after {row.attempts} attempts: {error}", tally)
        return
    wait = max(backoff(row.attempts), at_least or timedelta(0))
    PushDelivery.objects.filter(pk=row.pk, status=Status.SENDING).update(
        status=Status.PENDING, next_attempt_at=timezone.now() + wait, last_error=error[:2000]
    )
    tally["retry"] += 1
    logger.info("push %s will be retried: %s", row.pk, error)


def _fail(row: PushDelivery, error: str, tally: dict):
    PushDelivery.objects.filter(pk=row.pk, status=Status.SENDING).update(
        status=Status.FAILED, last_error=error[:2000]
    )
    tally["failed"] += 1


def send_due(event_id: int | None = None, batches: int | None = None) -> dict[str, int]:
    """Claims and sends until nothing due is left (for this event, or at all), or `batches`
    claimed batches; `more` then says whether the last batch was full."""
    total = {"sent": 0, "expired": 0, "retry": 0, "failed": 0, "more": 0}
    done = 0
    while (batches is None or done < batches) and (claimed := claim(event_id)).ids:
        for name, count in deliver_claimed(claimed).items():
            total[name] += count
        done += 1
        total["more"] = int(len(claimed.ids) >= settings.WEBPUSH_CLAIM_BATCH)
    if batches is None or done < batches:
        total["more"] = 0
    return total


def sweep(stuck_after: timedelta | None = None) -> int:
    """Rows a dead worker left `sending` may have gone out: they become `unknown`, never sent
    twice. Returns how many."""
    cutoff = timezone.now() - (stuck_after or timedelta(seconds=settings.EMAIL_STUCK_SECONDS))
    return PushDelivery.objects.filter(status=Status.SENDING, claimed_at__lt=cutoff).update(
        status=Status.UNKNOWN,
        last_error="The worker stopped while sending; not retried so it is never sent twice.",
    )


def send_held_and_retries() -> dict[str, int]:
    """Periodic (`webpush.send_due`): marks rows of dead workers, then sends what is due:
    pushes held for quiet hours that are over, retries whose time has come, and pushes whose
    task was lost. WEBPUSH_TASK_BATCHES batches here, the rest by a queued continuation. Each
    row goes once however many runs overlap (the claim takes it from `pending` once)."""
    interrupted = sweep()
    result = send_due(batches=settings.WEBPUSH_TASK_BATCHES)
    if result["more"]:
        from webpush.output import enqueue

        enqueue(None)
    return {**result, "interrupted": interrupted}
