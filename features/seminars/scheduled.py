from features.seminars.actions import send_reminders
from notifications.jobs import periodic


@periodic("seminars.send_reminders", every_seconds=600)
def remind():
    """Reminds booked learners N days (per seminar, 2 by default) before their session."""
    return {"reminded": send_reminders()}
