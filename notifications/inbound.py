"""Reply by email: signed reply-to addresses, and replies turned into messages or forum posts.

An email about something one can answer (a conversation, a forum post) carries a reply-to
address `<mailbox>+<payload>.<hmac>@<domain>`, where the payload names the recipient and what
they answer. A reply arrives through anymail's inbound webhook or `manage.py inbound_email`:
- an address that is not ours, or whose signature does not match, is rejected
  (messaging.inbound_failed to site admins);
- a reply from the user's own address is handed to the target's handler
  (messaging.inbound_processed to the sender, and to site admins if the site's messaging
  settings ask for it);
- a reply from another address is held, and the user is asked to confirm it was them
  (messaging.inbound_confirm_sender) within INBOUND_CONFIRM_HOURS; confirmed, it is processed.
Quoted text and signatures are stripped; attachments are kept within INBOUND_MAX_ATTACHMENT_BYTES.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

_handlers: dict[str, Callable] = {}


class InboundRejected(Exception):
    """The email cannot be processed; the message says why (in the log, and to whoever asked
    for the processing). `code`, one of REASON_CODES, names the reason for the
    messaging.inbound_failed notice, whose templates word it in each recipient's language;
    without a code the notice shows the message as its reason."""

    def __init__(self, message: str = "", code: str = ""):
        super().__init__(message)
        self.code = code


# The reasons messaging.inbound_failed words itself (instant/messages.py): keep them in step.
REASON_CODES = (
    "unknown_address",  # not sent to a reply address of this site
    "tampered",  # a reply address whose signature does not match
    "unknown_user",  # the address names a user who is gone or inactive
    "not_accepted",  # replies to that kind of thing are not taken
    "no_text",  # only quoted text
    "target_gone",  # what it answers no longer exists
)


@dataclass
class Reply:
    from_address: str
    to_addresses: list[str]
    subject: str
    text: str
    attachments: list[tuple[str, bytes, str]] = field(default_factory=list)


def register_reply_handler(kind: str, handler: Callable) -> None:
    """`handler(user, target_id, text, attachments)` turns a reply into the app's own object;
    raise InboundRejected("why") to refuse (e.g. the conversation is closed to the user), with
    code="target_gone" when what it answers no longer exists."""
    _handlers[kind] = handler


def _mailbox() -> tuple[str, str]:
    local, _at, domain = settings.INBOUND_EMAIL_ADDRESS.partition("@")
    return local, domain.lower()


def _signature(payload: str) -> str:
    key = (settings.SECRET_KEY + "inbound").encode()
    digest = hmac.new(key, payload.encode(), hashlib.sha256).digest()
    return base64.b32encode(digest[:10]).decode().lower()


def reply_address(user_id: int, kind: str, target_id: int) -> str:
    """The signed address a user replies to, to answer `kind` #target_id."""
    local, domain = _mailbox()
    payload = f"{user_id}-{kind}-{target_id}"
    return f"{local}+{payload}.{_signature(payload)}@{domain}"


_ADDRESS = re.compile(
    r"^(?P<local>[^+@]+)\+(?P<payload>[0-9]+-[a-z_]+-[0-9]+)\.(?P<sig>[a-z2-7]+)@(?P<domain>.+)$"
)


def parse_address(addresses: list[str]) -> tuple[int, str, int]:
    """(user id, kind, target id) from the first of our reply addresses; raises InboundRejected."""
    local, domain = _mailbox()
    ours = False
    for address in addresses:
        match = _ADDRESS.match(address.strip().lower())
        if not match or match["local"] != local.lower() or match["domain"] != domain:
            continue
        ours = True
        if hmac.compare_digest(match["sig"], _signature(match["payload"])):
            user_id, kind, target_id = match["payload"].split("-")
            return int(user_id), kind, int(target_id)
    if ours:
        raise InboundRejected(
            "The reply address has been altered: its signature does not match.", code="tampered"
        )
    raise InboundRejected(
        "The email was not sent to a reply address of this site.", code="unknown_address"
    )


_QUOTE_HEADER = re.compile(
    r"^\s*(On .+ wrote:|Le .+ a écrit ?:|Am .+ schrieb .+:|-----\s*Original Message\s*-----)\s*$",
    re.I,
)


def strip_quotes(text: str) -> str:
    """The new part of a reply: without quoted lines, the "On ... wrote:" line and the signature."""
    kept = []
    for line in (text or "").replace("\r\n", "\n").split("\n"):
        if _QUOTE_HEADER.match(line) or line.rstrip() in {"--", "-- "}:
            break
        if line.lstrip().startswith(">"):
            continue
        kept.append(line)
    return "\n".join(kept).strip()


def _admins():
    return get_user_model().objects.filter(is_superuser=True, is_active=True)


def _fail(reply: Reply, error: InboundRejected, user=None) -> None:
    import notifications

    recipients = list(_admins())
    if user is not None:
        recipients.append(user)
    # A code is worded by the template in each recipient's language; only a reason without
    # one (a handler's own refusal) travels as text.
    reason = {"reason_code": error.code} if error.code else {"reason": str(error)}
    notifications.send(
        "messaging.inbound_failed",
        recipients,
        context={**reason, "from_address": reply.from_address, "message_subject": reply.subject},
    )


def receive(reply: Reply) -> str:
    """Processes one inbound email. Returns "processed", "held" or "rejected"; never raises
    for bad input (a webhook must answer 2xx to what it has handled)."""
    from notifications.models import HeldReply

    try:
        user_id, kind, target_id = parse_address(reply.to_addresses)
        user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
        if user is None:
            raise InboundRejected(
                "The reply address names a user who no longer exists.", code="unknown_user"
            )
        if kind not in _handlers:
            raise InboundRejected(f"Replies to {kind} are not accepted.", code="not_accepted")
        text = strip_quotes(reply.text)
        if not text:
            raise InboundRejected(
                "The reply has no text of its own (only quoted text).", code="no_text"
            )
        attachments = _within_limits(reply.attachments)
    except InboundRejected as error:
        _fail(reply, error)
        logger.info("inbound email from %s rejected: %s", reply.from_address, error)
        return "rejected"
    if reply.from_address.strip().lower() != (user.email or "").lower():
        held = HeldReply.objects.create(
            user=user,
            kind=kind,
            target_id=target_id,
            from_address=reply.from_address,
            subject=reply.subject[:300],
            text=text,
            expires_at=timezone.now() + timedelta(hours=settings.INBOUND_CONFIRM_HOURS),
        )
        _ask_to_confirm(held)
        return "held"
    return _process(user, kind, target_id, text, attachments, reply)


def _within_limits(attachments):
    limit = settings.INBOUND_MAX_ATTACHMENT_BYTES
    kept = [a for a in attachments if len(a[1]) <= limit]
    if len(kept) < len(attachments):
        logger.info(
            "inbound email: %d attachment(s) over %d bytes dropped",
            len(attachments) - len(kept),
            limit,
        )
    return kept


def _process(user, kind, target_id, text, attachments, reply: Reply) -> str:
    import notifications

    try:
        with transaction.atomic():
            _handlers[kind](user, target_id, text, attachments)
    except InboundRejected as error:
        _fail(reply, error, user)
        return "rejected"
    from notifications.models import SiteMessaging

    # As in Moodle the sender is told; site admins only if the site asks for every one.
    admins = list(_admins()) if SiteMessaging.load().inbound_processed_to_admins else []
    notifications.send(
        "messaging.inbound_processed",
        [user, *admins],
        context={"from_address": reply.from_address, "message_subject": reply.subject},
    )
    return "processed"


CONFIRM_SALT = "notifications.inbound.confirm"


def _ask_to_confirm(held) -> None:
    import notifications

    token = signing.dumps(held.pk, salt=CONFIRM_SALT)
    notifications.send(
        "messaging.inbound_confirm_sender",
        [held.user],
        context={"message_subject": held.subject, "expires_at": held.expires_at},
        url=reverse("inbound-confirm", args=[token]),
        outputs=["email"],
    )


def confirm(token: str, user) -> str:
    """The user confirms a held reply: it is processed if still within its time."""
    from notifications.models import HeldReply

    try:
        held_id = signing.loads(token, salt=CONFIRM_SALT)
    except signing.BadSignature:
        raise InboundRejected(_("This confirmation link is not valid.")) from None
    with transaction.atomic():
        held = HeldReply.objects.select_for_update().filter(pk=held_id, user=user).first()
        if held is None:
            raise InboundRejected(_("This confirmation link is not valid."))
        if held.status != HeldReply.Status.HELD:
            return held.status
        if held.expires_at < timezone.now():
            held.status = HeldReply.Status.EXPIRED
            held.save(update_fields=["status"])
            raise InboundRejected(_("This confirmation link has expired; the email was discarded."))
        held.status = HeldReply.Status.CONFIRMED
        held.save(update_fields=["status"])
    reply = Reply(held.from_address, [], held.subject, held.text)
    return _process(held.user, held.kind, held.target_id, held.text, [], reply)


def from_anymail(message) -> Reply:
    """An anymail AnymailInboundMessage (webhook or parsed .eml) as a Reply."""
    attachments = []
    for part in message.attachments:
        attachments.append(
            (part.get_filename() or "attachment", part.get_content_bytes(), part.get_content_type())
        )
    to = [a.addr_spec for a in (message.to or [])] + [a.addr_spec for a in (message.cc or [])]
    envelope = message.envelope_recipient
    if envelope:
        to.insert(0, envelope)
    return Reply(
        from_address=message.from_email.addr_spec if message.from_email else "",
        to_addresses=to,
        subject=message.subject or "",
        text=message.text or "",
        attachments=attachments,
    )


def handle_anymail_inbound(sender, event, esp_name, **kwargs):
    receive(from_anymail(event.message))
