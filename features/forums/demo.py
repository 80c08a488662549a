"""Demo: a forum in the Workplace safety course; tara opens a discussion, lee replies, and the
posts (dated an hour ago, past their edit window) are mailed to the forum's subscribers."""

from datetime import timedelta

from django.utils import timezone

from features.courses.models import Course, Enrolment
from features.forums import actions
from features.forums.models import Discussion, Forum, Post


def load(people) -> None:
    # Other features add to the same course: get_or_create on its short name.
    course, _ = Course.objects.get_or_create(
        short_name="SAFETY",
        defaults={
            "full_name": "Workplace safety",
            "summary": "Staying safe at work: hazards, fire, first aid.",
            "created_by": people["admin"],
        },
    )
    members = [("tara", Enrolment.Role.TRAINER)] + [
        (name, Enrolment.Role.LEARNER) for name in ("lee", "lou", "sam")
    ]
    for name, role in members:
        Enrolment.objects.get_or_create(course=course, user=people[name], role=role)
    forum, created = Forum.objects.get_or_create(
        course=course,
        name="Safety questions",
        defaults={
            "intro": "Ask anything about safety at work; the trainer answers here.",
            "mode": Forum.Mode.AUTO,
        },
    )
    if not created:
        return
    discussion = actions.start_discussion(
        forum,
        people["tara"],
        "Where are the fire extinguishers?",
        "Before the workshop, please find the two fire extinguishers on your floor and note "
        "which kind they are (water, foam or CO2).",
    )
    first = discussion.posts.get()
    actions.reply(
        first,
        people["lee"],
        "Found them: a CO2 one next to the server room and a foam one by the kitchen.",
    )
    # The demo discussion happened an hour ago, so its posts are past the edit window.
    earlier = timezone.now() - timedelta(hours=1)
    Post.objects.filter(discussion=discussion).update(created_at=earlier, modified_at=earlier)
    Discussion.objects.filter(pk=discussion.pk).update(created_at=earlier)
    actions.mail_posts()
