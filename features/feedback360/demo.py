"""Demo: lee asks lou and sam for feedback, so both have a 360 feedback task."""

from datetime import timedelta

from django.utils import timezone

from features.feedback360.actions import request_feedback
from features.feedback360.models import FeedbackRequest

NAME = "How I run our team meetings"


def load(people) -> None:
    lee = people["lee"]
    if FeedbackRequest.objects.filter(learner=lee, requested_by=lee, name=NAME).exists():
        return
    request_feedback(
        lee,
        lee,
        name=NAME,
        user_ids=[people["lou"].pk, people["sam"].pk],
        message="I chair the Monday meeting. What should I keep, and what should I change?",
        due_at=timezone.now() + timedelta(days=14),
    )
