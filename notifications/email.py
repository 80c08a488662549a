"""The email output: an outbox written in the sender's transaction, delivered by Celery.

Claims use `select_for_update(skip_locked=True)`, so any number of workers share the work and
no row is sent by two. Each attempt is recorded before it is made; no row lock is held while
talking to the mail server.
"""

from __future__ import annotations

import logging
import math
import smtplib
from datetime import timedelta
from email.utils import make_msgid

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from notifications import outputs
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

CLAIM_BATCH = 200
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

    def deliver(self, event, recipients) -> int:
        EmailDelivery.objects.bulk_create(
            [EmailDelivery(event=event, user_id=u, to_address=a) for u, a in recipients],
            batch_size=1000,
        )
        count = getattr(event, "_emails_queued", 0)
        if not count:
            transaction.on_commit(lambda: enqueue(event.pk, event._emails_queued))
        event._emails_queued = count + len(recipients)
        return len(recipients)


outputs.register(EmailOutput())


def enqueue(event_id: int | None, count: int = 1) -> bool:
    """Starts workers on an event's email (or on everything due). A broker outage only delays
    the email: the rows wait in the outbox and the sweeper queues them again."""
    from notifications.tasks import send_emails

    tasks = max(1, min(PARALLEL_TASKS, math.ceil(count / CLAIM_BATCH)))
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


def claim(event_id: int | None = None, limit: int = CLAIM_BATCH) -> list[int]:
    """Marks up to `limit` due rows as claimed by this worker and returns their ids."""
    now = timezone.now()
    with transaction.atomic():
        due = EmailDelivery.objects.select_for_update(skip_locked=True).filter(
            status=Status.PENDING, next_attempt_at__lte=now
        )
        if event_id is not None:
            due = due.filter(event_id=event_id)
        ids = list(due.order_by("id").values_list("id", flat=True)[:limit])
        if ids:
            EmailDelivery.objects.filter(id__in=ids).update(status=Status.CLAIMED, claimed_at=now)
    return ids


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
            "message_type": event.message_type,
            "language": user.language,
        }
        with translation.override(user.language):
            text = render_to_string("email/message.txt", layout)
            html = render_to_string("email/message.html", layout)
        return rendered.subject, text, html

    def parts(self, event, user, override, link: str) -> tuple[str, str, str]:
        """The email's subject, text and HTML for this recipient and unsubscribe link."""
        name = user.display_name
        templates = sources(event.key, user.language, override, event.templates)
        if not name or not uses_recipient_plainly(*templates, event.templates.get("prefix", "")):
            return self._render(event, user, override, name, link)
        key = (event.pk, user.language, user.timezone, override.pk if override else None)
        if key not in self._shared:
            self._shared[key] = self._render(event, user, override, NAME_MARK, LINK_MARK)
        subject, text, html = self._shared[key]
        return (
            subject.replace(NAME_MARK, name),
            text.replace(NAME_MARK, name).replace(LINK_MARK, link),
            html.replace(NAME_MARK, escape(name)).replace(LINK_MARK, escape(link)),
        )

    def build(self, delivery: EmailDelivery, user, override) -> EmailMultiAlternatives:
        """The email of one outbox row to `user`; `override` is their language's template."""
        event = delivery.event
        unsubscribe = unsubscribe_url(user.pk, event.key)
        subject, text, html = self.parts(event, user, override, unsubscribe)
        headers = {
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Message-ID": make_msgid(domain=settings.EMAIL_MESSAGE_ID_DOMAIN),
            "X-Notification-Type": event.key,
            **(event.data.get("email_headers") or {}),
        }
        reply_to = [event.data["reply_to"]] if event.data.get("reply_to") else None
        reply = event.data.get("reply")
        if reply and settings.INBOUND_EMAIL_ADDRESS:
            # Each recipient answers through their own signed address (reply by email).
            reply_to = [reply_address(user.pk, reply["kind"], int(reply["id"]))]
        message = EmailMultiAlternatives(
            subject=subject,
            body=text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[delivery.to_address],
            headers=headers,
            reply_to=reply_to,
        )
        message.attach_alternative(html, "text/html")
        for attachment in event.data.get("attachments") or []:
            message.attach(attachment["filename"], attachment["content"], attachment["mimetype"])
        return message


def build_message(delivery: EmailDelivery, user, override) -> EmailMultiAlternatives:
    """One email, built on its own (a batch uses one MessageBuilder)."""
    return MessageBuilder().build(delivery, user, override)


def deliver_claimed(ids: list[int]) -> dict[str, int]:
    """Sends claimed rows over one connection; records each attempt before making it."""
    User = get_user_model()
    rows = list(
        EmailDelivery.objects.filter(id__in=ids, status=Status.CLAIMED)
        .select_related("event", "event__message_type", "event__sender")
        .order_by("id")
    )
    users = User.objects.in_bulk({r.user_id for r in rows})
    overrides = {
        (t.message_type_id, t.language): t
        for t in MessageTemplate.objects.filter(
            message_type_id__in={r.event.message_type_id for r in rows}
        )
    }
    suppressed = set(
        EmailSuppression.objects.filter(address__in={r.to_address for r in rows}).values_list(
            "address", flat=True
        )
    )
    tally = {"sent": 0, "retry": 0, "failed": 0, "suppressed": 0}
    retry_at = None
    sent: list[EmailDelivery] = []
    builder = MessageBuilder()
    connection = get_connection()
    try:
        connection.open()
        for row in rows:
            now = timezone.now()
            user = users.get(row.user_id)
            if user is None or row.to_address in suppressed:
                EmailDelivery.objects.filter(pk=row.pk).update(
                    status=Status.SUPPRESSED, last_error="address suppressed or user gone"
                )
                tally["suppressed"] += 1
                continue
            started = EmailDelivery.objects.filter(pk=row.pk, status=Status.CLAIMED).update(
                status=Status.SENDING, attempts=F("attempts") + 1, claimed_at=now
            )
            if not started:
                continue
            attempts = row.attempts + 1
            try:
                message = builder.build(
                    row, user, overrides.get((row.event.message_type_id, user.language))
                )
                message.connection = connection
                message.send()
            except Exception as error:
                permanent = is_permanent(error) or attempts >= settings.EMAIL_MAX_ATTEMPTS
                update = {"last_error": f"{type(error).__name__}: {error}"[:2000]}
                if permanent:
                    update["status"] = Status.FAILED
                    tally["failed"] += 1
                else:
                    update["status"] = Status.PENDING
                    update["next_attempt_at"] = now + backoff(attempts)
                    retry_at = min(retry_at or update["next_attempt_at"], update["next_attempt_at"])
                    tally["retry"] += 1
                    # A broken connection is not reused for the rest of the batch.
                    connection.close()
                    connection = get_connection()
                EmailDelivery.objects.filter(pk=row.pk).update(**update)
                logger.info("email %s to %s failed: %s", row.pk, row.to_address, error)
                continue
            status = getattr(message, "anymail_status", None)
            esp_id = (status.message_id if status else None) or message.extra_headers["Message-ID"]
            row.status = Status.SENT
            row.sent_at = timezone.now()
            row.esp_message_id = str(esp_id)[:200]
            row.subject = message.subject[:300]
            row.last_error = ""
            sent.append(row)
            tally["sent"] += 1
    finally:
        connection.close()
        # Successes are recorded once per batch: a worker that dies before this leaves its rows
        # in `sending`, which the sweeper marks unknown (never sent twice).
        EmailDelivery.objects.bulk_update(
            sent, ["status", "sent_at", "esp_message_id", "subject", "last_error"]
        )
    if retry_at is not None:
        from notifications.tasks import send_emails

        delay = max((retry_at - timezone.now()).total_seconds(), 1)
        try:
            send_emails.apply_async((None,), countdown=delay)
        except Exception as error:
            logger.warning("could not schedule the retry (%s); the sweeper will", error)
    return tally


def send_due(event_id: int | None = None) -> dict[str, int]:
    """Claims and sends until nothing due is left (for this event, or at all)."""
    total = {"sent": 0, "retry": 0, "failed": 0, "suppressed": 0}
    while ids := claim(event_id):
        for name, count in deliver_claimed(ids).items():
            total[name] += count
    return total


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
