"""Message types of audiences (see shared/seed/catalogue.md)."""

from notifications.catalogue import Audience, Feature, Kind, P, Urgency

audiences = Feature("audiences", "Audiences")

AUDIENCE = P("audience", "The audience's name")

audiences.message(
    "audiences.members_added",
    kind=Kind.ALERT,
    name="Added to an audience",
    description="Users are added to a set or dynamic audience that notifies its new members.",
    recipients="the added users",
    placeholders=[AUDIENCE],
    subject="You have been added to the audience {{ audience }}",
    body=(
        "You are now a member of the audience {{ audience }}. Learning and content assigned to "
        "this audience will appear for you."
    ),
)

audiences.message(
    "audiences.members_removed",
    kind=Kind.ALERT,
    name="Removed from an audience",
    description="Users are removed from an audience that notifies the members it removes.",
    recipients="the removed users",
    placeholders=[AUDIENCE],
    subject="You have been removed from the audience {{ audience }}",
    body=(
        "You are no longer a member of the audience {{ audience }}. Learning and content "
        "assigned only through this audience no longer applies to you."
    ),
)

audiences.message(
    "audiences.broken_rules",
    audiences=(Audience.ADMIN,),
    kind=Kind.ALERT,
    name="Broken rules in an audience",
    description="A dynamic audience's rule refers to something that no longer exists.",
    recipients="site admins",
    placeholders=[
        AUDIENCE,
        P("rule", "The broken rule, as its rule set shows it"),
    ],
    subject="The audience {{ audience }} has a broken rule",
    body=(
        "A rule of the dynamic audience {{ audience }} refers to something that no longer "
        "exists:\n\n{{ rule }}\n\nIts membership may be wrong until the rule is fixed or removed."
    ),
    urgency=Urgency.URGENT,
)
