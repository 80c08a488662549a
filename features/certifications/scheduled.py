from features.certifications.actions import run_cycle
from notifications.jobs import periodic


@periodic("certifications.recertification", every_seconds=900)
def recertification():
    """Opens re-certification windows, warns before they close, expires the learners who did
    not re-certify; each once per learner and window."""
    return run_cycle()
