"""Message types of program management (see shared/seed/catalogue.md)."""

from notifications.catalogue import Audience, Feature, Kind, P, Urgency

programs = Feature("programs", "Program management")

PROGRAM = P("program", "The program's name")
LEARNER = P("learner", "The learner's full name")
DUE_DATE = P("due_date", "When the program is due")
COURSE_SET = P("course_set", "The course set's name")
COURSE_SET_DUE_DATE = P("due_date", "When the course set is due")
# Like Totara's manager prefix: the copy sent to the learner's manager says why they receive it.
MANAGER_COPY = P("manager_copy", "Set on the copy sent to the learner's manager", required=False)
MANAGER_PREFIX = (
    "{% if manager_copy %}As the manager of {{ learner }}, you receive a copy of this "
    "message.\n\n{% endif %}"
)

programs.message(
    "programs.extension_request",
    audiences=(Audience.MANAGER,),
    kind=Kind.TASK,
    name="Program extension request",
    description="A learner asks for a due-date extension of a program.",
    recipients="learner's manager (accept/decline)",
    placeholders=[
        PROGRAM,
        LEARNER,
        P("due_date", "The program's current due date"),
        P("extension_date", "The due date the learner asks for"),
        P("reason", "The learner's reason", required=False),
    ],
    subject="{{ learner }} asks for an extension of {{ program }}",
    body=(
        "{{ learner }} has asked for the due date of {{ program }} to move from {{ due_date }} "
        "to {{ extension_date }}.{% if reason %}\n\nReason: {{ reason }}{% endif %}\n\n"
        "Please accept or decline the request."
    ),
    actions=("accept", "decline"),
)

programs.message(
    "programs.extension_granted",
    kind=Kind.ALERT,
    name="Program extension granted",
    description="The learner's manager accepts a request to extend a program's due date.",
    recipients="learner",
    placeholders=[
        PROGRAM,
        P("extension_date", "The program's new due date"),
        P("comment", "The manager's comment", required=False),
    ],
    subject="Your extension of {{ program }} was granted",
    body=(
        "Your request for an extension of {{ program }} has been accepted{% if sender %} by "
        "{{ sender }}{% endif %}. The program is now due on {{ extension_date }}."
        "{% if comment %}\n\nComment: {{ comment }}{% endif %}"
    ),
)

programs.message(
    "programs.extension_declined",
    kind=Kind.ALERT,
    name="Program extension declined",
    description="The learner's manager declines a request to extend a program's due date.",
    recipients="learner",
    placeholders=[
        PROGRAM,
        P("due_date", "The program's unchanged due date"),
        P("reason", "The manager's reason", required=False),
    ],
    subject="Your extension of {{ program }} was declined",
    body=(
        "Your request for an extension of {{ program }} has been declined{% if sender %} by "
        "{{ sender }}{% endif %}. The program is still due on {{ due_date }}."
        "{% if reason %}\n\nReason: {{ reason }}{% endif %}"
    ),
)

programs.message(
    "programs.enrolment",
    kind=Kind.ALERT,
    name="Program enrolment",
    description="A learner is assigned to a program.",
    recipients="learner; manager if the program says so",
    placeholders=[
        PROGRAM,
        LEARNER,
        P("due_date", "When the program is due", required=False),
        MANAGER_COPY,
    ],
    subject="You have been enrolled in {{ program }}",
    body=MANAGER_PREFIX
    + (
        "You have been enrolled in the program {{ program }}."
        "{% if due_date %}\n\nPlease complete it by {{ due_date }}.{% endif %}"
    ),
)

programs.message(
    "programs.exception_report",
    audiences=(Audience.ADMIN,),
    kind=Kind.ALERT,
    name="Program exception report",
    description=(
        "An assignment to a program raises an exception, such as an impossible time allowance "
        "or a duplicate course."
    ),
    recipients="site admins",
    placeholders=[
        PROGRAM,
        P("exception", "What went wrong, e.g. the time allowance cannot be met"),
        P("learner", "The full name of the learner whose assignment raised it", required=False),
    ],
    subject="Assignment exception in {{ program }}",
    body=(
        "An assignment to the program {{ program }} raised an exception: {{ exception }}."
        "{% if learner %}\n\nLearner: {{ learner }}{% endif %}\n\n"
        "The assignment waits until the exception is resolved on the program's exception report."
    ),
    urgency=Urgency.URGENT,
)

programs.message(
    "programs.unenrolment",
    kind=Kind.ALERT,
    name="Program unenrolment",
    description="A learner is removed from a program.",
    recipients="learner (+manager)",
    placeholders=[PROGRAM, LEARNER, MANAGER_COPY],
    subject="You have been unenrolled from {{ program }}",
    body=MANAGER_PREFIX
    + (
        "You have been unenrolled from the program {{ program }}. You no longer need to "
        "complete it."
    ),
)

programs.message(
    "programs.due",
    kind=Kind.ALERT,
    name="Program due",
    description="Sent a set number of days before the program's due date.",
    recipients="learner (+manager)",
    placeholders=[PROGRAM, DUE_DATE, LEARNER, MANAGER_COPY],
    subject="{{ program }} is due on {{ due_date }}",
    body=MANAGER_PREFIX
    + (
        "The program {{ program }} is due on {{ due_date }}. Please make sure you complete it "
        "in time."
    ),
)

programs.message(
    "programs.overdue",
    kind=Kind.ALERT,
    name="Program overdue",
    description="Sent a set number of days after the program's due date if it is not complete.",
    recipients="learner (+manager)",
    placeholders=[PROGRAM, DUE_DATE, LEARNER, MANAGER_COPY],
    subject="{{ program }} is overdue",
    body=MANAGER_PREFIX
    + (
        "The program {{ program }} was due on {{ due_date }} and is not complete yet. "
        "Please complete it as soon as you can."
    ),
    urgency=Urgency.URGENT,
)

programs.message(
    "programs.completed",
    kind=Kind.ALERT,
    name="Program completed",
    description="A learner completes a program.",
    recipients="learner (+manager)",
    placeholders=[
        PROGRAM,
        LEARNER,
        P("completion_date", "When the learner completed it", required=False),
        MANAGER_COPY,
    ],
    subject="You have completed {{ program }}",
    body=MANAGER_PREFIX
    + (
        "Congratulations! You have completed the program {{ program }}"
        "{% if completion_date %} on {{ completion_date }}{% endif %}."
    ),
)

programs.message(
    "programs.courseset_due",
    kind=Kind.ALERT,
    name="Course set due",
    description="Sent a set number of days before a course set of a program is due.",
    recipients="learner (+manager)",
    placeholders=[PROGRAM, COURSE_SET, COURSE_SET_DUE_DATE, LEARNER, MANAGER_COPY],
    subject="{{ course_set }} in {{ program }} is due on {{ due_date }}",
    body=MANAGER_PREFIX
    + (
        "The course set {{ course_set }} of the program {{ program }} is due on {{ due_date }}. "
        "Please make sure you complete it in time."
    ),
)

programs.message(
    "programs.courseset_overdue",
    kind=Kind.ALERT,
    name="Course set overdue",
    description="Sent a set number of days after a course set's due date if it is not complete.",
    recipients="learner (+manager)",
    placeholders=[PROGRAM, COURSE_SET, COURSE_SET_DUE_DATE, LEARNER, MANAGER_COPY],
    subject="{{ course_set }} in {{ program }} is overdue",
    body=MANAGER_PREFIX
    + (
        "The course set {{ course_set }} of the program {{ program }} was due on {{ due_date }} "
        "and is not complete yet. Please complete it as soon as you can."
    ),
    urgency=Urgency.URGENT,
)

programs.message(
    "programs.courseset_completed",
    kind=Kind.ALERT,
    name="Course set completed",
    description="A learner completes a course set of a program.",
    recipients="learner (+manager)",
    placeholders=[PROGRAM, COURSE_SET, LEARNER, MANAGER_COPY],
    subject="You have completed {{ course_set }} in {{ program }}",
    body=MANAGER_PREFIX
    + (
        "Well done! You have completed the course set {{ course_set }} of the program "
        "{{ program }}."
    ),
)

programs.message(
    "programs.learner_followup",
    kind=Kind.ALERT,
    name="Program learner follow-up",
    description="Sent a set number of days after a learner completes a program.",
    recipients="learner (+manager)",
    placeholders=[
        PROGRAM,
        LEARNER,
        P("completion_date", "When the learner completed the program", required=False),
        MANAGER_COPY,
    ],
    subject="Following up on {{ program }}",
    body=MANAGER_PREFIX
    + (
        "Some time has passed since you completed the program {{ program }}"
        "{% if completion_date %} on {{ completion_date }}{% endif %}. We hope you are putting "
        "what you learned into practice; take a moment to look back at what you would like to "
        "develop next."
    ),
    urgency=Urgency.LOW,
)
