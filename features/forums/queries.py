"""Reads: who may see a forum, who is subscribed to a discussion, a user's subscription state.

Every function costs a constant number of queries, however many users or discussions.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext as _

from features.courses.models import Enrolment
from features.forums.models import (
    Discussion,
    DiscussionSubscription,
    Forum,
    ForumSubscription,
    MailPreference,
)

Mode = Forum.Mode


def participants(course_id: int) -> QuerySet:
    """Active users with an active enrolment (any role) in the course."""
    enrolled = Enrolment.objects.active().filter(course_id=course_id).values("user_id")
    return get_user_model().objects.filter(is_active=True, pk__in=enrolled)


def is_participant(course_id: int, user) -> bool:
    if not user.is_authenticated:
        return False
    return Enrolment.objects.active().filter(course_id=course_id, user_id=user.pk).exists()


def forums_of(user) -> QuerySet:
    """The forums of the courses the user takes part in now."""
    courses = Enrolment.objects.active().filter(user_id=user.pk).values("course_id")
    return Forum.objects.filter(course_id__in=courses).select_related("course")


def subscribers(discussion: Discussion) -> QuerySet:
    """The users subscribed to a discussion, as one User QuerySet (one query when evaluated).

    off: nobody. forced: every course participant. auto: every participant who did not
    unsubscribe from the forum. optional: the participants who subscribed to the forum. In auto
    and optional mode a discussion subscription overrides the forum choice both ways. The
    author of a post is left out by send() (the post's sender).
    """
    forum = discussion.forum
    if forum.mode == Mode.OFF:
        return get_user_model().objects.none()
    people = participants(forum.course_id)
    if forum.mode == Mode.FORCED:
        return people

    def forum_choice(subscribed: bool):
        return Exists(
            ForumSubscription.objects.filter(
                forum_id=forum.pk, user_id=OuterRef("pk"), subscribed=subscribed
            )
        )

    def discussion_choice(subscribed: bool):
        return Exists(
            DiscussionSubscription.objects.filter(
                discussion_id=discussion.pk, user_id=OuterRef("pk"), subscribed=subscribed
            )
        )

    by_forum = ~forum_choice(False) if forum.mode == Mode.AUTO else forum_choice(True)
    return people.filter((by_forum & ~discussion_choice(False)) | discussion_choice(True))


def wants_digest() -> QuerySet:
    """Ids of the users who chose the daily digest (a subquery)."""
    return MailPreference.objects.filter(mode=MailPreference.Mode.DIGEST).values("user_id")


def mail_mode(user) -> str:
    mode = MailPreference.objects.filter(user_id=user.pk).values_list("mode", flat=True).first()
    return mode or MailPreference.Mode.EACH


@dataclass(frozen=True)
class SubscriptionState:
    """What a user sees about their subscription: whether they are subscribed and may change it."""

    subscribed: bool
    locked: bool
    reason: str = ""


def forum_state(forum: Forum, user) -> SubscriptionState:
    if forum.mode == Mode.FORCED:
        return SubscriptionState(
            True, True, _("Everyone in the course is subscribed to this forum.")
        )
    if forum.mode == Mode.OFF:
        return SubscriptionState(False, True, _("Subscriptions are turned off for this forum."))
    choice = (
        ForumSubscription.objects.filter(forum_id=forum.pk, user_id=user.pk)
        .values_list("subscribed", flat=True)
        .first()
    )
    if choice is None:
        return SubscriptionState(forum.mode == Mode.AUTO, False)
    return SubscriptionState(choice, False)


def discussion_states(
    forum: Forum, forum_subscribed: SubscriptionState, user, discussion_ids
) -> dict[int, SubscriptionState]:
    """The user's state for each of the discussions (one query)."""
    if forum_subscribed.locked:
        return dict.fromkeys(discussion_ids, forum_subscribed)
    overrides = dict(
        DiscussionSubscription.objects.filter(
            discussion_id__in=list(discussion_ids), user_id=user.pk
        ).values_list("discussion_id", "subscribed")
    )
    return {
        pk: SubscriptionState(overrides.get(pk, forum_subscribed.subscribed), False)
        for pk in discussion_ids
    }
