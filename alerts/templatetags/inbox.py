from datetime import datetime

from django import template
from django.contrib.humanize.templatetags.humanize import naturaltime
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import pgettext_lazy

from alerts import queries
from alerts.presenting import Presenter

register = template.Library()


def _presenter(request) -> Presenter:
    """One Presenter per request, so the blocks of a page share its rendering and templates."""
    if getattr(request, "_inbox_presenter", None) is None:
        request._inbox_presenter = Presenter(request.user)
    return request._inbox_presenter


@register.inclusion_tag("alerts/_alerts_block.html", takes_context=True)
def alerts_block(context):
    user = context["request"].user
    presenter = _presenter(context["request"])
    items = [presenter.as_dict(a) for a in queries.block_alerts(user)]
    return {
        "items": items,
        "csrf_token": get_token(context["request"]),
        "messages": context.get("messages"),
    }


@register.inclusion_tag("alerts/_tasks_block.html", takes_context=True)
def tasks_block(context):
    user = context["request"].user
    presenter = _presenter(context["request"])
    items = [presenter.as_dict(t) for t in queries.block_tasks(user)]
    return {
        "items": items,
        "csrf_token": get_token(context["request"]),
        "messages": context.get("messages"),
    }


def _moment(value):
    """An item's timestamp (an ISO string, as items carry them, or a datetime) in the active
    time zone, or None."""
    if not value:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return timezone.localtime(value)


@register.filter
def at(value) -> str:
    """A timestamp as the full local date and time, in the active language's format."""
    moment = _moment(value)
    return date_format(moment, "DATETIME_FORMAT") if moment else ""


@register.filter
def when(value) -> str:
    """A timestamp as a short local date and time (kept for pages that show a date alone)."""
    moment = _moment(value)
    return date_format(moment, "SHORT_DATETIME_FORMAT") if moment else ""


@register.filter
def ago(value) -> str:
    """A <time> element saying how long ago ("2 minutes ago", in the active language), with the
    machine-readable moment in `datetime` and the full local date in `title`."""
    moment = _moment(value)
    if moment is None:
        return ""
    return format_html(
        '<time datetime="{}" title="{}">{}</time>',
        moment.isoformat(),
        date_format(moment, "DATETIME_FORMAT"),
        naturaltime(moment),
    )


# The words for values shown in lists, in the active language.
URGENCIES = {
    "low": pgettext_lazy("urgency", "Low"),
    "normal": pgettext_lazy("urgency", "Normal"),
    "urgent": pgettext_lazy("urgency", "Urgent"),
}
ACTIONS = {
    "accept": pgettext_lazy("task action", "Accept"),
    "decline": pgettext_lazy("task action", "Decline"),
    "approve": pgettext_lazy("task action", "Approve"),
    "dismiss": pgettext_lazy("task action", "Mark done"),
}


@register.filter
def urgency_name(value: str) -> str:
    return str(URGENCIES.get(value, value.capitalize()))


@register.filter
def action_name(value: str) -> str:
    return str(ACTIONS.get(value, value.replace("_", " ").capitalize()))
