"""Message types of courses (see shared/seed/catalogue.md)."""

from notifications.catalogue import Audience, Feature, Kind, P

courses = Feature("courses", "Course")

COURSE = P("course", "The course's full name")

courses.message(
    "courses.request_approved",
    kind=Kind.EMAIL,
    name="Course creation request approval notification",
    description="A request for a new course is approved.",
    recipients="the requester",
    placeholders=[COURSE],
    subject="Your course request was approved: {{ course }}",
    body=(
        "Hello {{ recipient }},\n\nYour request for the course {{ course }} has been approved. "
        "The course has been created and you can start setting it up."
        "{% if url %}\n\n{{ url }}{% endif %}"
    ),
)

courses.message(
    "courses.request_created",
    audiences=(Audience.ADMIN,),
    kind=Kind.EMAIL,
    name="Course creation request notification",
    description="Someone requests a new course.",
    recipients="the recipients configured for course requests",
    placeholders=[
        COURSE,
        P("requester", "The full name of who asked for the course"),
        P("reason", "The requester's reason for the course", required=False),
    ],
    subject="New course request: {{ course }}",
    body=(
        "Hello {{ recipient }},\n\n{{ requester }} has requested a new course, {{ course }}."
        "{% if reason %}\n\nReason: {{ reason }}{% endif %}\n\n"
        "Please review the pending course requests{% if url %}: {{ url }}{% else %}.{% endif %}"
    ),
)

courses.message(
    "courses.request_rejected",
    kind=Kind.EMAIL,
    name="Course creation request rejection notification",
    description="A request for a new course is rejected.",
    recipients="the requester",
    placeholders=[
        COURSE,
        P("reason", "The reviewer's reason for rejecting it", required=False),
    ],
    subject="Your course request was rejected: {{ course }}",
    body=(
        "Hello {{ recipient }},\n\nYour request for the course {{ course }} has been rejected."
        "{% if reason %}\n\nReason: {{ reason }}{% endif %}"
    ),
)

courses.message(
    "courses.manual_enrolment_expiry",
    audiences=(Audience.LEARNER, Audience.TRAINER),
    kind=Kind.EMAIL,
    name="Manual enrolment expiry notifications",
    description="A manual enrolment in a course is about to expire.",
    recipients="the enrolled users (+ the enroller)",
    placeholders=[
        COURSE,
        P("learner", "The enrolled user's full name"),
        P("expiry_date", "When the enrolment expires"),
    ],
    subject="Enrolment in {{ course }} expires on {{ expiry_date }}",
    body=(
        "Hello {{ recipient }},\n\nThe enrolment of {{ learner }} in the course {{ course }} "
        "expires on {{ expiry_date }}. After that date the course is no longer available to "
        "them.\n\nIf more time is needed, please contact the course's trainers."
    ),
)

courses.message(
    "courses.self_enrolment_expiry",
    audiences=(Audience.LEARNER, Audience.TRAINER),
    kind=Kind.EMAIL,
    name="Self enrolment expiry notifications",
    description="A self enrolment in a course is about to expire.",
    recipients="the enroller only, or the enroller and the enrolled user (a setting)",
    placeholders=[
        COURSE,
        P("learner", "The enrolled user's full name"),
        P("expiry_date", "When the enrolment expires"),
    ],
    subject="Self enrolment in {{ course }} expires on {{ expiry_date }}",
    body=(
        "Hello {{ recipient }},\n\nThe self enrolment of {{ learner }} in the course "
        "{{ course }} expires on {{ expiry_date }}. After that date the course is no longer "
        "available to them unless they enrol again."
    ),
)
