"""Demo: a monitoring rule that tells the admin about repeated failed logins, triggered by three
failed logins of sam's (recorded through record_event, as a login hook would)."""

from features.site_admin import actions
from features.site_admin.models import Rule, RuleSubscription


def load(people) -> None:
    rule, created = Rule.objects.get_or_create(
        name="Repeated failed logins",
        defaults={
            "event_name": "auth.login_failed",
            "threshold": 3,
            "window_minutes": 15,
            "description": "Someone may be guessing a password: check the account and lock it.",
        },
    )
    RuleSubscription.objects.get_or_create(rule=rule, user=people["admin"])
    if not created:
        return
    for _ in range(rule.threshold):
        actions.record_event("auth.login_failed", user=people["sam"], username="sam")
