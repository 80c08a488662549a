from features.feedback.actions import send_due_completion_reminders
from notifications.jobs import periodic


@periodic("feedback.completion_reminders", every_seconds=3600)
def completion_reminders():
    """Reminds learners to complete course feedback, N days after it opens (once each)."""
    return send_due_completion_reminders()
