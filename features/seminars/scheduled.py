from features.seminars.actions import close_orphan_approval_tasks, expire_requests, send_reminders
from notifications.jobs import periodic


@periodic("seminars.send_reminders", every_seconds=600)
def remind():
    """Reminds booked learners N days (per seminar, 2 by default) before their session."""
    return {"reminded": send_reminders()}


@periodic("seminars.close_stale_requests", every_seconds=300)
def close_stale_requests():
    """Declines the requests still waiting when their session starts, and closes the approval
    tasks that can no longer be answered (theirs, and those whose request was deleted)."""
    return {"expired": expire_requests(), "removed": close_orphan_approval_tasks()}
