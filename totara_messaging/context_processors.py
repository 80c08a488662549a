from notifications import live


def counts(request):
    """The header counters, for users who are logged in."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"counts": live.counts_for(user)}
