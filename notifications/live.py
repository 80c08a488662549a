"""Live pushes to users' open pages, over one Channels group per user.

Apps register counters (alerts, tasks, messages) so this module never imports them. Pushes are
scheduled after commit: a frame never announces a row that could still roll back.
"""

from collections.abc import Callable, Iterable

from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.db import transaction

_counters: dict[str, Callable] = {}
_receivers: dict[str, Callable] = {}


def database_async(func: Callable) -> Callable:
    """channels' database_sync_to_async on the event loop's thread pool.

    channels runs every such call of a process in one shared thread, so one socket's queries
    wait behind every other socket's. Consumers' calls are independent (each opens and commits
    its own work), so they run side by side, each thread on its own connection.
    """
    return database_sync_to_async(func, thread_sensitive=False)


def register_receiver(frame_type: str, handler: Callable) -> None:
    """`await handler(consumer, frame)` runs when a page sends a frame of this type."""
    _receivers[frame_type] = handler


def receiver_for(frame_type: str) -> Callable | None:
    return _receivers.get(frame_type)


def register_counter(name: str, count: Callable) -> None:
    """`count(user)` returns the user's number for `name` (e.g. unread alerts)."""
    _counters[name] = count


def counts_for(user) -> dict[str, int]:
    return {name: count(user) for name, count in sorted(_counters.items())}


def group_name(user_id: int) -> str:
    return f"user.{user_id}"


def push_now(user_ids: Iterable[int], frame: dict, *, counts: bool = False) -> None:
    """Sends `frame` to every open page of these users, in the order given; with `counts`, each
    page then gets its refreshed counters (one group message instead of two)."""
    layer = get_channel_layer()
    if layer is None:
        return
    event = {"type": "push", "frame": frame, "counts": counts}
    groups = [group_name(user_id) for user_id in dict.fromkeys(user_ids)]

    async def send_all():
        for group in groups:
            await layer.group_send(group, event)

    # One trip to the event loop for all of them (each async_to_sync is a thread hand-off).
    async_to_sync(send_all)()


def push(user_ids: Iterable[int], frame: dict, *, counts: bool = False) -> None:
    """Sends `frame` to every open page of these users once the current transaction commits."""
    user_ids = list(user_ids)
    transaction.on_commit(lambda: push_now(user_ids, frame, counts=counts))


def push_counts(user_ids: Iterable[int]) -> None:
    """Asks each user's open pages to refresh their counters (each socket computes its own)."""
    push(user_ids, {"type": "counts.refresh"})
