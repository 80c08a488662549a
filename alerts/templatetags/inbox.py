from django import template
from django.middleware.csrf import get_token

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


@register.filter
def when(value: str) -> str:
    """An ISO timestamp from an item, as a short local date and time."""
    from datetime import datetime

    from django.utils import timezone
    from django.utils.dateformat import format as date_format

    if not value:
        return ""
    moment = timezone.localtime(datetime.fromisoformat(value))
    return date_format(moment, "j M Y, H:i")
