"""Quiet hours: when a user's email waits, computed in their own time zone.

A user's quiet hours are a daily range of wall-clock times (`start` <= time < `end`; a range
whose end comes before its start runs overnight, 22:00-07:00) and, optionally, the whole
weekend (Saturday and Sunday, midnight to midnight). Periods that touch make one: with the
weekend quiet and 22:00-07:00, Friday 22:00 to Monday 07:00 is one quiet period.

Times are wall-clock times in the user's zone (zoneinfo), so "07:00" stays 07:00 across a
daylight-saving change; a wall time the clocks skip (02:30 on a spring-forward night) ends the
period when the clocks jump past it. Which messages wait, and for which outputs, is decided by
notifications.preferences; this module only says until when.
"""

from __future__ import annotations

import datetime
import zoneinfo
from dataclasses import dataclass

UTC = datetime.UTC
MIDNIGHT = datetime.time(0, 0)
SATURDAY = 5
# A quiet period is a chain of at most a weekend and two daily ranges; the bound only guards
# against a loop that a bad value could cause.
MAX_STEPS = 8


@dataclass(frozen=True)
class QuietHours:
    """One user's quiet-hours settings with their time zone (a zone name)."""

    enabled: bool
    start: datetime.time
    end: datetime.time
    weekends: bool
    timezone: str = "UTC"

    def zone(self) -> datetime.tzinfo:
        try:
            return zoneinfo.ZoneInfo(self.timezone or "UTC")
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return UTC


def _wall_time(moment: datetime.datetime, zone) -> datetime.datetime:
    return moment.astimezone(zone).replace(tzinfo=None)


def instant(day: datetime.date, wall: datetime.time, zone, after: datetime.datetime):
    """The first moment later than `after` at which the clocks of `zone` show `wall` on `day`,
    in UTC. A wall time shown twice (clocks going back) is its first showing still to come; a
    wall time the clocks skip is the moment they jump past it."""
    naive = datetime.datetime.combine(day, wall)
    showings = []
    for fold in (0, 1):
        moment = naive.replace(tzinfo=zone, fold=fold).astimezone(UTC)
        if _wall_time(moment, zone) == naive:
            showings.append(moment)
    later = [m for m in showings if m > after]
    if later:
        return min(later)
    if showings:  # shown already: the period ends now
        return after
    # Skipped: the jump lies between the two readings of the wall time; find it to the second.
    low = int(naive.replace(tzinfo=zone, fold=1).astimezone(UTC).timestamp())
    high = int(naive.replace(tzinfo=zone, fold=0).astimezone(UTC).timestamp())
    low, high = min(low, high), max(low, high)
    while high - low > 1:
        middle = (low + high) // 2
        if _wall_time(datetime.datetime.fromtimestamp(middle, UTC), zone) >= naive:
            high = middle
        else:
            low = middle
    return max(datetime.datetime.fromtimestamp(high, UTC), after)


def _in_range(settings: QuietHours, time: datetime.time) -> bool:
    if settings.start == settings.end:
        return False  # an empty range (the page and the API refuse it)
    if settings.start < settings.end:
        return settings.start <= time < settings.end
    return time >= settings.start or time < settings.end


def _step(settings: QuietHours, moment: datetime.datetime, zone) -> datetime.datetime | None:
    """The end of the weekend or daily range that `moment` is in, or None if in neither."""
    local = moment.astimezone(zone)
    if settings.weekends and local.weekday() >= SATURDAY:
        monday = local.date() + datetime.timedelta(days=7 - local.weekday())
        return instant(monday, MIDNIGHT, zone, moment)
    if _in_range(settings, local.time()):
        day = local.date()
        if settings.start > settings.end and local.time() >= settings.start:
            day += datetime.timedelta(days=1)  # overnight: it ends tomorrow morning
        return instant(day, settings.end, zone, moment)
    return None


def quiet_until(settings: QuietHours | None, now: datetime.datetime) -> datetime.datetime | None:
    """When the quiet period that `now` falls in ends, in UTC; None when `now` is not quiet
    (or quiet hours are off)."""
    if settings is None or not settings.enabled:
        return None
    zone = settings.zone()
    moment = now.astimezone(UTC)
    for _ in range(MAX_STEPS):
        end = _step(settings, moment, zone)
        if end is None or end <= moment:
            break
        moment = end
    return None if moment == now.astimezone(UTC) else moment
