from celery import shared_task

from alerts.models import Alert
from alerts.presenting import present_each
from notifications import live, presence


@shared_task(name="alerts.push_new_items", ignore_result=True)
def push_new_items(event_id: int, user_ids: list[int]):
    """Pushes the event's new inbox row to each recipient who has a page open, rendered in
    their language, with their counters refreshed after it.

    Queued after send() commits for the recipients who had a page open then
    (alerts.output.schedule_push: nobody online, no task), at most PUSH_TASK_USERS a task. Costs
    what the open pages need: one look-up in the registry of open sockets (some may have closed
    since), and for those still open two queries (their rows with events and users, the
    admins' templates), a rendering per language and timezone, and a few trips to Redis.
    Recipients without an open page get their rows from the database when they next open one."""
    _push(Alert.objects.filter(event_id=event_id), user_ids)


@shared_task(name="alerts.push_rows", ignore_result=True)
def push_rows(row_ids: list[int], user_ids: list[int]):
    """Pushes these inbox rows (of any events, e.g. back from a snooze) to those of `user_ids`
    with a page open, as push_new_items does. Rows snoozed or archived again since are left."""
    _push(Alert.objects.filter(pk__in=row_ids).visible(), user_ids)


def _push(rows, user_ids):
    online = presence.with_open_socket(user_ids)
    if not online:
        return
    rows = list(
        rows.filter(recipient_id__in=online).select_related("event", "event__sender", "recipient")
    )
    items = present_each(rows)
    live.push_to_each_now(
        [(row.recipient_id, {"type": f"{row.kind}.new", "item": items[row.pk]}) for row in rows],
        counts=True,
    )
