"""The web output: writes inbox rows in bulk and pushes them live after commit."""

import logging

from django.db import connection, transaction

from alerts.models import Alert
from notifications import catalogue, outputs
from notifications.catalogue import Kind

logger = logging.getLogger(__name__)


class WebOutput:
    name = "web"

    def deliver(self, event, recipients) -> int:
        message_type = catalogue.get(event.key)
        kind = Alert.Kind.TASK if message_type.kind == Kind.TASK else Alert.Kind.ALERT
        user_ids = [user_id for user_id, _ in recipients]
        if connection.vendor == "postgresql":
            _copy_rows(event, kind, message_type.feature, user_ids)
        else:
            Alert.objects.bulk_create(
                [
                    Alert(
                        event=event,
                        recipient_id=user_id,
                        kind=kind,
                        key=event.key,
                        feature=message_type.feature,
                        urgency=event.urgency,
                        created_at=event.created_at,
                    )
                    for user_id in user_ids
                ],
                batch_size=2000,
            )
        transaction.on_commit(lambda: schedule_push(event.pk, user_ids))
        return len(user_ids)


# The columns every inbox row is written with; the others are NULL until read or acted on.
_COPY_COLUMNS = (
    "event_id",
    "recipient_id",
    "kind",
    "key",
    "feature",
    "urgency",
    "created_at",
    "action",
    "comment",
)


def _copy_rows(event, kind: str, feature: str, user_ids: list[int]) -> None:
    """Writes the inbox rows with PostgreSQL's COPY: several times faster than an INSERT of
    the same rows, in the same transaction."""
    table = Alert._meta.db_table
    columns = ", ".join(_COPY_COLUMNS)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        for user_id in user_ids:
            copy.write_row(
                (
                    event.pk,
                    user_id,
                    kind,
                    event.key,
                    feature,
                    event.urgency,
                    event.created_at,
                    "",
                    "",
                )
            )


def schedule_push(event_id: int, user_ids: list[int]) -> None:
    from alerts.tasks import push_new_items

    try:
        push_new_items.delay(event_id, user_ids)
    except Exception:  # a broker outage costs the live push only; the inbox has the rows
        logger.exception("live push of event %s not queued", event_id)


outputs.register(WebOutput())
