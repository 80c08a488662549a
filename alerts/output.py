"""The web output: writes inbox rows in bulk and pushes them live after commit."""

import logging

from django.db import transaction

from alerts.models import Alert
from notifications import catalogue, outputs
from notifications.bulk import insert_rows
from notifications.catalogue import Kind

logger = logging.getLogger(__name__)


class WebOutput:
    name = "web"

    def deliver(self, event, recipients) -> int:
        message_type = catalogue.get(event.key)
        kind = Alert.Kind.TASK if message_type.kind == Kind.TASK else Alert.Kind.ALERT
        user_ids = [user_id for user_id, _ in recipients]
        # The columns every inbox row is written with; the others are NULL until read or acted
        # on. One statement per batch (COPY on PostgreSQL).
        insert_rows(
            Alert,
            {
                "event_id": event.pk,
                "kind": kind,
                "key": event.key,
                "feature": message_type.feature,
                "urgency": event.urgency,
                "created_at": event.created_at,
                "action": "",
                "comment": "",
            },
            ["recipient_id"],
            [(user_id,) for user_id in user_ids],
        )
        transaction.on_commit(lambda: schedule_push(event.pk, user_ids))
        return len(user_ids)


def schedule_push(event_id: int, user_ids: list[int]) -> None:
    from alerts.tasks import push_new_items

    try:
        push_new_items.delay(event_id, user_ids)
    except Exception:  # a broker outage costs the live push only; the inbox has the rows
        logger.exception("live push of event %s not queued", event_id)


outputs.register(WebOutput())
