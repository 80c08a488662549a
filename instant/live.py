"""Frames pages send over the socket for instant messaging: sending a message, typing, and
resync after a gap."""

from instant import actions, queries
from instant.models import Conversation, Membership
from instant.presenting import message_item
from notifications import live


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
    event = {
        "type": "push",
        "frame": {
            "type": "typing",
            "conversation": conversation_id,
            "user": consumer.user.pk,
            "name": consumer.user.display_name,
        },
    }
    for user_id in others:
        await consumer.channel_layer.group_send(live.group_name(user_id), event)


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


@live.database_async
def _send(user, conversation_id: int, body):
    # Outside any transaction: the message is committed when this returns.
    message, pushes = actions.write_message(user, conversation_id, body, from_socket=True)
    return message_item(message, user.display_name), pushes


async def send_message(consumer, frame):
    """Sends a message from an open tab, as the API's POST does (same action, same rules and
    rate limit) without a request per message. Answers `message.sent` with the item, or
    `message.refused` with the reason; either carries the frame's `ref` back so the tab can
    match it. The message is saved before any push, like every other way of sending."""
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
    try:
        item, pushes = await _send(consumer.user, conversation_id, frame.get("body"))
    except Conversation.DoesNotExist:
        error = "no such conversation"
    except actions.MessagingError as refused:
        error = str(refused)
    else:
        # The recipients first; then the answer to this tab; then the sender's other tabs.
        recipients, senders_tabs = pushes
        await live.push_each_async([recipients])
        await consumer.send_json(
            {"type": "message.sent", "ref": ref, "conversation": conversation_id, "message": item}
        )
        await live.push_each_async([senders_tabs], origin=consumer.channel_name)
        return
    await consumer.send_json({"type": "message.refused", "ref": ref, "error": error})
