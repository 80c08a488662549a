"""Time-based messages of programs and certifications: due, overdue, course set due and overdue,
learner follow-up. Each scan computes what is due now from the database and leaves out what the
send log already holds, so running it twice (or after an offset changed) sends nothing new.

A message may have several rows on a program's Messages tab ("due" 14 days and 1 day before):
each row is its own reminder, logged under its own id."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from django.db.models import Case, Exists, IntegerField, OuterRef, Value, When
from django.utils import timezone

from features.programs.models import (
    Assignment,
    CourseSetProgress,
    MessageSetting,
    Program,
    SentMessage,
)
from features.programs.notices import Notice, message_rows, notify

Message = MessageSetting.Message


def programs_by_offset(message: str, kind: str | None = None) -> list[tuple[int, dict[int, int]]]:
    """The programs that send `message`, as (offset in days, {program id: row id}) groups, so
    one query serves every program with the same offset; a program with two rows of the same
    offset is in two groups. Row id 0: the default of a program with no row. Two queries."""
    programs = Program.objects.all()
    if kind:
        programs = programs.filter(kind=kind)
    ids = list(programs.values_list("pk", flat=True))
    layers: dict[int, list[dict[int, int]]] = defaultdict(list)
    for program_id, rows in message_rows(ids, message).items():
        for setting_id, setting in rows.items():
            if not setting.enabled:
                continue
            groups = layers[setting.offset_days or 0]
            group = next((g for g in groups if program_id not in g), None)
            if group is None:
                group = {}
                groups.append(group)
            group[program_id] = setting_id
    return [(days, group) for days, groups in layers.items() for group in groups]


def row_of(rows: dict[int, int], program: str = "program_id") -> Case:
    """An annotation: the message row each program of the group sends."""
    whens = [When(**{program: pid}, then=Value(sid)) for pid, sid in rows.items()]
    return Case(*whens, default=Value(0), output_field=IntegerField())


def not_sent(
    message: str,
    *,
    about: str,
    assignment: str = "pk",
    course_set: str | None = None,
    setting: str = "message_row",
):
    """A filter: no log row for this message row (the `setting` annotation, row_of()) about
    this date (and course set)."""
    logged = SentMessage.objects.filter(
        assignment=OuterRef(assignment),
        message=message,
        setting_id=OuterRef(setting),
        about_at=OuterRef(about),
    )
    logged = logged.filter(course_set_id=OuterRef(course_set) if course_set else 0)
    return ~Exists(logged)


def _learning():
    return Assignment.objects.active().select_related("program", "user")


def send_due(now=None) -> int:
    """N days before an incomplete program's due date."""
    now = now or timezone.now()
    told = 0
    for days, rows in programs_by_offset(Message.DUE):
        due = (
            _learning()
            .incomplete()
            .filter(program_id__in=rows, due_at__gt=now, due_at__lte=now + timedelta(days))
            .annotate(message_row=row_of(rows))
            .filter(not_sent(Message.DUE, about="due_at"))
        )
        told += notify(
            Message.DUE,
            [Notice(a, a.due_at, {"due_date": a.due_at}, setting_id=a.message_row) for a in due],
        )
    return told


def send_overdue(now=None) -> int:
    """N days after the due date of a program that is still incomplete."""
    now = now or timezone.now()
    told = 0
    for days, rows in programs_by_offset(Message.OVERDUE):
        overdue = (
            _learning()
            .incomplete()
            .filter(program_id__in=rows, due_at__lte=now - timedelta(days))
            .annotate(message_row=row_of(rows))
            .filter(not_sent(Message.OVERDUE, about="due_at"))
        )
        told += notify(
            Message.OVERDUE,
            [
                Notice(a, a.due_at, {"due_date": a.due_at}, setting_id=a.message_row)
                for a in overdue
            ],
        )
    return told


def _course_sets(message: str, rows: dict[int, int], window) -> list[Notice]:
    progress = (
        CourseSetProgress.objects.filter(
            completed_at__isnull=True,
            assignment__status=Assignment.Status.ACTIVE,
            assignment__completed_at__isnull=True,
            assignment__program_id__in=rows,
            **window,
        )
        .annotate(message_row=row_of(rows, "assignment__program_id"))
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
            setting_id=row.message_row,
        )
        for row in progress
    ]


def send_courseset_due(now=None) -> int:
    """N days before an incomplete course set is due."""
    now = now or timezone.now()
    told = 0
    for days, rows in programs_by_offset(Message.COURSESET_DUE):
        window = {"due_at__gt": now, "due_at__lte": now + timedelta(days)}
        told += notify(Message.COURSESET_DUE, _course_sets(Message.COURSESET_DUE, rows, window))
    return told


def send_courseset_overdue(now=None) -> int:
    """N days after the due date of a course set that is still incomplete."""
    now = now or timezone.now()
    told = 0
    for days, rows in programs_by_offset(Message.COURSESET_OVERDUE):
        window = {"due_at__lte": now - timedelta(days)}
        notices = _course_sets(Message.COURSESET_OVERDUE, rows, window)
        told += notify(Message.COURSESET_OVERDUE, notices)
    return told


def send_followups(now=None) -> int:
    """N days after a learner completed the program."""
    now = now or timezone.now()
    told = 0
    for days, rows in programs_by_offset(Message.LEARNER_FOLLOWUP):
        done = (
            _learning()
            .filter(program_id__in=rows, completed_at__lte=now - timedelta(days))
            .annotate(message_row=row_of(rows))
            .filter(not_sent(Message.LEARNER_FOLLOWUP, about="completed_at"))
        )
        told += notify(
            Message.LEARNER_FOLLOWUP,
            [
                Notice(
                    a, a.completed_at, {"completion_date": a.completed_at}, setting_id=a.message_row
                )
                for a in done
            ],
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
