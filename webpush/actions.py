"""Subscribing a browser to a user's push notifications, and unsubscribing it. The JSON API
(and any other caller) goes through these; each checks its input first and saves nothing
when it is wrong."""

from __future__ import annotations

import binascii
import hmac
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from webpush.keys import b64url_decode
from webpush.models import PushSubscription

ENDPOINT_MAX = PushSubscription._meta.get_field("endpoint").max_length


class SubscriptionErrors(ValueError):
    """Bad subscription data: `errors` maps each wrong field to why. Nothing was saved."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("invalid push subscription")
        self.errors = errors


def _key(text, size: int) -> bytes | None:
    if not isinstance(text, str) or not text or len(text) > 200:
        return None
    try:
        raw = b64url_decode(text.strip())
    except (binascii.Error, ValueError):
        return None
    return raw if len(raw) == size else None


def check_subscription(data) -> dict:
    """The subscription as a browser's PushSubscription.toJSON() gives it (`endpoint`,
    `keys.p256dh`, `keys.auth`), checked: an https endpoint (http too where
    WEBPUSH_ALLOW_HTTP, for local push servers), a P-256 public point and a 16-byte secret.
    Raises SubscriptionErrors naming each wrong field."""
    if not isinstance(data, dict):
        raise SubscriptionErrors({"non_field_errors": _("Send the subscription as an object.")})
    errors = {}
    endpoint = data.get("endpoint")
    schemes = ("https", "http") if settings.WEBPUSH_ALLOW_HTTP else ("https",)
    if not isinstance(endpoint, str) or not endpoint:
        errors["endpoint"] = _("Required: the push service's URL.")
    elif len(endpoint) > ENDPOINT_MAX:
        errors["endpoint"] = _("At most %(count)d characters.") % {"count": ENDPOINT_MAX}
    else:
        parts = urlsplit(endpoint)
        if parts.scheme not in schemes or not parts.netloc:
            errors["endpoint"] = _("Must be an https URL.")
    keys = data.get("keys")
    if not isinstance(keys, dict):
        errors["keys"] = _("Required: an object with p256dh and auth.")
        keys = None
    if keys is not None:
        point = _key(keys.get("p256dh"), 65)
        if point is None:
            errors["keys.p256dh"] = _("Must be a P-256 public key (65 bytes, base64url).")
        else:
            try:
                ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
            except ValueError:
                errors["keys.p256dh"] = _("Is not a point on the P-256 curve.")
        if _key(keys.get("auth"), 16) is None:
            errors["keys.auth"] = _("Must be a 16-byte secret, base64url.")
    if errors:
        raise SubscriptionErrors(errors)
    return {
        "endpoint": endpoint,
        "p256dh": keys["p256dh"].strip(),
        "auth": keys["auth"].strip(),
    }


def subscribe(user, data, user_agent: str = "") -> tuple[PushSubscription, bool]:
    """Stores this browser's subscription for `user`; returns it and whether it is new. A
    browser has one subscription per site whoever is logged in, so an endpoint already stored
    for someone else now belongs to `user` (the last person who subscribed on that browser).
    Raises SubscriptionErrors."""
    values = check_subscription(data)
    with transaction.atomic():
        subscription, created = PushSubscription.objects.update_or_create(
            endpoint=values["endpoint"],
            defaults={
                "user": user,
                "p256dh": values["p256dh"],
                "auth": values["auth"],
                "user_agent": (user_agent or "")[:300],
            },
        )
    return subscription, created


def unsubscribe(user, *, endpoint: str | None = None, subscription_id: int | None = None) -> bool:
    """Deletes one of the user's subscriptions, by endpoint or id; False when they have no such
    subscription (another user's is never touched)."""
    rows = PushSubscription.objects.filter(user=user)
    if subscription_id is not None:
        rows = rows.filter(pk=subscription_id)
    elif endpoint:
        rows = rows.filter(endpoint=endpoint)
    else:
        return False
    deleted, _ = rows.delete()
    return bool(deleted)


class UnknownSubscription(LookupError):
    """No stored subscription has that endpoint and secret."""


def renew(data) -> PushSubscription:
    """Replaces a stored subscription with the one the browser made in its place (the service
    worker's pushsubscriptionchange: the old one expired, or the push service rotated it).

    `data` is `{"old": {"endpoint", "auth"}, "subscription": <the new toJSON()>}`. The old
    endpoint and its auth secret are the proof: only the browser and this site hold the secret
    (the push service never sees it), so no session is needed, which matters because a user
    logged off still gets pushes. The row keeps its user. Raises SubscriptionErrors for bad
    input, UnknownSubscription when no row has that endpoint and secret; changes nothing then."""
    if not isinstance(data, dict):
        raise SubscriptionErrors(
            {"non_field_errors": _("Send an object with old and subscription.")}
        )
    old = data.get("old")
    if (
        not isinstance(old, dict)
        or not isinstance(old.get("endpoint"), str)
        or not isinstance(old.get("auth"), str)
    ):
        raise SubscriptionErrors({"old": _("Required: the old subscription's endpoint and auth.")})
    values = check_subscription(data.get("subscription"))
    with transaction.atomic():
        row = PushSubscription.objects.select_for_update().filter(endpoint=old["endpoint"]).first()
        if row is None or not hmac.compare_digest(row.auth.encode(), old["auth"].strip().encode()):
            raise UnknownSubscription(old["endpoint"])
        if values["endpoint"] != row.endpoint:
            # The new endpoint may be stored already (the page stored it first): one row stays.
            PushSubscription.objects.filter(endpoint=values["endpoint"]).exclude(pk=row.pk).delete()
        row.endpoint, row.p256dh, row.auth = values["endpoint"], values["p256dh"], values["auth"]
        row.save(update_fields=["endpoint", "p256dh", "auth"])
    return row
