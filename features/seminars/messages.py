"""Message types of seminars (see shared/seed/catalogue.md)."""

from notifications.catalogue import Audience, Feature, Kind, OutputDefault, P, Permission

# As in Totara, seminar notifications are emailed whether the recipient is logged in or not: a
# booking is something people plan their days around (users may still turn email off).
seminars = Feature(
    "seminars", "Seminar", outputs={"email": OutputDefault(Permission.PERMITTED, True, True)}
)
INVITATION = "a calendar invitation"

SEMINAR = P("seminar", "The seminar's name")
SESSION_DATE = P("session_date", "When the session starts")
LEARNER = P("learner", "The booked learner's full name")
ROOM = P("room", "Where the session takes place", required=False)
TRAINER = P("trainer", "The session's trainer", required=False)
# Seminar notifications can send a copy to the learner's manager; the copy says why they receive it.
MANAGER_COPY = P("manager_copy", "Set on the copy sent to the learner's manager", required=False)
MANAGER_PREFIX = (
    "{% if manager_copy %}As the manager of {{ learner }}, you receive a copy of this "
    "message.\n\n{% endif %}"
)
SESSION_DETAILS = (
    "\n\nWhen: {{ session_date }}{% if room %}\nWhere: {{ room }}{% endif %}"
    "{% if trainer %}\nTrainer: {{ trainer }}{% endif %}"
)

seminars.message(
    "seminars.approval_request",
    audiences=(Audience.MANAGER,),
    kind=Kind.TASK,
    name="Seminar approval request",
    description="A learner books a seminar session that needs their manager's approval.",
    recipients="manager (approve/decline)",
    placeholders=[
        SEMINAR,
        SESSION_DATE,
        LEARNER,
        ROOM,
        P("note", "The learner's note to the approver", required=False),
    ],
    subject="{{ learner }} asks to attend {{ seminar }}",
    body=(
        "{{ learner }} has asked to book a place on the seminar {{ seminar }}."
        "\n\nWhen: {{ session_date }}{% if room %}\nWhere: {{ room }}{% endif %}"
        "{% if note %}\n\nNote: {{ note }}{% endif %}\n\nPlease approve or decline the booking."
    ),
    actions=("approve", "decline"),
)

seminars.message(
    "seminars.booking_cancellation",
    kind=Kind.ALERT,
    keeps=INVITATION,
    name="Seminar booking cancellation",
    description="A learner's booking on a seminar session is cancelled.",
    recipients="learner (+manager copy)",
    placeholders=[
        SEMINAR,
        SESSION_DATE,
        LEARNER,
        P("reason", "Why the booking was cancelled", required=False),
        MANAGER_COPY,
    ],
    subject="Booking cancelled: {{ seminar }}",
    body=MANAGER_PREFIX
    + (
        "Your booking on the seminar {{ seminar }} on {{ session_date }} has been cancelled."
        "{% if reason %}\n\nReason: {{ reason }}{% endif %}"
    ),
)

seminars.message(
    "seminars.booking_confirmation",
    kind=Kind.ALERT,
    keeps=INVITATION,
    name="Seminar booking confirmation",
    description=(
        "A learner's booking on a seminar session is confirmed; its email carries a calendar "
        "invitation."
    ),
    recipients="learner (+manager copy)",
    placeholders=[SEMINAR, SESSION_DATE, LEARNER, ROOM, TRAINER, MANAGER_COPY],
    subject="Booking confirmed: {{ seminar }} on {{ session_date }}",
    body=MANAGER_PREFIX
    + "Your booking on the seminar {{ seminar }} is confirmed."
    + SESSION_DETAILS
    + "\n\nWe look forward to seeing you there.",
)

seminars.message(
    "seminars.booking_datetime_changed",
    audiences=(Audience.LEARNER, Audience.TRAINER),
    kind=Kind.ALERT,
    keeps=INVITATION,
    name="Seminar session date/time changed",
    description="The date or time of a seminar session changes.",
    recipients="booked learners and trainers",
    placeholders=[
        SEMINAR,
        P("session_date", "When the session now starts"),
        P("previous_date", "When the session was due to start before", required=False),
        ROOM,
    ],
    subject="New date for {{ seminar }}: {{ session_date }}",
    body=(
        "The date or time of the seminar {{ seminar }} has changed"
        "{% if previous_date %} from {{ previous_date }}{% endif %}."
        "\n\nWhen: {{ session_date }}{% if room %}\nWhere: {{ room }}{% endif %}"
        "\n\nPlease update your calendar."
    ),
)

seminars.message(
    "seminars.booking_declined",
    kind=Kind.ALERT,
    name="Seminar booking declined",
    description="The learner's manager declines a booking request.",
    recipients="learner",
    placeholders=[
        SEMINAR,
        SESSION_DATE,
        P("reason", "The manager's reason", required=False),
    ],
    subject="Booking request declined: {{ seminar }}",
    body=(
        "Your request to attend the seminar {{ seminar }} on {{ session_date }} has been "
        "declined{% if sender %} by {{ sender }}{% endif %}."
        "{% if reason %}\n\nReason: {{ reason }}{% endif %}"
    ),
)

seminars.message(
    "seminars.booking_reminder",
    kind=Kind.ALERT,
    name="Seminar booking reminder",
    description="Sent a set number of days (2 by default) before a booked seminar session.",
    recipients="booked learners (+manager copy)",
    placeholders=[SEMINAR, SESSION_DATE, LEARNER, ROOM, TRAINER, MANAGER_COPY],
    subject="Reminder: {{ seminar }} on {{ session_date }}",
    body=MANAGER_PREFIX
    + "This is a reminder that you are booked on the seminar {{ seminar }}."
    + SESSION_DETAILS,
)

seminars.message(
    "seminars.booking_request",
    kind=Kind.ALERT,
    name="Seminar booking request",
    description="A learner's booking request is sent to their manager for approval.",
    recipients="learner",
    placeholders=[
        SEMINAR,
        SESSION_DATE,
        P("approver", "The full name of who must approve the request", required=False),
    ],
    subject="Booking request sent: {{ seminar }}",
    body=(
        "Your request to attend the seminar {{ seminar }} on {{ session_date }} has been sent "
        "to {% if approver %}{{ approver }}{% else %}your manager{% endif %} for approval. "
        "You will hear as soon as it is approved or declined."
    ),
)

seminars.message(
    "seminars.trainer_session_cancellation",
    audiences=(Audience.TRAINER,),
    kind=Kind.ALERT,
    name="Seminar session trainer cancellation",
    description="A seminar session that the trainer teaches is cancelled.",
    recipients="trainers",
    placeholders=[
        SEMINAR,
        SESSION_DATE,
        P("reason", "Why the session was cancelled", required=False),
    ],
    subject="Session cancelled: {{ seminar }} on {{ session_date }}",
    body=(
        "The session of the seminar {{ seminar }} on {{ session_date }} that you were due to "
        "teach has been cancelled.{% if reason %}\n\nReason: {{ reason }}{% endif %}"
    ),
)

seminars.message(
    "seminars.trainer_unassigned",
    audiences=(Audience.TRAINER,),
    kind=Kind.ALERT,
    name="Seminar session trainer unassigned",
    description="A trainer is removed from a seminar session.",
    recipients="that trainer",
    placeholders=[SEMINAR, SESSION_DATE],
    subject="You no longer teach {{ seminar }} on {{ session_date }}",
    body=(
        "You have been removed as a trainer of the seminar {{ seminar }} on {{ session_date }}. "
        "You no longer need to attend this session."
    ),
)

seminars.message(
    "seminars.trainer_confirmation",
    audiences=(Audience.TRAINER,),
    kind=Kind.ALERT,
    name="Seminar trainer confirmation",
    description="A trainer is assigned to a seminar session.",
    recipients="that trainer",
    placeholders=[SEMINAR, SESSION_DATE, ROOM],
    subject="You are teaching {{ seminar }} on {{ session_date }}",
    body=(
        "You have been assigned as a trainer of the seminar {{ seminar }}."
        "\n\nWhen: {{ session_date }}{% if room %}\nWhere: {{ room }}{% endif %}"
    ),
)

seminars.message(
    "seminars.waitlist_advice",
    kind=Kind.ALERT,
    name="Seminar wait-listing advice",
    description="A learner is put on a seminar's wait-list.",
    recipients="learner",
    placeholders=[
        SEMINAR,
        P("session_date", "When the session starts, if it has a date", required=False),
    ],
    subject="You are on the wait-list for {{ seminar }}",
    body=(
        "You have been added to the wait-list for the seminar {{ seminar }}"
        "{% if session_date %} on {{ session_date }}{% endif %}. We will let you know if a "
        "place becomes available."
    ),
)
