"""Audience membership: chosen by admins (set) or computed from rules (dynamic), and who is told.

Membership changes are computed as a difference (who joins, who leaves) and written in bulk;
the users concerned are told in one send each way if the audience says so. Recomputing is
idempotent: a second run finds no difference and sends nothing.
"""

from __future__ import annotations

from functools import reduce
from operator import and_, or_

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

import notifications
from features.audiences.models import Audience, AudienceMember, AudienceRule, members_of

CHUNK = 1000


class AudienceError(ValueError):
    """A membership change that cannot be made; the message says why."""


def _change(audience: Audience, wanted: set[int], actor=None) -> tuple[int, int]:
    """Makes the members exactly `wanted`; tells who joined and who left. Returns the counts."""
    current = members_of(audience)
    added, removed = wanted - current, current - wanted
    now = timezone.now()
    AudienceMember.objects.bulk_create(
        [AudienceMember(audience=audience, user_id=u, added_at=now) for u in sorted(added)],
        batch_size=CHUNK,
        ignore_conflicts=True,
    )
    gone = sorted(removed)
    for start in range(0, len(gone), CHUNK):
        AudienceMember.objects.filter(
            audience=audience, user_id__in=gone[start : start + CHUNK]
        ).delete()
    context = {"audience": audience.name}
    if added and audience.notify_added:
        notifications.send("audiences.members_added", sorted(added), context=context, sender=actor)
    if removed and audience.notify_removed:
        notifications.send(
            "audiences.members_removed", sorted(removed), context=context, sender=actor
        )
    return len(added), len(removed)


@transaction.atomic
def set_members(audience: Audience, users, actor=None) -> tuple[int, int]:
    """Sets the members of a set audience to `users` (users or ids); returns (added, removed).

    Raises AudienceError for a dynamic audience (its rules decide) or an unknown user id.
    """
    if audience.is_dynamic:
        raise AudienceError(_("The members of a dynamic audience are set by its rules."))
    wanted = {u.pk if hasattr(u, "pk") else int(u) for u in users}
    known = set(get_user_model().objects.filter(pk__in=wanted).values_list("pk", flat=True))
    if wanted - known:
        raise AudienceError(
            _("No such users: %(known)s.") % {"known": ", ".join(map(str, sorted(wanted - known)))}
        )
    return _change(Audience.objects.select_for_update().get(pk=audience.pk), wanted, actor)


def add_members(audience: Audience, users, actor=None) -> int:
    """Adds `users` to a set audience; returns how many joined."""
    ids = {u.pk if hasattr(u, "pk") else int(u) for u in users}
    return set_members(audience, members_of(audience) | ids, actor)[0]


def remove_members(audience: Audience, users, actor=None) -> int:
    """Removes `users` from a set audience; returns how many left."""
    ids = {u.pk if hasattr(u, "pk") else int(u) for u in users}
    return set_members(audience, members_of(audience) - ids, actor)[1]


def _report_broken(audience: Audience, broken: list[AudienceRule], now) -> int:
    """Tells the site admins about each rule newly found broken (once per breakage)."""
    fresh = [rule for rule in broken if rule.broken_at is None]
    for rule in fresh:
        rule.broken_at = now
    AudienceRule.objects.bulk_update(fresh, ["broken_at"])
    admins = get_user_model().objects.filter(is_superuser=True, is_active=True)
    for rule in fresh:
        notifications.send(
            "audiences.broken_rules",
            admins,
            context={"audience": audience.name, "rule": f"{rule.describe()}: {rule.problem()}."},
            url=f"/admin/audiences/audience/{audience.pk}/change/",
            dedupe_key=f"audiences:rule:{rule.pk}:broken:{int(now.timestamp())}",
        )
    return len(fresh)


@transaction.atomic
def recompute(audience: Audience, now=None) -> dict[str, int]:
    """Applies a dynamic audience's rules: members join and leave, and are told if it says so.

    A rule that refers to something deleted stops the recomputation (members stay as they
    were, as a wrong rule could empty the audience) and is reported to the site admins once.
    An audience with no rules has no members. Only active users are members.
    """
    now = now or timezone.now()
    audience = Audience.objects.select_for_update().get(pk=audience.pk)
    if not audience.is_dynamic:
        raise AudienceError(_("Only a dynamic audience has rules to apply."))
    rules = list(audience.rules.select_related("manager", "other_audience"))
    broken = [rule for rule in rules if rule.problem()]
    mended = [rule for rule in rules if rule.broken_at and not rule.problem()]
    for rule in mended:
        rule.broken_at = None
    AudienceRule.objects.bulk_update(mended, ["broken_at"])
    if broken:
        return {"added": 0, "removed": 0, "broken": _report_broken(audience, broken, now)}
    wanted: set[int] = set()
    if rules:
        combine = and_ if audience.match == Audience.Match.ALL else or_
        condition = reduce(combine, (rule.condition() for rule in rules), Q())
        wanted = set(
            get_user_model().objects.filter(condition, is_active=True).values_list("pk", flat=True)
        )
    added, removed = _change(audience, wanted)
    Audience.objects.filter(pk=audience.pk).update(recomputed_at=now)
    return {"added": added, "removed": removed, "broken": 0}


def recompute_all(now=None) -> dict[str, int]:
    """Recomputes every dynamic audience, each in its own transaction."""
    total = {"audiences": 0, "added": 0, "removed": 0, "broken": 0}
    for audience in Audience.objects.filter(type=Audience.Type.DYNAMIC).order_by("pk"):
        for key, value in recompute(audience, now).items():
            total[key] += value
        total["audiences"] += 1
    return total
