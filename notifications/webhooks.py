"""anymail's tracking webhook: bounces and complaints mark the delivery and suppress the address.

anymail verifies the webhook (its WEBHOOK_SECRET) and normalises every ESP's payload; a replayed
event changes nothing more.
"""

import logging

from anymail.signals import inbound, tracking

from notifications.models import EmailDelivery, EmailSuppression

logger = logging.getLogger(__name__)

_STATUS = {
    "bounced": (EmailDelivery.Status.BOUNCED, EmailSuppression.Reason.BOUNCED),
    "complained": (EmailDelivery.Status.COMPLAINED, EmailSuppression.Reason.COMPLAINED),
    "rejected": (EmailDelivery.Status.BOUNCED, EmailSuppression.Reason.REJECTED),
}


def handle_tracking(sender, event, esp_name, **kwargs):
    if event.event_type not in _STATUS:
        return
    status, reason = _STATUS[event.event_type]
    detail = (event.description or event.mta_response or "")[:2000]
    if event.message_id:
        EmailDelivery.objects.filter(esp_message_id=event.message_id).update(
            status=status, last_error=f"{esp_name}: {event.event_type}: {detail}"
        )
    if event.recipient:
        EmailSuppression.objects.get_or_create(
            address=event.recipient.lower(), defaults={"reason": reason, "detail": detail}
        )
    logger.info("%s %s for %s", esp_name, event.event_type, event.recipient)


def connect():
    from notifications.inbound import handle_anymail_inbound

    tracking.connect(handle_tracking, dispatch_uid="notifications.tracking")
    inbound.connect(handle_anymail_inbound, dispatch_uid="notifications.inbound")
