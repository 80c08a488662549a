"""Message types of 360 feedback (see shared/seed/catalogue.md)."""

from notifications.catalogue import Feature, Kind, P

feedback360 = Feature("feedback360", "360 Feedback")

FEEDBACK = P("feedback", "The 360 feedback's name")
LEARNER = P("learner", "The full name of the person the feedback is about")
DUE_DATE = P("due_date", "When responses are due", required=False)

feedback360.message(
    "feedback360.request",
    kind=Kind.TASK,
    name="360 feedback request",
    description="A learner or their manager asks someone for feedback.",
    recipients=(
        "the responder (internal user; external responders get an email with a token link)"
    ),
    placeholders=[
        FEEDBACK,
        LEARNER,
        DUE_DATE,
        P("message", "A personal message from whoever asked", required=False),
    ],
    subject="{{ learner }} would like your feedback",
    body=(
        "You have been asked to give feedback on {{ learner }} in {{ feedback }}."
        "{% if message %}\n\n{{ message }}{% endif %}"
        "{% if due_date %}\n\nPlease respond by {{ due_date }}.{% endif %}"
    ),
)

feedback360.message(
    "feedback360.request_cancelled",
    kind=Kind.ALERT,
    name="360 feedback request cancelled",
    description="A request for 360 feedback is cancelled.",
    recipients="the responder",
    placeholders=[FEEDBACK, LEARNER],
    subject="Feedback request for {{ learner }} cancelled",
    body=(
        "The request for your feedback on {{ learner }} in {{ feedback }} has been cancelled. "
        "You no longer need to respond."
    ),
)

feedback360.message(
    "feedback360.assignments_updated",
    kind=Kind.ALERT,
    name="360 feedback responders updated",
    description="System or external responders are added to or removed from a 360 feedback.",
    recipients="affected responders",
    placeholders=[
        FEEDBACK,
        LEARNER,
        P("added", "True if the recipient was added as a responder, false if removed"),
        DUE_DATE,
    ],
    subject=(
        "{% if added %}Your feedback is requested for {{ learner }}"
        "{% else %}Feedback request for {{ learner }} withdrawn{% endif %}"
    ),
    body=(
        "{% if added %}You have been added as a responder to {{ feedback }} and are asked to "
        "give feedback on {{ learner }}.{% if due_date %}\n\nPlease respond by {{ due_date }}."
        "{% endif %}{% else %}You have been removed as a responder to {{ feedback }}; you no "
        "longer need to give feedback on {{ learner }}.{% endif %}"
    ),
)

feedback360.message(
    "feedback360.reminder",
    kind=Kind.ALERT,
    name="360 feedback reminder",
    description="A reminder is sent to responders who have not yet answered.",
    recipients="non-responders",
    placeholders=[FEEDBACK, LEARNER, DUE_DATE],
    subject="Reminder: {{ learner }} is waiting for your feedback",
    body=(
        "This is a reminder that {{ learner }} has asked for your feedback in {{ feedback }} "
        "and has not received your response yet."
        "{% if due_date %}\n\nPlease respond by {{ due_date }}.{% endif %}"
    ),
)
