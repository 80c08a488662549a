"""iCalendar (RFC 5545) invitations for seminar bookings, written by hand (no dependency).

One event per (session, learner): its UID stays the same for the life of that learner's place on
that session, so a calendar updates the event in place when the date changes (METHOD:REQUEST with
a higher SEQUENCE) and removes it on cancellation (METHOD:CANCEL).
"""

from __future__ import annotations

import datetime
from email.utils import parseaddr

from django.conf import settings
from django.utils import timezone

MIMETYPE = "text/calendar"
REQUEST = "REQUEST"
CANCEL = "CANCEL"


def uid(session_id: int, user_id: int) -> str:
    return f"seminar-session-{session_id}-user-{user_id}@{settings.EMAIL_MESSAGE_ID_DOMAIN}"


def escape_text(value: str) -> str:
    """A TEXT value: backslash, semicolon, comma and newlines escaped (RFC 5545 3.3.11)."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """Folds a content line at 75 octets, never inside a UTF-8 character (RFC 5545 3.1)."""
    encoded = line.encode()
    if len(encoded) <= 75:
        return line
    parts, current, limit = [], b"", 75
    for char in line:
        piece = char.encode()
        if len(current) + len(piece) > limit:
            parts.append(current.decode())
            current, limit = b"", 74  # continuation lines start with a space
        current += piece
    parts.append(current.decode())
    return "\r\n ".join(parts)


def param(value: str) -> str:
    """A quoted parameter value: DQUOTE cannot appear inside one (RFC 5545 3.2)."""
    return '"' + value.replace('"', "'").replace("\r", " ").replace("\n", " ") + '"'


def utc(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def invitation(
    *,
    method: str,
    session,
    user,
    sequence: int,
    now: datetime.datetime | None = None,
) -> str:
    """The .ics text for `user`'s place on `session`: a REQUEST (new or changed) or a CANCEL."""
    if method not in (REQUEST, CANCEL):
        raise ValueError(f"unknown iCalendar method {method!r}")
    seminar = session.seminar
    organiser_name, organiser_address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    description = seminar.description or f"Your place on the seminar {seminar.name}."
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:-//{escape_text(settings.SITE_NAME)}//Seminars//EN",
        "CALSCALE:GREGORIAN",
        f"METHOD:{method}",
        "BEGIN:VEVENT",
        f"UID:{uid(session.pk, user.pk)}",
        f"SEQUENCE:{sequence}",
        f"DTSTAMP:{utc(now or timezone.now())}",
        f"DTSTART:{utc(session.starts_at)}",
        f"DTEND:{utc(session.ends_at)}",
        f"SUMMARY:{escape_text(seminar.name)}",
        f"DESCRIPTION:{escape_text(description)}",
    ]
    if session.room:
        lines.append(f"LOCATION:{escape_text(session.room)}")
    lines += [
        f"ORGANIZER;CN={param(organiser_name or settings.SITE_NAME)}:mailto:{organiser_address}",
        f"ATTENDEE;CN={param(user.display_name)};ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED:"
        f"mailto:{user.email}",
        f"STATUS:{'CANCELLED' if method == CANCEL else 'CONFIRMED'}",
        "TRANSP:OPAQUE",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "\r\n".join(fold(line) for line in lines) + "\r\n"


def attachment(**kwargs) -> dict:
    """The invitation as send()'s `data["attachments"]` item."""
    name = "cancel.ics" if kwargs["method"] == CANCEL else "invite.ics"
    return {"filename": name, "content": invitation(**kwargs), "mimetype": MIMETYPE}
