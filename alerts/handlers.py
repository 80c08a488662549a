"""Task actions: a feature registers what `accept`, `decline` (or its own verbs) do for its keys.

    @task_action("programs.extension_request", "accept")
    def accept_extension(event, actor, comment): ...

The handler runs in the acting transaction; raise TaskRefused with a message to refuse.
"""

from collections.abc import Callable

from notifications import catalogue


class TaskRefused(Exception):
    """A handler refuses the action; the message is shown to the user."""


_handlers: dict[str, dict[str, Callable]] = {}


def task_action(key: str, action: str):
    message_type = catalogue.get(key)
    if message_type.kind != catalogue.Kind.TASK:
        raise ValueError(f"{key} is not a task")

    def register(handler):
        _handlers.setdefault(key, {})[action] = handler
        return handler

    return register


def actions_for(key: str) -> list[str]:
    """The actions a task of this type offers, in the catalogue's order, then any others."""
    registered = _handlers.get(key, {})
    declared = [a for a in catalogue.get(key).actions if a in registered]
    return declared + sorted(a for a in registered if a not in declared)


def handler_for(key: str, action: str) -> Callable | None:
    return _handlers.get(key, {}).get(action)
