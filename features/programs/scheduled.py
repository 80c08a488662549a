from features.programs.triggers import send_scheduled_messages
from notifications.jobs import periodic


@periodic("programs.send_scheduled_messages", every_seconds=900)
def scheduled_messages():
    """Due, overdue, course set due and overdue, and follow-up messages of programs and
    certifications, each once per learner and occurrence."""
    return send_scheduled_messages()
