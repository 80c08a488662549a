"""Message types of messaging, personal and inbound (see shared/seed/catalogue.md)."""

from notifications.catalogue import Feature, Kind, P

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
    kind=Kind.EMAIL,
    name="Warning when an inbound message could not be processed",
    description="An email reply arrives that cannot be processed.",
    recipients="site admins (and the sender, with the reason)",
    placeholders=[
        P("reason", "Why the email could not be processed"),
        P("from_address", "The address the email came from", required=False),
        MESSAGE_SUBJECT,
    ],
    subject="An email to {{ site_name }} could not be processed",
    body=(
        "Hello {{ recipient }},\n\nAn email{% if from_address %} from {{ from_address }}"
        '{% endif %}{% if message_subject %} with the subject "{{ message_subject }}"'
        "{% endif %} could not be processed.\n\nReason: {{ reason }}"
    ),
)

messaging.message(
    "messaging.inbound_processed",
    kind=Kind.EMAIL,
    name="Confirmation that a message was successfully processed",
    description="An email reply is processed successfully.",
    recipients="site admins (and the sender)",
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
