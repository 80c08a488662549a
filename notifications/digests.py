"""Digests: the email that waited for a user's daily or weekly digest, sent as one email.

notifications.preferences decides which email waits (an outbox row in the `digest` state).
The email.send_digests job (every 15 minutes) sends each user, in their own time zone:
- a daily digest once per local day, from 07:00, of what arrived before that 07:00;
- a weekly digest once per ISO week, from Monday 07:00, of what arrived before it;
- at once, what waited for a feature the user has since set to "immediately".
A digest due in the user's quiet hours waits until they end. At send time the job drops what
the user no longer wants by email (the type's email turned off, the feature set to "never",
"no email at all", what it comes from muted, or the site no longer allowing it); nothing
left, no digest.

Each digest is made in one transaction: its Digest row (unique per user, cadence and period,
so a second run makes none), its own outbox row, and its items moved from `digest` to
`digested`. The outbox row is then sent like any email (claimed, attempted, retried with
backoff, logged, resendable from the admin): a failed attempt loses nothing, the retry sends
the same digest.
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Min
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from notifications.catalogue import Permission
from notifications.models import (
    Cadence,
    Digest,
    EmailCadence,
    EmailDelivery,
    MessageTemplate,
    OutputSetting,
    Preference,
    SiteMessaging,
    UserMessaging,
)
from notifications.muting import muted_by
from notifications.preferences import ALL_FEATURES, DIGEST_CADENCES, site_switches
from notifications.quiet_hours import QuietHours, instant, quiet_until
from notifications.rendering import _zone, absolute, render

logger = logging.getLogger(__name__)
Status = EmailDelivery.Status

DIGEST_TIME = datetime.time(7, 0)
MONDAY = 0
# Users whose waiting email one pass reads at once.
CHUNK = 500
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


def period_start(
    cadence: str, tz: str, now: datetime.datetime
) -> tuple[datetime.date, datetime.datetime]:
    """The latest 07:00 (weekly: Monday 07:00) at or before `now` in the zone `tz`: its local
    date and its moment in UTC. Wall-clock time, so it stays 07:00 across a DST change."""
    zone = _zone(tz)
    day = now.astimezone(zone).date()
    if cadence == Cadence.WEEKLY:
        day -= datetime.timedelta(days=day.weekday() - MONDAY)
    step = datetime.timedelta(days=7 if cadence == Cadence.WEEKLY else 1)
    start = instant(day, DIGEST_TIME, zone, _EPOCH)
    if start > now:
        day -= step
        start = instant(day, DIGEST_TIME, zone, _EPOCH)
    return day, start


@dataclass
class _Item:
    row: EmailDelivery
    subject: str
    url: str
    received: datetime.datetime


def send_digests(now: datetime.datetime | None = None) -> dict[str, int]:
    """Periodic (`email.send_digests`): makes every digest that is due at `now` and queues
    them. Idempotent: a second run at the same time makes nothing.

    It first reads, per user and feature, only when the oldest waiting message came (one
    aggregate query), so a run at which nobody's digest is due reads no message. Then per
    CHUNK users a constant number of queries, and per digest made three statements in a
    savepoint."""
    now = now or timezone.now()
    tally = {"digests": 0, "items": 0, "skipped": 0, "errors": 0}
    waiting: dict[int, dict[str, datetime.datetime]] = defaultdict(dict)
    for user_id, feature, oldest in (
        EmailDelivery.objects.filter(status=Status.DIGEST)
        .order_by()
        .values("user_id", "event__message_type__feature")
        .annotate(oldest=Min("created_at"))
        .values_list("user_id", "event__message_type__feature", "oldest")
    ):
        waiting[user_id][feature] = oldest
    if not waiting:
        return tally
    user_ids = sorted(waiting)
    site = SiteMessaging.load().email_cadence
    switches = site_switches()
    for start in range(0, len(user_ids), CHUNK):
        result = _send_chunk(user_ids[start : start + CHUNK], waiting, now, site, switches)
        for name, count in result.items():
            tally[name] += count
    if tally["digests"]:
        from notifications.email import enqueue

        count = tally["digests"]
        transaction.on_commit(lambda: enqueue(None, count))
    return tally


def _cadence(cadences: dict[str, str], feature: str, site: str) -> str:
    return cadences.get(feature) or cadences.get(ALL_FEATURES) or site


def _in_quiet_hours(row: UserMessaging | None, tz: str, now: datetime.datetime) -> bool:
    if row is None or not row.quiet_hours_enabled:
        return False
    settings_ = QuietHours(
        enabled=True,
        start=row.quiet_hours_start,
        end=row.quiet_hours_end,
        weekends=row.quiet_hours_weekends,
        timezone=tz,
    )
    return quiet_until(settings_, now) is not None


def _send_chunk(user_ids, waiting, now, site: str, switches: dict[str, bool]) -> dict[str, int]:
    tally = {"digests": 0, "items": 0, "skipped": 0, "errors": 0}
    users = get_user_model().objects.in_bulk(user_ids)
    cadences: dict[int, dict[str, str]] = defaultdict(dict)
    for user_id, feature, cadence in EmailCadence.objects.filter(user_id__in=user_ids).values_list(
        "user_id", "feature", "cadence"
    ):
        cadences[user_id][feature] = cadence
    messaging = {m.user_id: m for m in UserMessaging.objects.filter(user_id__in=user_ids)}
    done = set(
        Digest.objects.filter(
            user_id__in=user_ids, period__gte=now.date() - datetime.timedelta(days=8)
        )
        .exclude(cadence=Cadence.IMMEDIATELY)
        .values_list("user_id", "cadence", "period")
    )

    def worth_reading(user_id: int) -> bool:
        """Whether this user's waiting messages may go (or be dropped) now."""
        user = users.get(user_id)
        if user is None or not user.is_active or not user.email:
            return True  # to drop them
        quiet = _in_quiet_hours(messaging.get(user_id), user.timezone, now)
        for feature, oldest in waiting[user_id].items():
            cadence = _cadence(cadences[user_id], feature, site)
            if cadence == Cadence.NEVER:
                return True
            if quiet:
                continue
            if cadence not in DIGEST_CADENCES:
                return True
            period, start = period_start(cadence, user.timezone, now)
            if oldest < start and (user_id, cadence, period) not in done:
                return True
        return False

    user_ids = [u for u in user_ids if worth_reading(u)]
    if not user_ids:
        return tally
    rows = list(
        EmailDelivery.objects.filter(status=Status.DIGEST, user_id__in=user_ids)
        .select_related("event", "event__message_type", "event__sender")
        .order_by("-created_at", "-id")
    )
    type_ids = {r.event.message_type_id for r in rows}
    email_settings = {
        s.message_type_id: s
        for s in OutputSetting.objects.filter(message_type_id__in=type_ids, output="email")
    }
    turned_off = set(
        Preference.objects.filter(
            user_id__in=user_ids,
            message_type_id__in=type_ids,
            output="email",
            logged_in=False,
            logged_off=False,
        ).values_list("user_id", "message_type_id")
    )
    overrides = {
        (t.message_type_id, t.language): t
        for t in MessageTemplate.objects.filter(message_type_id__in=type_ids)
    }
    # What the users muted since (a course, a discussion, a program): none of it is emailed.
    subjects = {s["key"] for r in rows for s in (r.event.about or ())}
    mutes = muted_by(user_ids, sorted(subjects))

    by_user: dict[int, list[EmailDelivery]] = defaultdict(list)
    for row in rows:
        by_user[row.user_id].append(row)
    skipped: list[int] = []
    for user_id, user_rows in by_user.items():
        user = users.get(user_id)
        switches_row = messaging.get(user_id)
        due: dict[tuple[str, datetime.date], list[EmailDelivery]] = defaultdict(list)
        for row in user_rows:
            message_type = row.event.message_type
            cadence = _cadence(cadences[user_id], message_type.feature, site)
            setting = email_settings.get(message_type.id)
            if (
                user is None
                or not user.is_active
                or not user.email
                or cadence == Cadence.NEVER
                or (user_id, message_type.id) in turned_off
                or any(s["key"] in mutes.get(user_id, {}) for s in row.event.about or ())
                or (switches_row is not None and switches_row.email_off)
                or not switches.get("email", True)
                or setting is None
                or setting.permission == Permission.DISALLOWED
            ):
                skipped.append(row.pk)
                continue
            if cadence in DIGEST_CADENCES:
                period, start = period_start(cadence, user.timezone, now)
                if row.created_at >= start or (user_id, cadence, period) in done:
                    continue  # for the next digest
            else:  # back to "immediately": what waited goes now
                period = now.astimezone(_zone(user.timezone)).date()
            due[(cadence, period)].append(row)
        if not due or _in_quiet_hours(switches_row, user.timezone, now):
            continue  # nothing due, or it waits for the end of quiet hours
        for (cadence, period), items in due.items():
            try:
                made = _make(user, cadence, period, items, overrides)
            except Exception:  # one user's digest that cannot be made must not stop the rest
                logger.exception("digest %s %s of user %s failed", cadence, period, user_id)
                tally["errors"] += 1
                continue  # its items still wait: the next run tries again
            if made:
                tally["digests"] += 1
                tally["items"] += len(items)
    if skipped:
        tally["skipped"] = EmailDelivery.objects.filter(
            pk__in=skipped, status=Status.DIGEST
        ).update(
            status=Status.SKIPPED,
            last_error="Email for this message was turned off before the digest went.",
        )
    return tally


def _make(user, cadence: str, period: datetime.date, rows: list[EmailDelivery], overrides) -> bool:
    """Makes one digest of `rows` for `user` and its outbox row, in one transaction; False if
    it exists already for this period or another run took the rows."""
    subject, text, html = render_digest(user, cadence, rows, overrides)
    try:
        with transaction.atomic():
            delivery = EmailDelivery.objects.create(
                event=None,
                user=user,
                to_address=user.email,
                status=Status.PENDING,
                subject=subject[:300],
                why=f"digest-{cadence}"[:20],
            )
            digest = Digest.objects.create(
                user=user,
                cadence=cadence,
                period=period,
                delivery=delivery,
                item_count=len(rows),
                subject=subject[:300],
                text=text,
                html=html,
                language=user.language,
            )
            claimed = EmailDelivery.objects.filter(
                pk__in=[r.pk for r in rows], status=Status.DIGEST
            ).update(status=Status.DIGESTED, digest=digest, sent_at=timezone.now())
            if claimed != len(rows):
                raise IntegrityError("another run took some of these rows")
    except IntegrityError as error:
        logger.info("digest %s %s of user %s not made: %s", cadence, period, user.pk, error)
        return False
    return True


def render_digest(user, cadence: str, rows: list[EmailDelivery], overrides) -> tuple[str, str, str]:
    """The digest's subject, text and HTML in the user's language and time zone: the messages
    grouped by feature (the feature with the newest message first), newest first in each, each
    with its link, and a link to change how often email comes."""
    language = user.language or settings.LANGUAGE_CODE
    groups: dict[str, dict] = {}
    for row in rows:  # newest first
        event = row.event
        rendered = render(
            event.key,
            event.context,
            language=language,
            tz=user.timezone,
            recipient_name=user.display_name,
            sender_name=event.sender.display_name if event.sender else "",
            url=event.url,
            override=overrides.get((event.message_type_id, language)),
            custom=event.templates,
        )
        url = absolute(event.url) if event.url else absolute(reverse("why", args=[event.pk]))
        feature = event.message_type.feature
        group = groups.setdefault(feature, {"name": event.message_type.feature_name, "items": []})
        group["items"].append(
            _Item(row, rendered.subject, url, row.created_at.astimezone(_zone(user.timezone)))
        )
    count = len(rows)
    with translation.override(language), timezone.override(_zone(user.timezone)):
        if cadence == Cadence.DAILY:
            title = _("Your daily digest")
            subject = ngettext(
                "Your daily digest: %(count)d new message",
                "Your daily digest: %(count)d new messages",
                count,
            ) % {"count": count}
        elif cadence == Cadence.WEEKLY:
            title = _("Your weekly digest")
            subject = ngettext(
                "Your weekly digest: %(count)d new message",
                "Your weekly digest: %(count)d new messages",
                count,
            ) % {"count": count}
        else:
            title = _("Messages that waited for your digest")
            subject = ngettext(
                "%(count)d message that waited for your digest",
                "%(count)d messages that waited for your digest",
                count,
            ) % {"count": count}
        layout = {
            "title": title,
            "subject": subject,
            "groups": list(groups.values()),
            "count": count,
            "recipient": user.display_name,
            "cadence_url": absolute(reverse("messaging-preferences")) + "#email-frequency",
            "language": language,
        }
        text = render_to_string("email/digest.txt", layout)
        html = render_to_string("email/digest.html", layout)
    return subject, text, html
