"""Message types of messaging, personal and inbound (see shared/seed/catalogue.md)."""

from notifications.catalogue import Audience, Feature, Kind, P

messaging = Feature("messaging", "Messaging")

MESSAGE_SUBJECT = P("message_subject", "The subject of the email that arrived", required=False)

messaging.message(
    "messaging.personal",
    kind=Kind.MESSAGE,
    name="Personal messages between users",
    description="A user sends a message in a conversation.",
    recipients="the other members of the conversation",
    placeholders=[
        P("message", "The message's text"),
        P("conversation", "The conversation's name, for group conversations", required=False),
    ],
    subject="New message{% if sender %} from {{ sender }}{% endif %}",
    body=(
        "{% if sender %}{{ sender }}{% if conversation %} ({{ conversation }}){% endif %}:\n\n"
        "{% endif %}{{ message }}{% if url %}\n\nReply: {{ url }}{% endif %}"
    ),
)

messaging.message(
    "messaging.inbound_confirm_sender",
    kind=Kind.EMAIL,
    name="Message to confirm that an inbound message came from you",
    description="An email reply arrives from an address that must confirm it sent it.",
    recipients="the sender",
    placeholders=[
        MESSAGE_SUBJECT,
        P("expires_at", "When the confirmation link stops working", required=False),
    ],
    subject="Please confirm the email you sent to {{ site_name }}",
    body=(
        "Hello {{ recipient }},\n\nWe received an email from this address"
        '{% if message_subject %} with the subject "{{ message_subject }}"{% endif %}. '
        "Before we process it, please confirm that you sent it{% if url %}:\n\n{{ url }}"
        "{% else %}.{% endif %}"
        "{% if expires_at %}\n\nThe link works until {{ expires_at }}.{% endif %}"
        "\n\nIf you did not send it, ignore this email and it will be discarded."
    ),
)

messaging.message(
    "messaging.inbound_failed",
    audiences=(Audience.LEARNER, Audience.ADMIN),
    kind=Kind.EMAIL,
    name="Warning when an inbound message could not be processed",
    description="An email reply arrives that cannot be processed.",
    recipients="site admins (and the sender, with the reason)",
    placeholders=[
        P(
            "reason_code",
            "Why the email could not be processed, as a code: unknown_address, tampered, "
            "unknown_user, not_accepted, no_text or target_gone",
            required=False,
        ),
        P("reason", "Why, in words, when there is no reason_code", required=False),
        P("from_address", "The address the email came from", required=False),
        MESSAGE_SUBJECT,
    ],
    subject="An email to {{ site_name }} could not be processed",
    body=(
        "Hello {{ recipient }},\n\nAn email{% if from_address %} from {{ from_address }}"
        '{% endif %}{% if message_subject %} with the subject "{{ message_subject }}"'
        "{% endif %} could not be processed.{% if reason_code or reason %}\n\nReason: "
        '{% if reason_code == "unknown_address" %}'
        "The email was not sent to a reply address of this site."
        '{% elif reason_code == "tampered" %}'
        "The reply address has been altered: its signature does not match."
        '{% elif reason_code == "unknown_user" %}'
        "The reply address names a user who no longer exists."
        '{% elif reason_code == "not_accepted" %}'
        "This site does not accept replies to that kind of message."
        '{% elif reason_code == "no_text" %}'
        "The reply has no text of its own (only quoted text)."
        '{% elif reason_code == "target_gone" %}'
        "What it replies to no longer exists."
        "{% else %}{{ reason }}{% endif %}{% endif %}"
    ),
)

messaging.message(
    "messaging.inbound_processed",
    kind=Kind.EMAIL,
    name="Confirmation that a message was successfully processed",
    description="An email reply is processed successfully.",
    recipients="the sender (and site admins, if the site's messaging settings ask)",
    placeholders=[
        P("from_address", "The address the email came from", required=False),
        MESSAGE_SUBJECT,
    ],
    subject="An email to {{ site_name }} was processed",
    body=(
        "Hello {{ recipient }},\n\nThe email{% if from_address %} from {{ from_address }}"
        '{% endif %}{% if message_subject %} with the subject "{{ message_subject }}"'
        "{% endif %} was received and processed successfully."
    ),
)
