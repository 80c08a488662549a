"""Time-based messages of programs and certifications: due, overdue, course set due and overdue,
learner follow-up. Each scan computes what is due now from the database and leaves out what the
send log already holds, so running it twice (or after an offset changed) sends nothing new."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from django.db.models import Exists, OuterRef
from django.utils import timezone

from features.programs.models import (
    Assignment,
    CourseSetProgress,
    MessageSetting,
    Program,
    SentMessage,
)
from features.programs.notices import Notice, message_settings, notify

Message = MessageSetting.Message


def programs_by_offset(message: str, kind: str | None = None) -> dict[int, list[int]]:
    """The programs that send `message`, grouped by their offset in days (so one query serves
    every program with the same offset). Two queries."""
    programs = Program.objects.all()
    if kind:
        programs = programs.filter(kind=kind)
    ids = list(programs.values_list("pk", flat=True))
    grouped: dict[int, list[int]] = defaultdict(list)
    for program_id, settings in message_settings(ids).items():
        setting = settings[message]
        if setting.enabled:
            grouped[setting.offset_days or 0].append(program_id)
    return grouped


def not_sent(message: str, *, about: str, assignment: str = "pk", course_set: str | None = None):
    """A filter: no log row for this message about this date (and course set)."""
    logged = SentMessage.objects.filter(
        assignment=OuterRef(assignment), message=message, about_at=OuterRef(about)
    )
    logged = logged.filter(course_set_id=OuterRef(course_set) if course_set else 0)
    return ~Exists(logged)


def _learning():
    return Assignment.objects.active().select_related("program", "user")


def send_due(now=None) -> int:
    """N days before an incomplete program's due date."""
    now = now or timezone.now()
    told = 0
    for days, program_ids in programs_by_offset(Message.DUE).items():
        due = (
            _learning()
            .incomplete()
            .filter(program_id__in=program_ids, due_at__gt=now, due_at__lte=now + timedelta(days))
            .filter(not_sent(Message.DUE, about="due_at"))
        )
        told += notify(Message.DUE, [Notice(a, a.due_at, {"due_date": a.due_at}) for a in due])
    return told


def send_overdue(now=None) -> int:
    """N days after the due date of a program that is still incomplete."""
    now = now or timezone.now()
    told = 0
    for days, program_ids in programs_by_offset(Message.OVERDUE).items():
        overdue = (
            _learning()
            .incomplete()
            .filter(program_id__in=program_ids, due_at__lte=now - timedelta(days))
            .filter(not_sent(Message.OVERDUE, about="due_at"))
        )
        told += notify(
            Message.OVERDUE, [Notice(a, a.due_at, {"due_date": a.due_at}) for a in overdue]
        )
    return told


def _course_sets(message: str, program_ids, window) -> list[Notice]:
    rows = (
        CourseSetProgress.objects.filter(
            completed_at__isnull=True,
            assignment__status=Assignment.Status.ACTIVE,
            assignment__completed_at__isnull=True,
            assignment__program_id__in=program_ids,
            **window,
        )
        .filter(
            not_sent(
                message, about="due_at", assignment="assignment_id", course_set="course_set_id"
            )
        )
        .select_related("course_set", "assignment__program", "assignment__user")
    )
    return [
        Notice(
            row.assignment,
            row.due_at,
            {"course_set": row.course_set.name, "due_date": row.due_at},
            course_set_id=row.course_set_id,
        )
        for row in rows
    ]


def send_courseset_due(now=None) -> int:
    """N days before an incomplete course set is due."""
    now = now or timezone.now()
    told = 0
    for days, program_ids in programs_by_offset(Message.COURSESET_DUE).items():
        window = {"due_at__gt": now, "due_at__lte": now + timedelta(days)}
        told += notify(
            Message.COURSESET_DUE, _course_sets(Message.COURSESET_DUE, program_ids, window)
        )
    return told


def send_courseset_overdue(now=None) -> int:
    """N days after the due date of a course set that is still incomplete."""
    now = now or timezone.now()
    told = 0
    for days, program_ids in programs_by_offset(Message.COURSESET_OVERDUE).items():
        window = {"due_at__lte": now - timedelta(days)}
        notices = _course_sets(Message.COURSESET_OVERDUE, program_ids, window)
        told += notify(Message.COURSESET_OVERDUE, notices)
    return told


def send_followups(now=None) -> int:
    """N days after a learner completed the program."""
    now = now or timezone.now()
    told = 0
    for days, program_ids in programs_by_offset(Message.LEARNER_FOLLOWUP).items():
        done = (
            _learning()
            .filter(program_id__in=program_ids, completed_at__lte=now - timedelta(days))
            .filter(not_sent(Message.LEARNER_FOLLOWUP, about="completed_at"))
        )
        told += notify(
            Message.LEARNER_FOLLOWUP,
            [Notice(a, a.completed_at, {"completion_date": a.completed_at}) for a in done],
        )
    return told


def send_scheduled_messages(now=None) -> dict[str, int]:
    """Every time-based program and certification message due now, each once."""
    now = now or timezone.now()
    return {
        "due": send_due(now),
        "overdue": send_overdue(now),
        "courseset_due": send_courseset_due(now),
        "courseset_overdue": send_courseset_overdue(now),
        "learner_followup": send_followups(now),
    }
