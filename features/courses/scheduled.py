from features.courses.actions import notify_expiring_enrolments
from notifications.jobs import periodic


@periodic("courses.enrolment_expiry_notices", every_seconds=3600)
def enrolment_expiry_notices():
    """Tells enrollers (and learners) of enrolments about to end, once per end date."""
    return notify_expiring_enrolments()
