"""Frames pages send over the socket for instant messaging: typing, and resync after a gap."""

from channels.db import database_sync_to_async

from instant import queries
from instant.models import Membership
from instant.presenting import message_item
from notifications import live


@database_sync_to_async
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


@database_sync_to_async
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
