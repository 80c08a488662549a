from datetime import UTC, datetime

from celery import shared_task

import notifications
from features.site_admin.actions import site_admins
from features.site_admin.logging import ERRORS, sending


def log_context(key: str, description: dict, repeats: int, window: int) -> dict:
    """The context of an errors / minor_problems notice about a logged record."""
    text = description["message"]
    if repeats:
        minutes = max(round(window / 60), 1)
        times = "once more" if repeats == 1 else f"{repeats} more times"
        text += (
            f"\n\nThis happened {times} within {minutes} minutes of the first report "
            "(the last of them not sent separately)."
        )
    details = f"Logger: {description['logger']}\nWhere: {description['where']}"
    if description.get("traceback"):
        details += f"\n\n{description['traceback']}"
    if key == ERRORS:
        return {
            "error": text,
            "occurred_at": datetime.fromtimestamp(description["occurred"], UTC),
            "details": details,
        }
    return {"problem": text, "details": details}


def notify(key: str, description: dict, repeats: int = 0, window: int = 0):
    """Sends one notice to the site admins (nothing logged meanwhile is reported)."""
    with sending():
        return notifications.send(
            key, site_admins(), context=log_context(key, description, repeats, window)
        )


@shared_task(name="site_admin.notify_site_admins", ignore_result=True)
def notify_site_admins(key: str, description: dict, repeats: int = 0, window: int = 0):
    notify(key, description, repeats, window)
