"""Message types of forums (see shared/seed/catalogue.md)."""

from notifications.catalogue import Feature, Kind, P

forums = Feature("forums", "Forum")

forums.message(
    "forums.post",
    kind=Kind.EMAIL,
    name="Subscribed forum posts",
    description="Someone posts in a forum or discussion the recipient is subscribed to.",
    recipients="everyone subscribed to the forum or discussion (not the author)",
    placeholders=[
        P("forum", "The forum's name"),
        P("discussion", "The discussion's subject"),
        P("author", "The full name of the post's author"),
        P("post", "The text of the post"),
        P("course", "The course the forum belongs to", required=False),
    ],
    subject="{% if course %}{{ course }}: {% endif %}{{ discussion }}",
    body=(
        "{{ author }} posted in {{ discussion }} ({{ forum }}):\n\n{{ post }}"
        "{% if url %}\n\nSee this post in context: {{ url }}{% endif %}"
        "\n\nYou receive this because you are subscribed to this forum or discussion."
    ),
)
