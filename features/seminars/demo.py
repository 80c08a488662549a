"""Demo: a seminar with two sessions taught by tara; lee is booked on the first, lou's request
for the second (which needs approval) waits for mia (and tom, lou's temporary manager)."""

from datetime import timedelta

from django.utils import timezone

from features.courses.models import Course
from features.seminars import actions
from features.seminars.models import Seminar, Session


def load(people) -> None:
    seminar, created = Seminar.objects.get_or_create(
        name="Fire safety workshop",
        defaults={
            "description": "Hands-on fire safety: alarms, extinguishers and evacuation.",
            "notify_managers": True,
            "course": Course.objects.filter(short_name="SAFETY").first(),
        },
    )
    if not created:
        return
    start = (timezone.now() + timedelta(days=7)).replace(hour=9, minute=0, second=0, microsecond=0)
    first = Session.objects.create(
        seminar=seminar,
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        room="Training room 1",
        capacity=12,
    )
    second = Session.objects.create(
        seminar=seminar,
        starts_at=start + timedelta(days=7),
        ends_at=start + timedelta(days=7, hours=3),
        room="Training room 2",
        capacity=8,
        needs_approval=True,
    )
    for session in (first, second):
        actions.assign_trainer(session, people["tara"], actor=people["admin"])
    actions.book(first, people["lee"])
    actions.book(second, people["lou"], note="I would like to become a fire warden.")
