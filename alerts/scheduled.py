from alerts.actions import purge_read
from notifications.jobs import periodic


@periodic("alerts.purge_read", every_seconds=3600)
def purge_read_alerts():
    """Deletes alerts read more than ALERTS_READ_RETENTION_DAYS ago."""
    return {"deleted": purge_read()}
