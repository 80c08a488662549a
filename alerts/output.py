"""The web output: writes inbox rows in bulk and pushes them live after commit."""

import logging

from django.db import transaction

from alerts.models import Alert
from notifications import catalogue, outputs, presence
from notifications.bulk import insert_rows
from notifications.catalogue import Kind

logger = logging.getLogger(__name__)


class WebOutput:
    name = "web"

    def deliver(self, event, recipients, why=None, held=None, muted=None, digest=None) -> int:
        # Inbox rows never wait for quiet hours (`held` is for the outputs that do), nor for a
        # digest (`digest`, email's). The rows of
        # recipients who muted what the event comes from and hid its alerts (`muted`) are
        # written archived: out of the lists and counts, never pushed live.
        message_type = catalogue.get(event.key)
        kind = Alert.Kind.TASK if message_type.kind == Kind.TASK else Alert.Kind.ALERT
        user_ids = [user_id for user_id, _ in recipients]
        why = why or {}
        # The columns every inbox row is written with; the others are NULL until read or acted
        # on. One statement per batch (COPY on PostgreSQL).
        fixed = {
            "event_id": event.pk,
            "kind": kind,
            "key": event.key,
            "feature": message_type.feature,
            "urgency": event.urgency,
            "created_at": event.created_at,
            "action": "",
            "comment": "",
        }
        muted = muted or set()
        shown = [u for u in user_ids if u not in muted]
        if shown:
            insert_rows(Alert, fixed, ["recipient_id", "why"], [(u, why.get(u, "")) for u in shown])
        hidden = [u for u in user_ids if u in muted]
        if hidden:
            insert_rows(
                Alert,
                {**fixed, "archived_at": event.created_at},
                ["recipient_id", "why"],
                [(u, why.get(u, "")) for u in hidden],
            )
        # One look-up for the whole send() after it commits (a page opened later reads the
        # committed rows itself), so the batches' recipients wait on the event for it.
        pending = event.__dict__.get(_PENDING)
        if pending is None:
            pending = event.__dict__[_PENDING] = []
            transaction.on_commit(lambda: schedule_push(event.pk, pending))
        pending.extend(shown)
        return len(user_ids)


_PENDING = "_web_push_recipients"
# Online recipients per push task: 1% of 100,000 recipients online is two tasks.
PUSH_TASK_USERS = 500


def schedule_push(event_id: int, user_ids: list[int]) -> None:
    """Queues the live push of a committed event for its recipients with a page open: one trip
    to Redis to find them (presence.with_open_socket), then a task per PUSH_TASK_USERS of
    them. Nobody online, no task."""
    from alerts.tasks import push_new_items

    try:
        online = sorted(presence.with_open_socket(user_ids))
        for start in range(0, len(online), PUSH_TASK_USERS):
            push_new_items.delay(event_id, online[start : start + PUSH_TASK_USERS])
    except Exception:  # a Redis outage costs the live push only; the inbox has the rows
        logger.exception("live push of event %s not queued", event_id)


def schedule_push_rows(row_ids: list[int], user_ids: list[int]) -> None:
    """Queues the live push of these committed rows (e.g. back from a snooze) to their
    recipients with a page open: one trip to Redis, then a task per PUSH_TASK_USERS of them."""
    from alerts.tasks import push_rows

    try:
        online = sorted(presence.with_open_socket(user_ids))
        for start in range(0, len(online), PUSH_TASK_USERS):
            push_rows.delay(row_ids, online[start : start + PUSH_TASK_USERS])
    except Exception:  # a Redis outage costs the live push only; the inbox has the rows
        logger.exception("live push of %s woken rows not queued", len(row_ids))


outputs.register(WebOutput())
