"""Live pushes to users' open pages, over one Channels group per user.

Apps register counters (alerts, tasks, messages) so this module never imports them. Pushes are
scheduled after commit: a frame never announces a row that could still roll back.
"""

import functools
from collections.abc import Callable, Iterable

from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.db import connection, transaction

from notifications import delivery

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


def register_counter(name: str, rows: Callable) -> None:
    """`rows(user_id)` returns the QuerySet whose count is the user's number for `name` (e.g.
    their unread alerts). Its SQL is built once and reused with each user's id, so the rows may
    depend on the user id alone (not on the time or settings read when they are built)."""
    _counters[name] = rows
    _counts_statement.cache_clear()


# Stands for the user's id while the counters' SQL is built once (see _counts_statement).
_ANY_USER = 987_654_321_012


@functools.cache
def _counts_statement() -> tuple[list[str], str, list]:
    """Every counter in one SELECT, built once per process: the ORM took longer to build the
    three queries than the database to answer them, on every push and page. Returns the names,
    the SQL and its parameters, where _ANY_USER marks the user's id."""
    names, parts, params = [], [], []
    for name, rows in sorted(_counters.items()):
        sql, row_params = rows(_ANY_USER).order_by().values("pk").query.sql_with_params()
        if _ANY_USER not in row_params:
            raise ValueError(f"the {name} counter's rows must depend on the user")
        names.append(name)
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) counted_{len(names)})")
        params.extend(row_params)
    return names, "SELECT " + ", ".join(parts), params


def counts_for(user) -> dict[str, int]:
    """The user's counters (alerts, tasks, messages...). One query."""
    names, sql, params = _counts_statement()
    if not names:
        return {}
    values = [user.pk if p == _ANY_USER else p for p in params]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        row = cursor.fetchone()
    return dict(zip(names, row, strict=True))


def group_name(user_id: int) -> str:
    return f"user.{user_id}"


def push_now(user_ids: Iterable[int], frame: dict, *, counts: bool = False) -> None:
    """Sends `frame` to every open page of these users, in the order given; with `counts`, each
    page then gets its refreshed counters (one group message instead of two)."""
    push_each_now([(user_ids, frame, counts)])


def push_each_now(pushes: Iterable[tuple[Iterable[int], dict, bool]]) -> None:
    """Several pushes, (user ids, frame, counts) as for push_now, in order, in one trip to the
    event loop (each async_to_sync is a thread hand-off)."""
    if get_channel_layer() is not None:
        async_to_sync(push_each_async)(pushes)


async def push_each_async(
    pushes: Iterable[tuple[Iterable[int], dict, bool]], *, origin: str | None = None
) -> None:
    """push_each_now from async code (a consumer), after what it pushes is committed. The
    socket named by `origin` (a channel name) does not get the frames: it sent them."""
    for user_ids, frame, counts in pushes:
        await delivery.send(map(group_name, user_ids), event(frame, counts=counts, origin=origin))


def push_to_each_now(frames: Iterable[tuple[int, dict]], *, counts: bool = False) -> None:
    """Sends each (user id, frame) pair to that user's open pages (a frame of its own to each
    user), in one trip to the event loop and a few to Redis however many users (see
    delivery.send_each). With `counts`, each page then refreshes its counters."""
    if get_channel_layer() is not None:
        messages = [(group_name(u), event(frame, counts=counts)) for u, frame in frames]
        async_to_sync(delivery.send_each)(messages)


def event(frame: dict, *, counts: bool = False, origin: str | None = None) -> dict:
    """The group message that makes each open page of a user send `frame` (then, with `counts`,
    its refreshed counters), except the page whose socket is `origin`."""
    message = {"type": "push", "frame": frame, "counts": counts}
    if origin:
        message["origin"] = origin
    return message


def push(user_ids: Iterable[int], frame: dict, *, counts: bool = False) -> None:
    """Sends `frame` to every open page of these users once the current transaction commits."""
    push_each([(user_ids, frame, counts)])


def push_each(pushes: Iterable[tuple[Iterable[int], dict, bool]]) -> None:
    """push_each_now once the current transaction commits."""
    pushes = [(list(user_ids), frame, counts) for user_ids, frame, counts in pushes]
    transaction.on_commit(lambda: push_each_now(pushes))


def push_counts(user_ids: Iterable[int]) -> None:
    """Asks each user's open pages to refresh their counters (each socket computes its own)."""
    push(user_ids, {"type": "counts.refresh"})
