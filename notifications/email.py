"""The email output: an outbox written in the sender's transaction, delivered by Celery.

Claims use `select_for_update(skip_locked=True)`, so any number of workers share the work and
no row is sent by two. Each attempt is recorded before it is made; no row lock is held while
talking to the mail server.
"""

from __future__ import annotations

import logging
import math
import secrets
import smtplib
from dataclasses import dataclass
from datetime import timedelta
from email.utils import make_msgid

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection as db_connection
from django.db import transaction
from django.db.models import Exists, F, OuterRef
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from notifications import muting, outputs
from notifications.bulk import insert_rows, update_rows
from notifications.inbound import reply_address
from notifications.models import EmailDelivery, EmailSuppression, MessageTemplate
from notifications.rendering import (
    NAME_MARK,
    absolute,
    render,
    sources,
    uses_recipient_plainly,
)

logger = logging.getLogger(__name__)
Status = EmailDelivery.Status

PARALLEL_TASKS = 4
UNSUBSCRIBE_SALT = "notifications.unsubscribe"


def unsubscribe_token(user_id: int, key: str) -> str:
    return signing.dumps({"u": user_id, "k": key}, salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token: str) -> tuple[int, str]:
    """Returns (user id, key); raises signing.BadSignature for a tampered or foreign token."""
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    return int(data["u"]), str(data["k"])


def unsubscribe_url(user_id: int, key: str) -> str:
    return absolute(reverse("unsubscribe", args=[unsubscribe_token(user_id, key)]))


class EmailOutput:
    name = "email"

    def deliver(self, event, recipients, why=None, held=None, muted=None, digest=None) -> int:
        """Writes the outbox rows; a row held for its recipient's quiet hours waits with
        `held_until` and a `next_attempt_at` of that time (the email.send_held job and the
        sweeper send it then; no claim takes it before). A row for a recipient in `digest`
        is written in the `digest` state, which no claim takes: the email.send_digests job
        carries it in the recipient's next digest."""
        why = why or {}
        held = held or {}
        digest = digest or {}
        if digest:
            insert_rows(
                EmailDelivery,
                {
                    **fixed_columns(event),
                    "status": Status.DIGEST,
                    "next_attempt_at": event.created_at,
                },
                ["user_id", "to_address", "why"],
                [(u, a, why.get(u, "")) for u, a in recipients if u in digest],
            )
            recipients = [(u, a) for u, a in recipients if u not in digest]
            if not recipients:
                return len(digest)
        written = len(digest)
        fixed = fixed_columns(event)
        if not held:
            insert_rows(
                EmailDelivery,
                {**fixed, "next_attempt_at": event.created_at},
                ["user_id", "to_address", "why"],
                [(user_id, address, why.get(user_id, "")) for user_id, address in recipients],
            )
        else:
            insert_rows(
                EmailDelivery,
                fixed,
                ["user_id", "to_address", "why", "next_attempt_at", "held_until"],
                [
                    (
                        user_id,
                        address,
                        why.get(user_id, ""),
                        held.get(user_id, event.created_at),
                        held.get(user_id),
                    )
                    for user_id, address in recipients
                ],
            )
        due = sum(1 for user_id, _ in recipients if user_id not in held)
        count = getattr(event, "_emails_queued", 0)
        if due and not count:
            transaction.on_commit(lambda: enqueue(event.pk, event._emails_queued))
        event._emails_queued = count + due
        return written + len(recipients)


def fixed_columns(event) -> dict:
    """The columns every outbox row of `event` starts with."""
    return {
        "event_id": event.pk,
        "status": Status.PENDING,
        "attempts": 0,
        "created_at": event.created_at,
        "last_error": "",
        "esp_message_id": "",
        "subject": "",
        "claim_token": "",
    }


outputs.register(EmailOutput())


def enqueue(event_id: int | None, count: int = 1) -> bool:
    """Starts workers on an event's email (or on everything due). A broker outage only delays
    the email: the rows wait in the outbox and the sweeper queues them again."""
    from notifications.tasks import send_emails

    tasks = max(1, min(PARALLEL_TASKS, math.ceil(count / settings.EMAIL_CLAIM_BATCH)))
    try:
        for _ in range(tasks):
            send_emails.delay(event_id)
    except Exception as error:  # the broker's errors vary by transport
        logger.warning(
            "could not queue email of event %s (%s); the sweeper will",
            event_id,
            error,
            exc_info=True,
        )
        return False
    return True


@dataclass(frozen=True)
class Claim:
    """Outbox rows one worker claimed: their ids, and the token that marks them as its own."""

    token: str
    ids: list[int]


def claim(event_id: int | None = None, limit: int | None = None, held: bool = False) -> Claim:
    """Marks up to `limit` due rows (EMAIL_CLAIM_BATCH) as claimed with a new token, oldest
    first, and returns them: one statement. On PostgreSQL rows another worker is claiming are
    skipped (SKIP LOCKED), so any number of workers share the work and none shares a row; on
    SQLite the one UPDATE is atomic. `held`: only rows that were held for quiet hours."""
    limit = limit or settings.EMAIL_CLAIM_BATCH
    token = secrets.token_hex(8)
    now = timezone.now()
    table = db_connection.ops.quote_name(EmailDelivery._meta.db_table)
    where = "status = %s AND next_attempt_at <= %s"
    params: list = [Status.PENDING, now]
    if event_id is not None:
        where += " AND event_id = %s"
        params.append(event_id)
    if held:
        where += " AND held_until IS NOT NULL"
    skip_locked = db_connection.features.has_select_for_update_skip_locked
    lock = " FOR UPDATE SKIP LOCKED" if skip_locked else ""
    sql = (
        f"UPDATE {table} SET status = %s, claim_token = %s, claimed_at = %s "
        f"WHERE id IN (SELECT id FROM {table} WHERE {where} ORDER BY id LIMIT %s{lock}) "
        "RETURNING id"
    )
    field = EmailDelivery._meta.get_field("claimed_at")
    with db_connection.cursor() as cursor:
        cursor.execute(
            sql,
            [
                Status.CLAIMED,
                token,
                field.get_db_prep_save(now, db_connection),
                *[field.get_db_prep_save(p, db_connection) if p is now else p for p in params],
                limit,
            ],
        )
        ids = sorted(row[0] for row in cursor.fetchall())
    return Claim(token, ids)


def is_permanent(error: Exception) -> bool:
    """Whether retrying can help: refused recipients and 4xx answers cannot; the network can."""
    from anymail.exceptions import AnymailAPIError, AnymailInvalidAddress, AnymailRecipientsRefused

    if isinstance(error, AnymailRecipientsRefused | AnymailInvalidAddress):
        return True
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return True
    if isinstance(error, smtplib.SMTPResponseException):
        return 500 <= error.smtp_code < 600
    if isinstance(error, AnymailAPIError):
        status = getattr(error, "status_code", None)
        return status is not None and 400 <= status < 500 and status != 429
    return False


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(60 * 2 ** max(attempts - 1, 0), 6 * 3600))


# The stand-in for the unsubscribe link in a rendering shared by everyone who reads the event
# in one language and timezone (MessageBuilder), as NAME_MARK is for the name.
LINK_MARK = "Lk9w3UnsubscribeLinkZp8"


class MessageBuilder:
    """Builds the emails of a batch.

    The message in its layout is the same for every recipient of an event who reads it in the
    same language and timezone, except for the name and the unsubscribe link: when the
    templates use the name only as a plain `{{ recipient }}`, it is rendered once with stand-ins
    that each recipient's values replace. Otherwise each email is rendered whole. Either way
    the email reads the same (the HTML may spell a quote in the name as an entity, and a name
    that looks like a web address is not made a link).
    """

    def __init__(self):
        self._shared: dict[tuple, tuple[str, str, str]] = {}
        self.preferences_url = absolute(reverse("messaging-preferences"))
        self.why_urls: dict[int, str] = {}

    def _render(self, event, user, override, name: str, link: str) -> tuple[str, str, str]:
        rendered = render(
            event.key,
            event.context,
            language=user.language,
            tz=user.timezone,
            recipient_name=name,
            sender_name=event.sender.display_name if event.sender else "",
            url=event.url,
            override=override,
            custom=event.templates,
        )
        layout = {
            "rendered": rendered,
            "url": absolute(event.url),
            "unsubscribe_url": link,
            "preferences_url": self.preferences_url,
            "why_url": self.why_url(event.pk),
            "mute_links": muting.mute_links(event),
            "conversation_mute_url": self.conversation_mute_url(event),
            "message_type": event.message_type,
            "language": user.language,
        }
        with translation.override(user.language):
            text = render_to_string("email/message.txt", layout)
            html = render_to_string("email/message.html", layout)
        return rendered.subject, text, html

    def conversation_mute_url(self, event) -> str:
        """The page that mutes the conversation a new-message email comes from ("" for any other
        email): a conversation's mute is its member's own (instant.Membership.muted)."""
        reply = event.data.get("reply") or {}
        if reply.get("kind") != "conversation":
            return ""
        return absolute(reverse("conversation-mute", args=[reply["id"]]))

    def why_url(self, event_id: int) -> str:
        """The event's "Why did I get this?" page: the same for every recipient (it shows the
        signed-in reader their own delivery)."""
        if event_id not in self.why_urls:
            self.why_urls[event_id] = absolute(reverse("why", args=[event_id]))
        return self.why_urls[event_id]

    def shareable(self, event, user, override) -> bool:
        """Whether this recipient's email is the event's shared rendering with their values put
        in (the templates use the name only as a plain `{{ recipient }}`)."""
        templates = sources(event.key, user.language, override, event.templates)
        return bool(user.display_name) and uses_recipient_plainly(
            *templates, event.templates.get("prefix", "")
        )

    def shared(self, event, user, override) -> tuple[str, str, str]:
        """The event's rendering for this recipient's language and timezone, with NAME_MARK and
        LINK_MARK where the name and the unsubscribe link go; rendered once per batch."""
        key = (event.pk, user.language, user.timezone, override.pk if override else None)
        if key not in self._shared:
            self._shared[key] = self._render(event, user, override, NAME_MARK, LINK_MARK)
        return self._shared[key]

    def parts(self, event, user, override, link: str) -> tuple[str, str, str]:
        """The email's subject, text and HTML for this recipient and unsubscribe link."""
        name = user.display_name
        if not self.shareable(event, user, override):
            return self._render(event, user, override, name, link)
        subject, text, html = self.shared(event, user, override)
        return (
            subject.replace(NAME_MARK, name),
            text.replace(NAME_MARK, name).replace(LINK_MARK, link),
            html.replace(NAME_MARK, escape(name)).replace(LINK_MARK, escape(link)),
        )

    def batch_key(self, delivery: EmailDelivery, override):
        """The rows whose emails may go as one batch message (EMAIL_BATCH_SEND) share this key:
        the same event's shared rendering, differing only in the name and unsubscribe link.
        None: this row's email goes on its own (its own reply-to address, or a template that
        does more with the name)."""
        event = delivery.event
        if event is None:  # a digest goes on its own
            return None
        if event.data.get("reply") and settings.INBOUND_EMAIL_ADDRESS:
            return None
        if not self.shareable(event, delivery.user, override):
            return None
        user = delivery.user
        return (event.pk, user.language, user.timezone, override.pk if override else None)

    def build_batch(self, deliveries: list[EmailDelivery], override) -> EmailMultiAlternatives:
        """One message to rows of one batch_key (each address once), sent by the ESP as a
        separate email to each address with its own values (anymail's merge_data and
        merge_headers; the merge fields are written as EMAIL_MERGE_FIELD)."""
        first = deliveries[0]
        event = first.event
        subject, text, html = self.shared(event, first.user, override)
        field = settings.EMAIL_MERGE_FIELD.format
        message = self._message(
            event,
            subject.replace(NAME_MARK, field("name")),
            text.replace(NAME_MARK, field("name")).replace(LINK_MARK, field("unsubscribe")),
            html.replace(NAME_MARK, field("name_html")).replace(
                LINK_MARK, field("unsubscribe_html")
            ),
            to=[d.to_address for d in deliveries],
            headers={},
            reply_to=[event.data["reply_to"]] if event.data.get("reply_to") else None,
        )
        message.merge_data, message.merge_headers = {}, {}
        for delivery in deliveries:
            name = delivery.user.display_name
            link = unsubscribe_url(delivery.user_id, event.key)
            message.merge_data[delivery.to_address] = {
                "name": name,
                "name_html": escape(name),
                "unsubscribe": link,
                "unsubscribe_html": escape(link),
            }
            message.merge_headers[delivery.to_address] = {"List-Unsubscribe": f"<{link}>"}
        return message

    def _message(self, event, subject, text, html, *, to, headers, reply_to):
        message = EmailMultiAlternatives(
            subject=subject,
            body=text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=to,
            headers={
                **headers,
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                "X-Notification-Type": event.key,
                **(event.data.get("email_headers") or {}),
            },
            reply_to=reply_to,
        )
        message.attach_alternative(html, "text/html")
        for attachment in event.data.get("attachments") or []:
            message.attach(attachment["filename"], attachment["content"], attachment["mimetype"])
        return message

    def build(self, delivery: EmailDelivery, user, override) -> EmailMultiAlternatives:
        """The email of one outbox row to `user`; `override` is their language's template."""
        event = delivery.event
        unsubscribe = unsubscribe_url(user.pk, event.key)
        subject, text, html = self.parts(event, user, override, unsubscribe)
        reply_to = [event.data["reply_to"]] if event.data.get("reply_to") else None
        reply = event.data.get("reply")
        if reply and settings.INBOUND_EMAIL_ADDRESS:
            # Each recipient answers through their own signed address (reply by email).
            reply_to = [reply_address(user.pk, reply["kind"], int(reply["id"]))]
        return self._message(
            event,
            subject,
            text,
            html,
            to=[delivery.to_address],
            headers={
                "List-Unsubscribe": f"<{unsubscribe}>",
                "Message-ID": make_msgid(domain=settings.EMAIL_MESSAGE_ID_DOMAIN),
            },
            reply_to=reply_to,
        )

    def build_digest(self, delivery: EmailDelivery) -> EmailMultiAlternatives:
        """A digest's email, as rendered when the digest was made (notifications.digests)."""
        digest = delivery.digest_sent
        message = EmailMultiAlternatives(
            subject=digest.subject,
            body=digest.text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[delivery.to_address],
            headers={
                "Message-ID": make_msgid(domain=settings.EMAIL_MESSAGE_ID_DOMAIN),
                "X-Notification-Type": f"digest.{digest.cadence}",
            },
        )
        message.attach_alternative(digest.html, "text/html")
        return message


def build_message(delivery: EmailDelivery, user, override) -> EmailMultiAlternatives:
    """One email, built on its own (a batch uses one MessageBuilder)."""
    return MessageBuilder().build(delivery, user, override)


@dataclass
class _Unit:
    """What goes out in one send: one row's email, or (EMAIL_BATCH_SEND) one batch message for
    rows of one batch_key."""

    builder: MessageBuilder
    rows: list[EmailDelivery]
    override: object

    def build(self) -> EmailMultiAlternatives:
        if len(self.rows) == 1:
            row = self.rows[0]
            if row.event_id is None:
                return self.builder.build_digest(row)
            return self.builder.build(row, row.user, self.override)
        return self.builder.build_batch(self.rows, self.override)

    def outcomes(self, message):
        """(row, the ESP's message id, the subject it got, why the ESP refused the address or
        "") for each row."""
        status = getattr(message, "anymail_status", None)
        if len(self.rows) == 1:
            esp_id = (status.message_id if status else None) or message.extra_headers["Message-ID"]
            yield self.rows[0], esp_id, message.subject, ""
            return
        name_field = settings.EMAIL_MERGE_FIELD.format("name")
        for row in self.rows:
            recipient = status.recipients.get(row.to_address) if status else None
            refused = recipient.status if recipient and recipient.status in REFUSED else ""
            subject = message.subject.replace(name_field, row.user.display_name)
            yield row, (recipient.message_id if recipient else None) or "", subject, refused


# What an ESP answers for an address it will not send to (anymail's recipient statuses).
REFUSED = {"rejected", "invalid"}


def _units(builder: MessageBuilder, group: list[EmailDelivery], overrides: dict):
    """The group's sends, in row order: each row alone, or with EMAIL_BATCH_SEND the rows of
    one batch_key together (each address at most once a message)."""

    def override_of(row):
        if row.event_id is None:  # a digest
            return None
        return overrides.get((row.event.message_type_id, row.user.language))

    if not settings.EMAIL_BATCH_SEND:
        return [_Unit(builder, [row], override_of(row)) for row in group]
    batches: dict[tuple, list[list[EmailDelivery]]] = {}
    units = []
    for row in group:
        key = builder.batch_key(row, override_of(row))
        if key is None:
            units.append(_Unit(builder, [row], override_of(row)))
            continue
        messages = batches.setdefault(key, [])
        home = next((m for m in messages if row.to_address not in {r.to_address for r in m}), None)
        if home is None:
            home = []
            messages.append(home)
            units.append(_Unit(builder, home, override_of(row)))
        home.append(row)
    return units


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def deliver_claimed(claimed: Claim) -> dict[str, int]:
    """Sends claimed rows over one connection, a group of EMAIL_SENDING_GROUP at a time.

    Each group is marked `sending` (its attempt recorded) in one statement before any of it
    goes out, and its sent rows confirmed in one statement after. A worker that dies between
    the two leaves at most one group in `sending`, which the sweeper marks unknown and never
    sends again; the batch's other rows are either confirmed or still `claimed`, which the
    sweeper frees for another worker. No row lock is held while the mail server is talking.
    A constant number of queries per group and per batch, however many rows.
    """
    tally = {"sent": 0, "retry": 0, "failed": 0, "suppressed": 0}
    if not claimed.ids:
        return tally
    rows = list(
        EmailDelivery.objects.filter(
            id__in=claimed.ids, claim_token=claimed.token, status=Status.CLAIMED
        )
        .select_related("event", "event__message_type", "event__sender", "user", "digest_sent")
        .annotate(
            suppressed=Exists(EmailSuppression.objects.filter(address=OuterRef("to_address")))
        )
        .order_by("id")
    )
    overrides = {
        (t.message_type_id, t.language): t
        for t in MessageTemplate.objects.filter(
            message_type_id__in={r.event.message_type_id for r in rows if r.event_id}
        )
    }
    suppressed = [r.pk for r in rows if r.suppressed]
    if suppressed:
        tally["suppressed"] = EmailDelivery.objects.filter(
            pk__in=suppressed, claim_token=claimed.token
        ).update(status=Status.SUPPRESSED, last_error="address suppressed")
    retry_at = None
    builder = MessageBuilder()
    connection = get_connection()
    try:
        connection.open()
        for group in _chunks([r for r in rows if not r.suppressed], settings.EMAIL_SENDING_GROUP):
            started_at = timezone.now()
            ids = [r.pk for r in group]
            marked = EmailDelivery.objects.filter(
                pk__in=ids, claim_token=claimed.token, status=Status.CLAIMED
            ).update(status=Status.SENDING, attempts=F("attempts") + 1, claimed_at=started_at)
            if marked < len(group):  # the sweeper freed some (a batch slower than its limit)
                mine = set(
                    EmailDelivery.objects.filter(
                        pk__in=ids, claim_token=claimed.token, status=Status.SENDING
                    ).values_list("pk", flat=True)
                )
                group = [r for r in group if r.pk in mine]
            sent: list[tuple[int, str, str]] = []
            try:
                for unit in _units(builder, group, overrides):
                    try:
                        message = unit.build()
                        message.connection = connection
                        message.send()
                    except Exception as error:
                        for row in unit.rows:
                            attempts = row.attempts + 1
                            permanent = (
                                is_permanent(error) or attempts >= settings.EMAIL_MAX_ATTEMPTS
                            )
                            update = {"last_error": f"{type(error).__name__}: {error}"[:2000]}
                            if permanent:
                                update["status"] = Status.FAILED
                                tally["failed"] += 1
                            else:
                                update["status"] = Status.PENDING
                                update["next_attempt_at"] = started_at + backoff(attempts)
                                retry_at = min(
                                    retry_at or update["next_attempt_at"], update["next_attempt_at"]
                                )
                                tally["retry"] += 1
                            EmailDelivery.objects.filter(pk=row.pk).update(**update)
                            logger.info("email %s to %s failed: %s", row.pk, row.to_address, error)
                        if not is_permanent(error):
                            # A broken connection is not reused for the rest of the batch.
                            connection.close()
                            connection = get_connection()
                        continue
                    for row, esp_id, subject, refused in unit.outcomes(message):
                        if refused:
                            EmailDelivery.objects.filter(pk=row.pk).update(
                                status=Status.FAILED, last_error=f"refused by the ESP: {refused}"
                            )
                            tally["failed"] += 1
                        else:
                            sent.append((row.pk, str(esp_id)[:200], subject[:300]))
                            tally["sent"] += 1
            finally:
                # The group's successes in one statement, even when the group stops half way.
                update_rows(
                    EmailDelivery,
                    {"status": Status.SENT, "sent_at": timezone.now(), "last_error": ""},
                    ["esp_message_id", "subject"],
                    sent,
                )
    finally:
        connection.close()
    if retry_at is not None:
        from notifications.tasks import send_emails

        delay = max((retry_at - timezone.now()).total_seconds(), 1)
        try:
            send_emails.apply_async((None,), countdown=delay)
        except Exception as error:
            logger.warning("could not schedule the retry (%s); the sweeper will", error)
    return tally


def send_due(
    event_id: int | None = None, batches: int | None = None, held: bool = False
) -> dict[str, int]:
    """Claims and sends until nothing due is left (for this event, or at all; `held`: of the
    rows held for quiet hours), or until it has sent `batches` claimed batches; then `more`
    says whether a full batch was the last one (something may be left for a continuation)."""
    total = {"sent": 0, "retry": 0, "failed": 0, "suppressed": 0, "more": 0}
    done = 0
    while (batches is None or done < batches) and (claimed := claim(event_id, held=held)).ids:
        for name, count in deliver_claimed(claimed).items():
            total[name] += count
        done += 1
        total["more"] = int(len(claimed.ids) >= settings.EMAIL_CLAIM_BATCH)
    if batches is None or done < batches:
        total["more"] = 0  # it stopped because nothing was left
    return total


def send_held() -> dict[str, int]:
    """Periodic (`email.send_held`): sends the email held for quiet hours that are over, in
    the order it was written (oldest row first), each row once however many runs overlap (the
    claim takes a row from `pending` once). It sends EMAIL_TASK_BATCHES claimed batches
    itself and queues the rest (07:00 in a busy time zone), which a continuation sends.
    Email still inside its recipient's quiet hours is not touched."""
    result = send_due(held=True, batches=settings.EMAIL_TASK_BATCHES)
    if result["more"]:
        enqueue(None)
    return result


def sweep(stuck_after: timedelta | None = None) -> dict[str, int]:
    """Periodic: frees rows a dead worker claimed but never tried, marks rows it was sending
    as unknown (they may have gone out: an admin decides), and queues whatever is due."""
    stuck_after = stuck_after or timedelta(seconds=settings.EMAIL_STUCK_SECONDS)
    cutoff = timezone.now() - stuck_after
    released = EmailDelivery.objects.filter(status=Status.CLAIMED, claimed_at__lt=cutoff).update(
        status=Status.PENDING
    )
    interrupted = EmailDelivery.objects.filter(status=Status.SENDING, claimed_at__lt=cutoff).update(
        status=Status.UNKNOWN,
        last_error="The worker stopped while sending; not retried so it is never sent twice.",
    )
    due = EmailDelivery.objects.filter(
        status=Status.PENDING, next_attempt_at__lte=timezone.now()
    ).count()
    if due:
        enqueue(None, due)
    return {"released": released, "interrupted": interrupted, "queued": due}


def resend(delivery_ids) -> int:
    """Admin action: sends these deliveries again as new attempts."""
    count = EmailDelivery.objects.filter(id__in=list(delivery_ids)).update(
        status=Status.PENDING, next_attempt_at=timezone.now(), last_error=""
    )
    transaction.on_commit(lambda: enqueue(None, count))
    return count
