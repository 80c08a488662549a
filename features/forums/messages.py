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
        # A daily digest fills these too; its forum, discussion, author and post join the
        # names and texts of its posts.
        P("digest_date", "In a daily digest: the day whose posts it gathers", required=False),
        P("post_count", "In a daily digest: how many posts it gathers", required=False),
        P(
            "posts",
            "In a daily digest: its posts, a list whose items each have a discussion, forum, "
            "author, text and url",
            required=False,
        ),
    ],
    subject=(
        "{% if course %}{{ course }}: {% endif %}"
        '{% if digest_date %}Daily digest of {{ digest_date|date:"j F Y" }}, '
        "{{ post_count }} new post{{ post_count|pluralize }}{% else %}{{ discussion }}{% endif %}"
    ),
    body=(
        "{% if digest_date %}"
        'The new posts of {{ digest_date|date:"j F Y" }} in the forums and discussions you '
        "follow:{% for item in posts %}\n\n{% if not forloop.first %}-----\n\n{% endif %}"
        "{{ item.discussion }} ({{ item.forum }}), by {{ item.author }}:\n{{ item.text }}"
        "{% if item.url %}\n{{ item.url }}{% endif %}{% endfor %}"
        "{% if url %}\n\nSee the forums: {{ url }}{% endif %}"
        "{% else %}"
        "{{ author }} posted in {{ discussion }} ({{ forum }}):\n\n{{ post }}"
        "{% if url %}\n\nSee this post in context: {{ url }}{% endif %}"
        "{% endif %}"
        "\n\nYou receive this because you are subscribed to this forum or discussion."
    ),
)
