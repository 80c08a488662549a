from features.audiences.actions import recompute_all
from notifications.jobs import periodic


@periodic("audiences.recompute", every_seconds=900)
def recompute():
    """Applies every dynamic audience's rules: members join and leave, broken rules reported."""
    return recompute_all()
