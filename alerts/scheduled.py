from alerts.actions import purge_archived, purge_read, wake_snoozed
from notifications.jobs import periodic


@periodic("alerts.purge_read", every_seconds=3600)
def purge_read_alerts():
    """Deletes alerts read more than ALERTS_READ_RETENTION_DAYS ago."""
    return {"deleted": purge_read(), "archived_deleted": purge_archived()}


@periodic("alerts.wake_snoozed", every_seconds=60)
def wake_snoozed_alerts():
    """Brings back alerts and tasks whose snooze has ended, unread and pushed live."""
    return {"woken": wake_snoozed()}
