from instant.actions import email_unread_messages
from notifications.jobs import periodic


@periodic("instant.email_unread", every_seconds=60)
def email_unread():
    """Emails messages left unread past INSTANT_EMAIL_DELAY_SECONDS to members who are away."""
    return {"emailed": email_unread_messages()}
