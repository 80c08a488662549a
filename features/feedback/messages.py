"""Message types of course feedback activities (see shared/seed/catalogue.md)."""

from notifications.catalogue import Audience, Feature, Kind, P, Urgency

feedback = Feature("feedback", "Feedback")

FEEDBACK = P("feedback", "The feedback activity's name")
COURSE = P("course", "The course's full name")

feedback.message(
    "feedback.completion_reminder",
    kind=Kind.ALERT,
    name="Course feedback reminder",
    description="Learners are reminded to complete a course feedback activity.",
    recipients="learners who have not completed it",
    placeholders=[
        FEEDBACK,
        COURSE,
        P("due_date", "When the feedback closes", required=False),
    ],
    subject="Please complete the feedback {{ feedback }}",
    body=(
        "You have not yet completed the feedback {{ feedback }} in {{ course }}. It only takes "
        "a few minutes, and your answers help improve the course."
        "{% if due_date %}\n\nThe feedback closes on {{ due_date }}.{% endif %}"
    ),
    urgency=Urgency.LOW,
)

feedback.message(
    "feedback.non_respondent_reminder",
    kind=Kind.EMAIL,
    name="Feedback reminder",
    description="A trainer reminds the learners who have not answered a feedback activity.",
    recipients="learners who have not answered",
    placeholders=[
        FEEDBACK,
        COURSE,
        P("message", "The trainer's own words", required=False),
    ],
    subject="Reminder: {{ feedback }} in {{ course }}",
    body=(
        "Hello {{ recipient }},\n\n{% if message %}{{ message }}{% else %}You have not yet "
        "answered the feedback {{ feedback }} in {{ course }}. Your answers help us improve "
        "the course.{% endif %}{% if url %}\n\n{{ url }}{% endif %}"
    ),
    urgency=Urgency.LOW,
)

feedback.message(
    "feedback.submission_notice",
    audiences=(Audience.TRAINER, Audience.ADMIN),
    kind=Kind.EMAIL,
    name="Feedback notifications",
    description="A feedback is submitted in an activity with notification of submissions enabled.",
    recipients="trainers, feedback administrators",
    placeholders=[
        FEEDBACK,
        COURSE,
        P("respondent", "Who submitted it, unless the feedback is anonymous", required=False),
    ],
    subject="New response to {{ feedback }}",
    body=(
        "Hello {{ recipient }},\n\n{% if respondent %}{{ respondent }} has{% else %}Someone "
        "has anonymously{% endif %} submitted a response to the feedback {{ feedback }} in "
        "{{ course }}.{% if url %}\n\nSee the responses: {{ url }}{% endif %}"
    ),
)
