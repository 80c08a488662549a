"""Message types of assignments (see shared/seed/catalogue.md)."""

from notifications.catalogue import Audience, Feature, Kind, P

assignments = Feature("assignments", "Assignment")

COURSE = P("course", "The course's full name")

assignments.message(
    "assignments.submitted",
    audiences=(Audience.TRAINER,),
    kind=Kind.EMAIL,
    name="Assignment notifications",
    description="A learner submits an assignment.",
    recipients="the course's trainers",
    placeholders=[
        P("assignment", "The assignment's name"),
        COURSE,
        P("learner", "The full name of the learner who submitted it"),
        P("submitted_at", "When it was submitted", required=False),
    ],
    subject="{{ learner }} submitted {{ assignment }}",
    body=(
        "Hello {{ recipient }},\n\n{{ learner }} has submitted the assignment {{ assignment }} "
        "in {{ course }}{% if submitted_at %} on {{ submitted_at }}{% endif %}. It is ready "
        "for grading.{% if url %}\n\n{{ url }}{% endif %}"
    ),
)

assignments.message(
    "assignments.essay_graded",
    kind=Kind.EMAIL,
    name="Essay graded notification",
    description="A trainer grades a learner's essay question.",
    recipients="learner",
    placeholders=[
        P("activity", "The name of the activity that holds the essay question"),
        COURSE,
        P("question", "The essay question's name", required=False),
        P("grade", "The grade given", required=False),
    ],
    subject="Your essay in {{ activity }} has been graded",
    body=(
        "Hello {{ recipient }},\n\nYour answer to the essay question"
        "{% if question %} {{ question }}{% endif %} in {{ activity }} ({{ course }}) has been "
        "graded{% if sender %} by {{ sender }}{% endif %}.{% if grade %}\n\nGrade: {{ grade }}"
        "{% endif %}{% if url %}\n\nSee the feedback: {{ url }}{% endif %}"
    ),
)
