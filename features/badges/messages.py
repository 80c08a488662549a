"""Message types of badges (see shared/seed/catalogue.md)."""

from notifications.catalogue import Feature, Kind, P

badges = Feature("badges", "Badges")

BADGE = P("badge", "The badge's name")

badges.message(
    "badges.creator_notice",
    kind=Kind.EMAIL,
    name="Badge creator notifications",
    description="A badge is awarded; its creator is told.",
    recipients="the badge's creator",
    placeholders=[
        BADGE,
        P("learner", "The full name of who earned the badge"),
        P("awarded_at", "When the badge was awarded", required=False),
    ],
    subject="{{ learner }} has earned the badge {{ badge }}",
    body=(
        "Hello {{ recipient }},\n\nThe badge {{ badge }} that you created has been awarded to "
        "{{ learner }}{% if awarded_at %} on {{ awarded_at }}{% endif %}."
    ),
)

badges.message(
    "badges.recipient_notice",
    kind=Kind.EMAIL,
    name="Badge recipient notifications",
    description="A badge is awarded; the user who earned it is told.",
    recipients="the awarded user",
    placeholders=[
        BADGE,
        P("badge_description", "What the badge recognises", required=False),
        P("issuer", "Who issues the badge", required=False),
    ],
    subject="Congratulations! You have earned the badge {{ badge }}",
    body=(
        "Hello {{ recipient }},\n\nCongratulations! You have been awarded the badge {{ badge }}"
        "{% if issuer %}, issued by {{ issuer }}{% endif %}."
        "{% if badge_description %}\n\n{{ badge_description }}{% endif %}"
        "{% if url %}\n\nSee and share your badge: {{ url }}{% endif %}"
    ),
)
