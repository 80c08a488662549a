from features.job_assignments.actions import expire_temp_managers
from notifications.jobs import periodic


@periodic("job_assignments.expire_temp_managers", every_seconds=300)
def expire():
    """Ends temporary manager assignments whose expiry has passed."""
    return {"expired": expire_temp_managers()}
