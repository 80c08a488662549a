"""Messages and conversations as the pages, the API and live frames show them."""

from notifications.rendering import text_to_html


def message_item(message, sender_name: str | None = None) -> dict:
    """The API's message item: plain text body, plus its safe HTML (links made clickable)."""
    return {
        "id": message.pk,
        "conversation": message.conversation_id,
        "sender": message.sender_id,
        "sender_name": sender_name if sender_name is not None else _name(message),
        "body": message.body,
        "body_html": text_to_html(message.body),
        "created_at": message.created_at.isoformat(),
    }


def _name(message) -> str:
    sender = getattr(message, "sender", None)
    return sender.display_name if sender else ""
