"""Frames pages send over the socket for instant messaging: sending a message, typing, and
resync after a gap."""

import asyncio
import logging
import weakref

from instant import actions, queries
from instant.models import Conversation, Membership
from instant.presenting import message_item
from notifications import delivery, live

logger = logging.getLogger(__name__)


@live.database_async
def _others_in(user, conversation_id) -> list[int] | None:
    members = list(
        Membership.objects.filter(conversation_id=conversation_id).values_list("user_id", flat=True)
    )
    if user.pk not in members:
        return None
    return [m for m in members if m != user.pk]


async def typing(consumer, frame):
    """Tells the other members of an open conversation that the user is typing."""
    try:
        conversation_id = int(frame.get("conversation"))
    except (TypeError, ValueError):
        await consumer.send_json({"type": "error", "error": "typing needs a conversation id"})
        return
    others = await _others_in(consumer.user, conversation_id)
    if others is None:
        await consumer.send_json({"type": "error", "error": "no such conversation"})
        return
    frame = {
        "type": "typing",
        "conversation": conversation_id,
        "user": consumer.user.pk,
        "name": consumer.user.display_name,
    }
    await live.push_each_async([(others, frame, False)])


@live.database_async
def _missed(user, since):
    return [(m.conversation_id, message_item(m)) for m in queries.missed(user, since)]


async def sync(consumer, frame):
    """A tab back from a gap asks for the messages after the last one it saw."""
    try:
        since = int(frame.get("since", 0))
    except (TypeError, ValueError):
        await consumer.send_json({"type": "error", "error": "sync needs since: a message id"})
        return
    for conversation_id, item in await _missed(consumer.user, since):
        await consumer.send_json(
            {"type": "message.new", "conversation": conversation_id, "message": item}
        )
    await consumer.send_json({"type": "synced", "since": since})
    await consumer.send_counts()


async def _send(user, conversation_id: int, body):
    # Outside any transaction: the message is committed when this returns.
    _, pushes = await actions.write_message_async(user, conversation_id, body)
    return pushes[0][1]["message"], pushes  # the message item, as the pushes carry it


# Per open tab, the recipients of its last message in each conversation it wrote to: the next
# message there looks up their sockets while it is being saved (see send_message).
_recipients: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
REMEMBERED_CONVERSATIONS = 20


def _ahead(groups) -> asyncio.Future:
    """Looks up the groups' sockets in the background; a failure is dealt with by whoever
    awaits the result, or dropped with the result if nobody does."""
    task = asyncio.ensure_future(delivery.look_up(groups))
    task.add_done_callback(lambda done: done.cancelled() or done.exception())
    return task


async def send_message(consumer, frame):
    """Sends a message from an open tab, as the API's POST does (same action, same rules and
    rate limit) without a request per message. Answers `message.sent` with the item, or
    `message.refused` with the reason; either carries the frame's `ref` back so the tab can
    match it. The message is saved before any push, like every other way of sending.

    While it is saved, the sockets of the sender's other tabs, and of the recipients of this
    tab's previous message in the conversation, are looked up: once it is committed one trip to
    Redis delivers it (the saved members decide: if they differ, they are looked up then), and
    none goes to the sender's group when this tab is the only one there."""
    ref = frame.get("ref")
    if not isinstance(ref, str | int) or len(str(ref)) > 64:
        ref = None
    try:
        conversation_id = int(frame.get("conversation"))
    except (TypeError, ValueError):
        await consumer.send_json(
            {"type": "message.refused", "ref": ref, "error": "message.send needs a conversation id"}
        )
        return
    remembered = _recipients.setdefault(consumer, {})
    expected = remembered.get(conversation_id, frozenset())
    senders_group = live.group_name(consumer.user.pk)
    ahead = _ahead([senders_group, *map(live.group_name, expected)])  # one trip to Redis
    try:
        item, pushes = await _send(consumer.user, conversation_id, frame.get("body"))
    except Conversation.DoesNotExist:
        error = "no such conversation"
    except actions.MessagingError as refused:
        error = str(refused)
    else:
        (recipients, message, counts), _ = pushes
        remembered.pop(conversation_id, None)
        remembered[conversation_id] = frozenset(recipients)
        if len(remembered) > REMEMBERED_CONVERSATIONS:
            del remembered[next(iter(remembered))]
        looked_up = None
        try:
            looked_up = await ahead
            # The recipients first; then the answer to this tab; then the sender's other tabs.
            groups = list(map(live.group_name, recipients))
            if frozenset(recipients) == expected:
                targets = looked_up.subset(groups)
            else:
                targets = await delivery.look_up(groups)
            await delivery.deliver(targets, live.event(message, counts=counts))
        except Exception:  # saved all the same: the recipients' pages get it when they sync
            logger.exception("message %s saved but not pushed", item["id"])
        await consumer.send_json(
            {"type": "message.sent", "ref": ref, "conversation": conversation_id, "message": item}
        )
        try:
            senders = (looked_up or delivery.Targets((senders_group,))).subset(
                [senders_group], leaving_out=consumer.channel_name
            )
            await delivery.deliver(senders, live.event(message, origin=consumer.channel_name))
        except Exception:
            logger.exception("message %s not pushed to the sender's other tabs", item["id"])
        return
    finally:
        ahead.cancel()
    await consumer.send_json({"type": "message.refused", "ref": ref, "error": error})
