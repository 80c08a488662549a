"""Badges: awarding (by hand or on course completion) and the notices it sends."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

import notifications
from features.badges.models import Award, Badge
from features.courses.models import Enrolment


class BadgeError(ValueError):
    """An award that cannot be made; the message says why."""


def can_award(user, badge: Badge) -> bool:
    """Site staff, the badge's creator, or a trainer of the badge's course."""
    if user.is_staff or badge.created_by_id == user.pk:
        return True
    if badge.course_id is None:
        return False
    return (
        Enrolment.objects.active().trainers().filter(course_id=badge.course_id, user=user).exists()
    )


def _announce(award: Award, sender=None) -> None:
    badge = award.badge
    notifications.send(
        "badges.recipient_notice",
        [award.user],
        context={
            "badge": badge.name,
            "badge_description": badge.description,
            "issuer": badge.issuer,
        },
        sender=sender,
        url=award.get_absolute_url(),
        dedupe_key=f"badges:award:{award.pk}",
    )
    if badge.created_by_id:
        notifications.send(
            "badges.creator_notice",
            [badge.created_by_id],
            context={
                "badge": badge.name,
                "learner": award.user.display_name,
                "awarded_at": award.awarded_at,
            },
            sender=sender,
            url=badge.get_absolute_url(),
            dedupe_key=f"badges:award:{award.pk}",
        )


@transaction.atomic
def award_badge(badge: Badge, user, awarded_by) -> Award:
    """Awards a manual badge to `user`, telling them and the badge's creator (unless the
    creator awarded it: they know).

    Raises BadgeError (nothing changed) when the awarder may not award it, the badge is
    inactive or earned by completion, the user is not a learner of the badge's course, or
    holds it already.
    """
    if not can_award(awarded_by, badge):
        raise BadgeError(f"You may not award {badge.name}.")
    if not badge.active:
        raise BadgeError(f"{badge.name} is not active.")
    if badge.criterion != Badge.Criterion.MANUAL:
        raise BadgeError(f"{badge.name} is earned by completing its course, not awarded.")
    if badge.course_id and not (
        Enrolment.objects.learners().filter(course_id=badge.course_id, user=user).exists()
    ):
        raise BadgeError(f"{user.display_name} is not a learner in {badge.course}.")
    if Award.objects.filter(badge=badge, user=user).exists():
        raise BadgeError(f"{user.display_name} has {badge.name} already.")
    award = Award.objects.create(badge=badge, user=user, awarded_by=awarded_by)
    _announce(award, sender=awarded_by)
    return award


@transaction.atomic
def award_course_completion_badges(enrolment: Enrolment) -> list[Award]:
    """Awards the course's active completion badges that the learner does not hold yet.

    Idempotent. Called by courses.actions.complete_course.
    """
    held = Award.objects.filter(user_id=enrolment.user_id).values("badge_id")
    badges = list(
        Badge.objects.filter(
            course_id=enrolment.course_id,
            criterion=Badge.Criterion.COURSE_COMPLETION,
            active=True,
        ).exclude(pk__in=held)
    )
    if not badges:
        return []
    now = timezone.now()
    Award.objects.bulk_create(
        [Award(badge=b, user_id=enrolment.user_id, awarded_at=now) for b in badges],
        ignore_conflicts=True,
    )
    awards = list(
        Award.objects.filter(user_id=enrolment.user_id, badge__in=badges).select_related(
            "badge", "user"
        )
    )
    for award in awards:
        _announce(award)
    return awards
