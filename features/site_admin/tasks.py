from datetime import UTC, datetime

from celery import shared_task

import notifications
from features.site_admin.actions import site_admins
from features.site_admin.logging import ERRORS, sending


def log_context(key: str, description: dict, repeats: int, window: int) -> dict:
    """The context of an errors / minor_problems notice about a logged record: its values
    only, typed (the type's templates word them in each admin's language)."""
    context = {
        "error" if key == ERRORS else "problem": description["message"],
        "occurred_at": datetime.fromtimestamp(description["occurred"], UTC),
        "logger": description["logger"],
        "location": description["where"],
        "function": description.get("function", ""),  # absent from bursts pending at upgrade
        "details": description.get("traceback", ""),
    }
    if repeats:
        context["repeats"] = repeats
        context["window_minutes"] = max(round(window / 60), 1)
    return context


def notify(key: str, description: dict, repeats: int = 0, window: int = 0):
    """Sends one notice to the site admins (nothing logged meanwhile is reported)."""
    with sending():
        return notifications.send(
            key, site_admins(), context=log_context(key, description, repeats, window)
        )


@shared_task(name="site_admin.notify_site_admins", ignore_result=True)
def notify_site_admins(key: str, description: dict, repeats: int = 0, window: int = 0):
    notify(key, description, repeats, window)
