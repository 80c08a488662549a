from notifications import digests, email
from notifications.jobs import periodic


@periodic("email.sweep", every_seconds=60)
def sweep_email():
    """Re-queues email whose task was lost (broker down) and frees rows of dead workers."""
    return email.sweep()


@periodic("email.send_held", every_seconds=60)
def send_held_email():
    """Sends the email held for its recipients' quiet hours once those hours are over."""
    return email.send_held()


@periodic("email.send_digests", every_seconds=900)
def send_digests():
    """Sends the daily and weekly digests that are due (07:00 in each user's time zone)."""
    return digests.send_digests()
