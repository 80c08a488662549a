"""The push output: a row per (recipient, subscribed browser), written in send()'s transaction;
the pushes go out from a Celery task after commit (webpush.sending)."""

from __future__ import annotations

import logging

from django.db import transaction

from notifications import outputs
from notifications.bulk import insert_rows
from webpush import keys
from webpush.models import PushDelivery, PushSubscription

logger = logging.getLogger(__name__)
Status = PushDelivery.Status


class PushOutput:
    name = "push"

    def deliver(self, event, recipients, why=None, held=None, muted=None, digest=None) -> int:
        """Writes one pending row per browser the recipients subscribed: two statements per
        batch (their subscriptions, then the rows), one when none of them subscribed. A
        recipient in `held` (quiet hours) gets rows that wait until then: the webpush.send_due
        job sends them. Muted recipients never reach here (push is in muting.MUTED_OUTPUTS) and
        there are no push digests, so `muted` and `digest` are empty. Returns the rows
        written; nothing at all when push is unavailable (production without VAPID keys)."""
        if not keys.configured():
            return 0
        why = why or {}
        held = held or {}
        user_ids = [user_id for user_id, _ in recipients]
        subscriptions = list(
            PushSubscription.objects.filter(user_id__in=user_ids)
            .order_by("pk")
            .values_list("pk", "user_id")
        )
        if not subscriptions:
            return 0
        insert_rows(
            PushDelivery,
            {
                "event_id": event.pk,
                "status": Status.PENDING,
                "attempts": 0,
                "created_at": event.created_at,
                "claim_token": "",
                "last_error": "",
            },
            ["user_id", "subscription_id", "why", "next_attempt_at", "held_until"],
            [
                (
                    user_id,
                    subscription_id,
                    why.get(user_id, ""),
                    held.get(user_id, event.created_at),
                    held.get(user_id),
                )
                for subscription_id, user_id in subscriptions
            ],
        )
        due = sum(1 for _, user_id in subscriptions if user_id not in held)
        if due and not getattr(event, "_pushes_queued", False):
            event._pushes_queued = True
            transaction.on_commit(lambda: enqueue(event.pk))
        return len(subscriptions)

    def delivered_to(self, event_id: int, user_id: int) -> list[dict]:
        """The user's pushes of this event, for "Why did I get this?": each with a `label` (the
        browser), the `why` code recorded when it was sent, and its `status`. One query."""
        rows = (
            PushDelivery.objects.filter(event_id=event_id, user_id=user_id)
            .select_related("subscription")
            .order_by("pk")
        )
        return [
            {
                "label": (
                    f"Push to {row.subscription.user_agent or 'a browser'}"
                    if row.subscription
                    else "Push to a browser no longer subscribed"
                ),
                "why": row.why,
                "status": row.get_status_display(),
            }
            for row in rows
        ]

    def retime_held(self, user_id: int, until, now) -> int:
        """The user changed their quiet hours: their held pushes wait until `until`, or go now
        (queued after commit). One UPDATE."""
        count = PushDelivery.objects.filter(
            user_id=user_id, status=Status.PENDING, held_until__isnull=False
        ).update(next_attempt_at=until, held_until=until)
        if count and until <= now:
            transaction.on_commit(lambda: enqueue(None))
        return count


outputs.register(PushOutput())


def enqueue(event_id: int | None) -> bool:
    """Starts a worker on an event's pushes (or on everything due). A broker outage only
    delays them: the rows wait and the webpush.send_due job sends them."""
    from webpush.tasks import send_pushes

    try:
        send_pushes.delay(event_id)
    except Exception as error:  # the broker's errors vary by transport
        logger.info("could not queue the pushes of event %s (%s); the job will", event_id, error)
        return False
    return True
