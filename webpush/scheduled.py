from notifications.jobs import periodic
from webpush import sending


@periodic("webpush.send_due", every_seconds=60)
def send_due_pushes():
    """Sends pushes held for quiet hours once those are over, and retries that are due."""
    return sending.send_held_and_retries()
