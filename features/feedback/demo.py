"""Demo: a feedback activity Lou answers; Tara reminds the others."""

from features.courses.models import Course
from features.feedback import actions
from features.feedback.models import FeedbackActivity, FeedbackQuestion


def load(people) -> None:
    course = Course.objects.filter(short_name="SAFETY").first()
    if course is None:
        return
    activity, created = FeedbackActivity.objects.get_or_create(
        course=course,
        name="Workplace safety feedback",
        defaults={
            "description": "Tell us what worked and what did not.",
            "notify_submissions": True,
            "remind_after_days": 3,
            "completion_required": True,
        },
    )
    if not created:
        return
    activity.administrators.add(people["admin"])
    useful = FeedbackQuestion.objects.create(
        activity=activity,
        text="How useful was the course?",
        kind=FeedbackQuestion.Kind.RATING,
        position=1,
    )
    better = FeedbackQuestion.objects.create(
        activity=activity, text="What should we improve?", required=False, position=2
    )
    actions.submit_feedback(
        activity, people["lou"], {useful.pk: "5", better.pk: "More real examples, please."}
    )
    actions.remind_non_respondents(
        activity, people["tara"], "Two minutes of your time help us a lot. Thank you!"
    )
