from features.site_admin import actions
from features.site_admin.logging import flush_bursts
from notifications.jobs import periodic


@periodic("site_admin.check_updates", every_seconds=24 * 3600)
def check_updates():
    """Tells the site admins about a newer release in the feed, once per version."""
    return actions.check_for_updates()


@periodic("site_admin.check_rules", every_seconds=60)
def check_rules():
    """Triggers the monitoring rules whose N events happened within their M minutes."""
    return actions.check_rules()


@periodic("site_admin.flush_log_bursts", every_seconds=60)
def flush_log_bursts():
    """Sends the count of each repeated error or warning once its window has ended."""
    return flush_bursts()
