"""Badges: awarding (by hand or on course completion) and the notices it sends."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

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


def _tell(badge: Badge, awards: list[Award], *, url: str, dedupe_key: str, sender=None) -> None:
    """Tells the learners of `awards` (one badge) in one send, and its creator in another that
    names them all."""
    notifications.send(
        "badges.recipient_notice",
        [a.user for a in awards],
        context={
            "badge": badge.name,
            "badge_description": badge.description,
            "issuer": badge.issuer,
        },
        sender=sender,
        url=url,
        dedupe_key=dedupe_key,
    )
    if badge.created_by_id:
        notifications.send(
            "badges.creator_notice",
            [badge.created_by_id],
            context={
                "badge": badge.name,
                "learner": ", ".join(sorted(a.user.display_name for a in awards)),
                "awarded_at": awards[0].awarded_at,
            },
            sender=sender,
            url=badge.get_absolute_url(),
            dedupe_key=dedupe_key,
        )


def _announce(award: Award, sender=None) -> None:
    _tell(
        award.badge,
        [award],
        url=award.get_absolute_url(),
        dedupe_key=f"badges:award:{award.pk}",
        sender=sender,
    )


def award_completion_badges(enrolments) -> list[Award]:
    """Awards each learner the active completion badges of their course that they do not hold
    yet, and announces them: one recipient notice and one creator notice per badge, however
    many learners it goes to. A constant number of queries. Idempotent."""
    enrolments = list(enrolments)
    if not enrolments:
        return []
    badges: dict[int, list[Badge]] = {}
    for badge in Badge.objects.filter(
        course_id__in={e.course_id for e in enrolments},
        criterion=Badge.Criterion.COURSE_COMPLETION,
        active=True,
    ).select_related("created_by"):
        badges.setdefault(badge.course_id, []).append(badge)
    if not badges:
        return []
    every = [b.pk for bs in badges.values() for b in bs]
    users = {e.user_id for e in enrolments}
    held = set(
        Award.objects.filter(user_id__in=users, badge_id__in=every).values_list(
            "badge_id", "user_id"
        )
    )
    now = timezone.now()
    wanted = {
        (b.pk, e.user_id)
        for e in enrolments
        for b in badges.get(e.course_id, [])
        if (b.pk, e.user_id) not in held
    }
    if not wanted:
        return []
    Award.objects.bulk_create(
        [Award(badge_id=b, user_id=u, awarded_at=now) for b, u in sorted(wanted)],
        ignore_conflicts=True,
    )
    # Only the rows this call wrote (a concurrent call's have another time).
    awards = [
        a
        for a in Award.objects.filter(
            user_id__in=users, badge_id__in=every, awarded_at=now
        ).select_related("badge", "user")
        if (a.badge_id, a.user_id) in wanted
    ]
    by_badge: dict[int, list[Award]] = {}
    for award in awards:
        by_badge.setdefault(award.badge_id, []).append(award)
    for group in by_badge.values():
        badge = group[0].badge
        _tell(
            badge,
            group,
            url=reverse("badges:mine"),
            dedupe_key=f"badges:badge:{badge.pk}:completion:{now.timestamp()}",
        )
    return awards


@transaction.atomic
def award_badge(badge: Badge, user, awarded_by) -> Award:
    """Awards a manual badge to `user`, telling them and the badge's creator (unless the
    creator awarded it: they know).

    Raises BadgeError (nothing changed) when the awarder may not award it, the badge is
    inactive or earned by completion, the user is not a learner of the badge's course, or
    holds it already.
    """
    if not can_award(awarded_by, badge):
        raise BadgeError(_("You may not award %(badge)s.") % {"badge": badge.name})
    if not badge.active:
        raise BadgeError(_("%(badge)s is not active.") % {"badge": badge.name})
    if badge.criterion != Badge.Criterion.MANUAL:
        raise BadgeError(
            _("%(badge)s is earned by completing its course, not awarded.") % {"badge": badge.name}
        )
    if badge.course_id and not (
        Enrolment.objects.learners().filter(course_id=badge.course_id, user=user).exists()
    ):
        raise BadgeError(
            _("%(user)s is not a learner in %(course)s.")
            % {"user": user.display_name, "course": badge.course}
        )
    if Award.objects.filter(badge=badge, user=user).exists():
        raise BadgeError(
            _("%(user)s has %(badge)s already.") % {"user": user.display_name, "badge": badge.name}
        )
    award = Award.objects.create(badge=badge, user=user, awarded_by=awarded_by)
    _announce(award, sender=awarded_by)
    return award


@transaction.atomic
def award_course_completion_badges(enrolment: Enrolment) -> list[Award]:
    """Awards the course's active completion badges that the learner does not hold yet.

    Idempotent. Called by courses.actions.complete_course.
    """
    return award_completion_badges([enrolment])
