"""Test helpers: a valid context for any type, so tests follow the catalogue as it changes."""

from notifications import catalogue


def context_for(key: str, **values) -> dict:
    message_type = catalogue.get(key)
    context = {p.name: f"<{p.name}>" for p in message_type.placeholders}
    context.update(values)
    return context
