from notifications import email
from notifications.jobs import periodic


@periodic("email.sweep", every_seconds=60)
def sweep_email():
    """Re-queues email whose task was lost (broker down) and frees rows of dead workers."""
    return email.sweep()
