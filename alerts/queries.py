"""Reads of the inbox for pages and the API: filters, and rows with what they display."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from alerts.models import Alert
from notifications.catalogue import Urgency

BLOCK_SIZE = 5


def with_display(queryset):
    return queryset.select_related("event", "event__sender", "acted_by")


def block_alerts(user):
    return list(
        with_display(Alert.objects.for_user(user).alerts().visible().unread().newest_first())[
            :BLOCK_SIZE
        ]
    )


def block_tasks(user):
    return list(
        with_display(Alert.objects.for_user(user).tasks().visible().open().newest_first())[
            :BLOCK_SIZE
        ]
    )


BOXES = ("inbox", "snoozed", "archived")


def inbox(user, kind: str, params) -> tuple:
    """The user's alerts or tasks filtered by `params` (box, feature, unread, urgency).

    `box` is the tab: inbox (the default: neither snoozed nor archived), snoozed (soonest back
    first) or archived. Returns (queryset, cleaned filters); raises ValidationError naming a bad
    filter.
    """
    rows = Alert.objects.for_user(user).filter(kind=kind)
    filters = {}
    box = (params.get("box") or "inbox").strip()
    if box not in BOXES:
        raise ValidationError({"box": _("Use one of: %s.") % ", ".join(BOXES)})
    if box != "inbox":
        filters["box"] = box
    rows = getattr(rows, "visible" if box == "inbox" else box)()
    feature = (params.get("feature") or "").strip()
    if feature:
        filters["feature"] = feature
        rows = rows.filter(feature=feature)
    unread = (params.get("unread") or "").strip()
    if unread:
        if unread not in {"0", "1", "true", "false"}:
            raise ValidationError({"unread": _("Use 1 or 0.")})
        if unread in {"1", "true"}:
            filters["unread"] = "1"
            rows = rows.filter(done_at__isnull=True) if kind == "task" else rows.unread()
    urgency = (params.get("urgency") or "").strip()
    if urgency:
        if urgency not in Urgency.values:
            raise ValidationError({"urgency": _("Use one of: %s.") % ", ".join(Urgency.values)})
        filters["urgency"] = urgency
        rows = rows.filter(urgency=urgency)
    order = ("snoozed_until", "id") if box == "snoozed" else ("-created_at", "-id")
    return with_display(rows.order_by(*order)), filters


def features_of(user, kind: str) -> list[str]:
    return list(
        Alert.objects.for_user(user)
        .filter(kind=kind)
        .order_by("feature")
        .values_list("feature", flat=True)
        .distinct()
    )
