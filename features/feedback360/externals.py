"""External responders: the signed link that lets an address answer without an account, and the
email that carries it.

External addresses are not users, so send() cannot reach them and no web alert can: they get the
catalogue's text for the same key by email, sent through the configured backend after commit
(one connection for the lot). A failed email is logged, not retried; the requester's reminder
sends a fresh link. Suppressed (bounced) addresses are skipped.
"""

import logging
from datetime import timedelta
from email.utils import make_msgid

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from features.feedback360.models import Responder
from notifications.models import EmailSuppression
from notifications.rendering import absolute, render
from notifications.sending import encode_context

logger = logging.getLogger(__name__)

SALT = "feedback360.external"
# A link works this long after it was sent; each reminder sends a fresh one.
LINK_MAX_AGE = timedelta(days=60)


def token_for(responder: Responder) -> str:
    return signing.TimestampSigner(salt=SALT).sign_object({"r": responder.pk, "e": responder.email})


def responder_for(token: str) -> Responder:
    """The external responder a link was made for.

    Raises signing.SignatureExpired for a link older than LINK_MAX_AGE, signing.BadSignature
    for a tampered or foreign one, Responder.DoesNotExist if the responder was removed.
    """
    data = signing.TimestampSigner(salt=SALT).unsign_object(token, max_age=LINK_MAX_AGE)
    if not isinstance(data, dict) or not {"r", "e"} <= set(data):
        raise signing.BadSignature("not a responder link")
    return Responder.objects.select_related("request", "request__learner").get(
        pk=int(data["r"]), email=str(data["e"]), user__isnull=True
    )


def link_for(responder: Responder) -> str:
    return absolute(reverse("feedback360:external", args=[token_for(responder)]))


def email(key: str, responders, context: dict, *, sender=None, with_link: bool) -> None:
    """Emails each external responder the catalogue's text for `key` once the transaction
    commits, with their own answer link if `with_link`."""
    payload = [(r.pk, r.email, link_for(r) if with_link else "") for r in responders if r.email]
    if not payload:
        return
    stored = encode_context(context)
    sender_name = sender.display_name if sender else ""
    transaction.on_commit(lambda: deliver(key, payload, stored, sender_name), robust=True)


def deliver(key: str, payload, context: dict, sender_name: str) -> int:
    """Sends the emails now; returns how many were sent."""
    suppressed = set(
        EmailSuppression.objects.filter(address__in=[a for _, a, _ in payload]).values_list(
            "address", flat=True
        )
    )
    outgoing = []
    for responder_id, address, link in payload:
        if address in suppressed:
            logger.info("feedback360: %s is suppressed; not emailed", address)
            continue
        rendered = render(key, context, tz=settings.TIME_ZONE, sender_name=sender_name, url=link)
        layout = {"rendered": rendered, "url": link}
        message = EmailMultiAlternatives(
            subject=rendered.subject,
            body=render_to_string("feedback360/external_email.txt", layout),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[address],
            headers={
                "Message-ID": make_msgid(domain=settings.EMAIL_MESSAGE_ID_DOMAIN),
                "X-Notification-Type": key,
            },
        )
        message.attach_alternative(
            render_to_string("feedback360/external_email.html", layout), "text/html"
        )
        outgoing.append((responder_id, message))
    sent = []
    if outgoing:
        connection = get_connection()
        try:
            connection.open()
            for responder_id, message in outgoing:
                message.connection = connection
                try:
                    message.send()
                except Exception as error:  # each backend raises its own errors
                    logger.warning("feedback360: email to %s failed: %s", message.to[0], error)
                else:
                    sent.append(responder_id)
        except Exception as error:
            logger.warning("feedback360: could not open the mail connection: %s", error)
        finally:
            connection.close()
    Responder.objects.filter(pk__in=sent).update(emailed_at=timezone.now())
    return len(sent)
