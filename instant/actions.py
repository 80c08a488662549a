"""What people do in instant messaging. Pages, the JSON API and the socket call these."""

from __future__ import annotations

import functools
import operator
import time
from datetime import timedelta

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, transaction
from django.db.models import Case, F, Min, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from instant import rules
from instant.models import (
    MAX_MESSAGE_LENGTH,
    Block,
    Contact,
    ContactRequest,
    Conversation,
    HiddenMessage,
    Membership,
    Message,
    MessagingSettings,
    Privacy,
)
from instant.presenting import message_item
from notifications import live, loop_clients, presence


class MessagingError(Exception):
    """The action is refused; the message says why (shown to the user as it is)."""


class RateLimited(MessagingError):
    pass


def _pair_key(a: int, b: int) -> str:
    low, high = sorted((a, b))
    return f"{low}:{high}"


def conversation_for(user, conversation_id: int) -> Conversation:
    """The conversation if the user is a member; raises Conversation.DoesNotExist otherwise."""
    return Conversation.objects.get(pk=conversation_id, memberships__user=user)


@transaction.atomic
def start_conversation(user, member_ids, name: str = "") -> tuple[Conversation, bool]:
    """Returns (conversation, created). One other member: the pair's one-to-one conversation
    (existing one returned, not duplicated); none: the user's own notes; several: a new group.
    Raises MessagingError naming whom the user may not message."""
    others = sorted({int(m) for m in member_ids} - {user.pk})
    if len(others) <= 1:
        other = others[0] if others else user.pk
        kind = Conversation.Kind.ONE_TO_ONE if others else Conversation.Kind.SELF
        key = _pair_key(user.pk, other)
        existing = Conversation.objects.filter(pair_key=key).first()
        if existing:
            Membership.objects.filter(conversation=existing, user=user).update(hidden=False)
            return existing, False
    refused = rules.refusals(user, others)
    if refused:
        raise MessagingError(" ".join(refused[i] for i in sorted(refused)))
    if len(others) <= 1:
        try:
            with transaction.atomic():
                conversation = Conversation.objects.create(kind=kind, pair_key=key, created_by=user)
        except IntegrityError:  # started by the other member at the same moment
            return Conversation.objects.get(pair_key=key), False
    else:
        conversation = Conversation.objects.create(
            kind=Conversation.Kind.GROUP, name=name.strip()[:200], created_by=user
        )
    Membership.objects.bulk_create(
        [Membership(conversation=conversation, user_id=u) for u in {user.pk, *others}]
    )
    return conversation, True


def _rate_key(user) -> tuple[str, int]:
    """The user's counter for this window of INSTANT_RATE_LIMIT, and how long it lives."""
    window = settings.INSTANT_RATE_LIMIT[1]
    return f"instant:rate:{user.pk}:{int(time.time() // window)}", window + 1


def _refuse_over_rate(count: int) -> None:
    limit, window = settings.INSTANT_RATE_LIMIT
    if count > limit:
        raise RateLimited(
            _(
                "You are sending messages too fast: at most %(limit)d every %(window)d seconds. "
                "Wait a moment and send it again."
            )
            % {"limit": limit, "window": window}
        )


def _check_rate(user) -> None:
    _refuse_over_rate(presence.incr_expiring(*_rate_key(user)))


async def _check_rate_async(user) -> None:
    _refuse_over_rate(await presence.incr_expiring_async(*_rate_key(user)))


def clean_body(body) -> str:
    if not isinstance(body, str) or not body.strip():
        raise MessagingError(_("Write a message first."))
    if "\x00" in body:
        raise MessagingError(_("A message cannot contain NUL characters (\\x00)."))
    body = body.strip()
    if len(body) > MAX_MESSAGE_LENGTH:
        raise MessagingError(
            _("A message is at most %(most)d characters; this one has %(length)d.")
            % {"most": MAX_MESSAGE_LENGTH, "length": len(body)}
        )
    return body


def send_message(user, conversation_id: int, body, *, check_rate: bool = True) -> Message:
    """Adds a message; once it is committed it is pushed to every member's open pages.

    Raises Conversation.DoesNotExist for a conversation the user is not in, MessagingError
    (or RateLimited) when refused; nothing is written then. The message is saved before any
    push: nothing lives only in the socket.
    """
    message, pushes = write_message(user, conversation_id, body, check_rate=check_rate)
    live.push_each(pushes)
    return message


def write_message(user, conversation_id: int, body, *, check_rate: bool = True):
    """send_message without its pushes: returns the saved message and the pushes, as
    live.push_each takes them, for the caller to send once the message is committed (a socket
    pushes them from its event loop, without a hand-off from this thread and back)."""
    _check_id(conversation_id)
    try:
        body = clean_body(body)
        # Every attempt counts, refused ones too; the count comes before the write, which is
        # also where the membership and the rules are checked (one statement on PostgreSQL).
        if check_rate:
            _check_rate(user)
    except MessagingError:
        rules.for_message(user, conversation_id)  # outsiders get a 404 whatever they sent
        raise
    message = Message(
        conversation_id=conversation_id, sender=user, body=body, created_at=timezone.now()
    )
    return message, _pushes(message, _save(message))


async def write_message_async(user, conversation_id: int, body):
    """write_message for a frame from a socket, with the same checks, in the same order.

    On PostgreSQL the count and the statement run on the event loop (notifications.loop_clients):
    no hand-off to a thread and back, no check-out from the ORM's pool. Elsewhere write_message
    runs in a thread."""
    if not loop_clients.database_available():
        return await live.database_async(write_message)(user, conversation_id, body)
    _check_id(conversation_id)
    try:
        body = clean_body(body)
        await _check_rate_async(user)
    except MessagingError:
        await live.database_async(rules.for_message)(user, conversation_id)
        raise
    message = Message(
        conversation_id=conversation_id, sender=user, body=body, created_at=timezone.now()
    )
    values = _save_values(message)
    async with loop_clients.database() as conn:
        cursor = await conn.execute(_save_sql(), values)
        rows = await cursor.fetchall()
    return message, _pushes(message, _saved(message, rows))


def _check_id(conversation_id: int) -> None:
    if not 0 < conversation_id < 2**63:  # no such id (and beyond what the database compares)
        raise Conversation.DoesNotExist("Conversation matching query does not exist.")


def _pushes(message: Message, member_ids: list[int]) -> list[tuple]:
    """What live.push_each sends for a new message."""
    user = message.sender
    conversation_id = message.conversation_id
    frame = {
        "type": "message.new",
        "conversation": conversation_id,
        "message": message_item(message),
    }
    # The recipients first, with their counters in the same group message; then the sender's
    # other tabs.
    others = [m for m in member_ids if m != user.pk]
    return [(others, frame, True), ([user.pk], frame, False)]


def _save(message: Message) -> list[int]:
    """Checks that the sender is a member and may write to the conversation, then inserts the
    message, sets the conversation's last message time, shows the conversation again to members
    who hid it and marks it read for the sender: all or nothing. Returns the members' ids.

    On PostgreSQL one statement, its own transaction outside atomic(): a message's latency is
    mostly round trips to the database. Elsewhere a read, then three statements in atomic().
    """
    sender, conversation_id, now = message.sender, message.conversation_id, message.created_at
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_save_sql(), _save_values(message))
            return _saved(message, cursor.fetchall())
    with transaction.atomic():  # the check under the same write lock as the writes
        _kind, member_ids, refusal = rules.for_message(sender, conversation_id)
        if refusal:
            raise MessagingError(refusal)
        message.save(force_insert=True)
        Conversation.objects.filter(pk=conversation_id).update(last_message_at=now)
        Membership.objects.filter(
            Q(hidden=True) | Q(user_id=sender.pk), conversation_id=conversation_id
        ).update(
            hidden=False,
            last_read_at=Case(When(user_id=sender.pk, then=Value(now)), default=F("last_read_at")),
        )
    return member_ids


def _save_values(message: Message) -> dict:
    return rules.members_values(
        message.sender,
        message.conversation_id,
        body=message.body,
        now=message.created_at,
    )


def _saved(message: Message, rows) -> list[int]:
    """_save_sql's rows read: the members' ids, once the message is saved; raises as _save."""
    _kind, member_ids, refusal = rules.judge_members(message.sender, rows)
    if refusal:
        raise MessagingError(refusal)
    message.pk = rows[0][4]
    message._state.adding, message._state.db = False, DEFAULT_DB_ALIAS
    return member_ids


@functools.cache
def _save_sql() -> str:
    """_save on PostgreSQL: the members with the verdict (rules.members_sql), then the writes,
    each only if the sender is a member and no member refuses them. Returns the members' rows
    with the new message's id (NULL when nothing was written)."""
    message, conversation = Message._meta.db_table, Conversation._meta.db_table
    membership = Membership._meta.db_table
    return f"""
        WITH member AS ({rules.members_sql()}),
        allowed AS (
            SELECT 1 FROM member
            HAVING bool_or(id = %(sender)s) AND NOT bool_or(reason IS NOT NULL)
        ), message AS (
            INSERT INTO {message} (conversation_id, sender_id, body, created_at)
            SELECT %(conversation)s, %(sender)s, %(body)s, %(now)s FROM allowed
            RETURNING id
        ), conversation AS (
            UPDATE {conversation} SET last_message_at = %(now)s
            WHERE id = %(conversation)s AND EXISTS (SELECT 1 FROM message)
        ), members AS (
            UPDATE {membership} SET hidden = false,
                last_read_at = CASE WHEN user_id = %(sender)s THEN %(now)s ELSE last_read_at END
            WHERE conversation_id = %(conversation)s AND (hidden OR user_id = %(sender)s)
                AND EXISTS (SELECT 1 FROM message)
        )
        SELECT id, full_name, kind, reason, (SELECT id FROM message) FROM member
    """


def mark_read(user, conversation_id: int) -> int:
    """Marks the conversation read up to now; tells the other member of a one-to-one (receipt)."""
    conversation = conversation_for(user, conversation_id)
    now = timezone.now()
    Membership.objects.filter(conversation=conversation, user=user).update(last_read_at=now)
    live.push_counts([user.pk])
    if conversation.kind == Conversation.Kind.ONE_TO_ONE:
        others = conversation.memberships.exclude(user=user).values_list("user_id", flat=True)
        live.push(
            list(others),
            {"type": "message.read", "conversation": conversation.pk, "read_at": now.isoformat()},
        )
    return conversation.pk


def set_flags(user, conversation_id: int, **flags) -> Membership:
    """Sets muted / favourite / hidden for the user's membership."""
    allowed = {k: bool(v) for k, v in flags.items() if k in {"muted", "favourite", "hidden"}}
    conversation = conversation_for(user, conversation_id)
    membership = Membership.objects.get(conversation=conversation, user=user)
    for key, value in allowed.items():
        setattr(membership, key, value)
    membership.save(update_fields=list(allowed) or None)
    if "muted" in allowed:
        live.push_counts([user.pk])
    return membership


def delete_for_me(user, message_id: int) -> None:
    """Hides a message from the user's own view of the thread."""
    message = Message.objects.get(pk=message_id, conversation__memberships__user=user)
    HiddenMessage.objects.get_or_create(message=message, user=user)


# Contacts, blocking, privacy


@transaction.atomic
def request_contact(user, other_id: int) -> str:
    """Sends a contact request (or accepts theirs if they asked first). Returns what happened."""
    if other_id == user.pk:
        raise MessagingError(_("You cannot add yourself as a contact."))
    if Block.objects.filter(blocker_id=other_id, blocked=user).exists():
        raise MessagingError(_("This person does not accept requests from you."))
    if Contact.objects.filter(user=user, contact_id=other_id).exists():
        return "already"
    if ContactRequest.objects.filter(requester_id=other_id, requested=user).exists():
        accept_contact(user, other_id)
        return "accepted"
    ContactRequest.objects.get_or_create(requester=user, requested_id=other_id)
    return "requested"


@transaction.atomic
def accept_contact(user, requester_id: int) -> None:
    deleted, _rows = ContactRequest.objects.filter(
        requester_id=requester_id, requested=user
    ).delete()
    if not deleted:
        raise MessagingError(_("There is no contact request from this person."))
    Contact.objects.bulk_create(
        [Contact(user=user, contact_id=requester_id), Contact(user_id=requester_id, contact=user)],
        ignore_conflicts=True,
    )


def decline_contact(user, requester_id: int) -> None:
    deleted, _rows = ContactRequest.objects.filter(
        requester_id=requester_id, requested=user
    ).delete()
    if not deleted:
        raise MessagingError(_("There is no contact request from this person."))


def remove_contact(user, other_id: int) -> None:
    Contact.objects.filter(
        Q(user=user, contact_id=other_id) | Q(user_id=other_id, contact=user)
    ).delete()


@transaction.atomic
def block(user, other_id: int) -> None:
    if other_id == user.pk:
        raise MessagingError(_("You cannot block yourself."))
    Block.objects.get_or_create(blocker=user, blocked_id=other_id)
    ContactRequest.objects.filter(requester_id=other_id, requested=user).delete()


def unblock(user, other_id: int) -> None:
    Block.objects.filter(blocker=user, blocked_id=other_id).delete()


def set_privacy(user, privacy: str) -> None:
    if privacy not in Privacy.values:
        raise MessagingError(_("Choose one of: %s.") % ", ".join(Privacy.values))
    MessagingSettings.objects.update_or_create(user=user, defaults={"privacy": privacy})


def message_each(user, recipient_ids, body) -> tuple[int, dict[int, str]]:
    """The People block: the same message to each recipient, each in its own one-to-one
    conversation. Returns (sent, {recipient: reason refused})."""
    body = clean_body(body)
    refused = rules.refusals(user, recipient_ids)
    _check_rate(user)  # one action, however many recipients
    sent = 0
    for recipient in sorted({int(r) for r in recipient_ids} - set(refused) - {user.pk}):
        conversation, _created = start_conversation(user, [recipient])
        send_message(user, conversation.pk, body, check_rate=False)
        sent += 1
    return sent, refused


def email_unread_messages(now=None) -> int:
    """Emails members who left messages unread for INSTANT_EMAIL_DELAY_SECONDS, and pushes
    them to their subscribed browsers, per their preferences for messaging.personal (logged
    off, by default).

    One email per member and conversation covers every message still unread then, so several
    messages within the delay become one email. Members who missed the same messages share one
    send(), so a run costs a constant number of queries per conversation and set of messages,
    however many members are away. Idempotent: `emailed_up_to` and the dedupe key (per
    recipient) record what an email covered.
    """
    import notifications

    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.INSTANT_EMAIL_DELAY_SECONDS)
    unread = (
        Q(conversation__messages__created_at__gt=F("last_read_at"))
        & ~Q(conversation__messages__sender=F("user"))
        & (
            Q(emailed_up_to__isnull=True)
            | Q(conversation__messages__created_at__gt=F("emailed_up_to"))
        )
    )
    due = (
        Membership.objects.filter(muted=False)
        .annotate(oldest=Min("conversation__messages__created_at", filter=unread))
        .filter(oldest__lte=cutoff)
        .select_related("conversation", "user")
    )
    due = list(due)
    if not due:
        return 0
    since = {m.pk: max(filter(None, [m.last_read_at, m.emailed_up_to])) for m in due}
    # The messages any of them may not have seen, one query for every conversation.
    earliest: dict[int, object] = {}
    for m in due:
        earliest[m.conversation_id] = min(earliest.get(m.conversation_id, since[m.pk]), since[m.pk])
    window = functools.reduce(
        operator.or_, (Q(conversation_id=c, created_at__gt=t) for c, t in earliest.items())
    )
    thread: dict[int, list[Message]] = {}
    for message in (
        Message.objects.filter(window).select_related("sender").order_by("created_at", "id")
    ):
        thread.setdefault(message.conversation_id, []).append(message)
    # Members of a conversation who left the same messages unread get one send together (the
    # usual case: a group that has not read the latest), so the cost is per conversation and
    # set of messages, not per member.
    together: dict[tuple, tuple[list[Membership], list[Message]]] = {}
    for m in due:
        pending = [
            x
            for x in thread.get(m.conversation_id, ())
            if x.created_at > since[m.pk] and x.sender_id != m.user_id
        ]
        if pending:
            key = (m.conversation_id, tuple(x.pk for x in pending))
            together.setdefault(key, ([], pending))[0].append(m)
    emailed = 0
    for (conversation_id, _ids), (members, pending) in together.items():
        senders = {x.sender for x in pending}
        text = "\n\n".join(
            (f"{x.sender.display_name}: " if len(senders) > 1 else "") + x.body for x in pending
        )
        with transaction.atomic():
            notifications.send(
                "messaging.personal",
                [m.user for m in members],
                context={"message": text, "conversation": members[0].conversation.name},
                sender=pending[-1].sender if len(senders) == 1 else None,
                url=f"/messages/{conversation_id}/",
                dedupe_key=f"unread:{conversation_id}:{pending[-1].pk}",
                # The conversation is its own web inbox; a member away that long is told by
                # email and on their subscribed devices (push), each as they chose.
                outputs=["email", "push"],
                data={"reply": {"kind": "conversation", "id": conversation_id}},
            )
            Membership.objects.filter(pk__in=[m.pk for m in members]).update(
                emailed_up_to=pending[-1].created_at
            )
        emailed += len(members)
    return emailed


def reply_by_email(user, conversation_id: int, text: str, attachments) -> None:
    """A reply by email becomes a message in the conversation (attachments are not kept:
    instant messages are text)."""
    from notifications.inbound import InboundRejected

    try:
        send_message(user, conversation_id, text)
    except Conversation.DoesNotExist:
        raise InboundRejected("The conversation does not exist or the user left it.") from None
    except MessagingError as error:
        raise InboundRejected(str(error)) from None
