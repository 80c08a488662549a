"""Message types of quizzes (see shared/seed/catalogue.md)."""

from notifications.catalogue import Audience, Feature, Kind, P, Urgency

quizzes = Feature("quizzes", "Quiz")

QUIZ = P("quiz", "The quiz's name")
COURSE = P("course", "The course's full name")
SUBMITTED_AT = P("submitted_at", "When the attempt was submitted")

quizzes.message(
    "quizzes.submission_confirmation",
    kind=Kind.EMAIL,
    name="Confirmation of your own quiz submissions",
    description="A learner submits a quiz attempt.",
    recipients="that learner",
    placeholders=[QUIZ, COURSE, SUBMITTED_AT],
    subject="Your attempt at {{ quiz }} was submitted",
    body=(
        "Hello {{ recipient }},\n\nThank you for submitting your answers to {{ quiz }} in "
        "{{ course }} on {{ submitted_at }}. This message confirms that we safely received "
        "them.{% if url %}\n\nYou can review your attempt here: {{ url }}{% endif %}"
    ),
)

quizzes.message(
    "quizzes.attempt_overdue",
    kind=Kind.EMAIL,
    name="Warning when your quiz attempt becomes overdue",
    description="The time limit of a learner's quiz attempt is reached before it is submitted.",
    recipients="that learner",
    placeholders=[
        QUIZ,
        COURSE,
        P("submit_by", "The last moment the attempt can still be submitted", required=False),
    ],
    subject="Your attempt at {{ quiz }} is overdue",
    body=(
        "Hello {{ recipient }},\n\nThe time limit of your attempt at {{ quiz }} in {{ course }} "
        "has been reached, and the attempt has not been submitted."
        "{% if submit_by %} You can still submit it until {{ submit_by }}; after that it will "
        "not count.{% else %} Please submit it now.{% endif %}"
        "{% if url %}\n\n{{ url }}{% endif %}"
    ),
    urgency=Urgency.URGENT,
)

quizzes.message(
    "quizzes.submission_notification",
    audiences=(Audience.TRAINER,),
    kind=Kind.EMAIL,
    name="Notification of quiz submissions",
    description="A learner submits a quiz attempt.",
    recipients="the course's trainers",
    placeholders=[
        QUIZ,
        COURSE,
        P("learner", "The full name of the learner who submitted it"),
        SUBMITTED_AT,
    ],
    subject="{{ learner }} submitted an attempt at {{ quiz }}",
    body=(
        "Hello {{ recipient }},\n\n{{ learner }} submitted an attempt at {{ quiz }} in "
        "{{ course }} on {{ submitted_at }}.{% if url %}\n\nReview the attempt: {{ url }}"
        "{% endif %}"
    ),
)
