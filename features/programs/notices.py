"""How programs and certifications tell learners (and their managers): per-program message
settings, and notify(), which sends one message of the Messages tab to many learners and keeps
the send log so each (message, learner, occurrence) goes out once."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils import timezone

import notifications
from features.job_assignments.models import managers_of
from features.programs.messages import MANAGER_PREFIX
from features.programs.models import (
    Assignment,
    MessageDefault,
    MessageSetting,
    Program,
    SentMessage,
)
from notifications import catalogue

MY_LEARNING = "/programs/my/"


def _effective(row: MessageSetting) -> MessageDefault:
    default = MessageSetting.DEFAULTS[row.message]
    return MessageDefault(
        row.enabled,
        row.offset_days if row.offset_days is not None else default.offset_days,
        row.notify_manager,
        subject=row.subject,
        body=row.body,
        manager_text=row.manager_text,
    )


def message_rows(program_ids: Iterable[int], message: str) -> dict[int, dict[int, MessageDefault]]:
    """Each program's rows of `message` by row id (a time-based message may have several),
    each over the defaults; `{0: the default}` for a program with no row. One query."""
    program_ids = list(program_ids)
    result: dict[int, dict[int, MessageDefault]] = {pid: {} for pid in program_ids}
    rows = MessageSetting.objects.filter(program_id__in=program_ids, message=message)
    for row in rows.order_by("pk"):
        result[row.program_id][row.pk] = _effective(row)
    default = MessageSetting.DEFAULTS[message]
    for rows_of_program in result.values():
        if not rows_of_program:
            rows_of_program[0] = default
    return result


def message_settings(program_ids: Iterable[int]) -> dict[int, dict[str, MessageDefault]]:
    """Each program's settings per message: its (first) row over the defaults. One query. For
    the messages sent when something happens; the time-based ones read message_rows()."""
    program_ids = list(program_ids)
    result = {pid: dict(MessageSetting.DEFAULTS) for pid in program_ids}
    seen: set[tuple[int, str]] = set()
    for row in MessageSetting.objects.filter(program_id__in=program_ids).order_by("pk"):
        if (row.program_id, row.message) not in seen:
            seen.add((row.program_id, row.message))
            result[row.program_id][row.message] = _effective(row)
    return result


def ensure_message_settings(program: Program) -> None:
    """Creates the rows of the program's Messages tab that are missing, with the defaults: a
    message with no row gets one (a second "due" row an admin added is left alone)."""
    present = set(program.message_settings.values_list("message", flat=True))
    MessageSetting.objects.bulk_create(
        [
            MessageSetting(
                program=program,
                message=message,
                enabled=MessageSetting.DEFAULTS[message].enabled,
                offset_days=MessageSetting.DEFAULTS[message].offset_days,
                notify_manager=MessageSetting.DEFAULTS[message].notify_manager,
            )
            for message in MessageSetting.messages_for(program.kind)
            if message not in present
        ],
        ignore_conflicts=True,
    )


@dataclass
class Notice:
    """One learner to tell about one occurrence of a message.

    `about_at` is what the message is about (the due date, the completion, the expiry...):
    with the course set it names the occurrence, so a new due date is a new occurrence while a
    changed offset is not.
    """

    assignment: Assignment
    about_at: datetime.datetime
    context: dict = field(default_factory=dict)
    course_set_id: int = 0
    # The Messages tab row it is for (scans of time-based messages: 0 for the default); None
    # for a message sent when something happens: the program's row for it.
    setting_id: int | None = None


def dedupe_key(
    program: Program,
    assignment_id: int,
    message: str,
    course_set_id: int,
    about_at,
    setting_id: int = 0,
):
    row = f":{setting_id}" if setting_id else ""
    return (
        f"{program.feature}:{assignment_id}:{message}{row}:{course_set_id}:"
        f"{int(about_at.timestamp())}"
    )


def notify(message: str, notices: Iterable[Notice], *, sender=None) -> int:
    """Sends `message` (e.g. "due") of each notice's program to its learner, and a copy to the
    learner's managers where the program says so; logs each occurrence in SentMessage.

    Notices whose program switched the message off are skipped (and not logged). Assignments
    must have `program` and `user` loaded. Managers are looked up in one query for everyone;
    each learner's message is one send() (its context names the learner). A program's own
    subject and body replace the type's; its manager text replaces the standard line of the
    managers' copy. Returns how many learners were told.
    """
    notices = list(notices)
    if not notices:
        return 0
    rows = message_rows({n.assignment.program_id for n in notices}, message)
    # (notice, the row id its log and dedupe key name, the row's settings)
    chosen: list[tuple[Notice, int, MessageDefault]] = []
    for notice in notices:
        of_program = rows[notice.assignment.program_id]
        if notice.setting_id is None:  # sent when it happened: the message's one row
            setting_id, setting = 0, next(iter(of_program.values()))
        else:
            setting_id, setting = notice.setting_id, of_program.get(notice.setting_id)
        if setting is not None and setting.enabled:  # a row deleted meanwhile sends nothing
            chosen.append((notice, setting_id, setting))
    copied = [n.assignment.user_id for n, _, setting in chosen if setting.notify_manager]
    managers = managers_of(copied) if copied else {}
    for notice, setting_id, setting in chosen:
        assignment = notice.assignment
        program = assignment.program
        key = program.key(message)
        templates = {"subject": setting.subject, "body": setting.body}
        context = {
            program.noun: program.name,
            "learner": assignment.user.display_name,
            **notice.context,
        }
        dedupe = dedupe_key(
            program, assignment.pk, message, notice.course_set_id, notice.about_at, setting_id
        )
        notifications.send(
            key,
            [assignment.user],
            context=context,
            sender=sender,
            url=MY_LEARNING,
            dedupe_key=dedupe,
            templates=templates,
            about=[program],
        )
        copy_to = sorted(managers.get(assignment.user_id, ()))
        if copy_to:
            placeholders = {p.name for p in catalogue.get(key).placeholders}
            copy = context
            if setting.manager_text:
                templates = {**templates, "prefix": setting.manager_text}
            elif "manager_copy" in placeholders:
                copy = {**context, "manager_copy": True}
                if setting.body:
                    # The program's own body lacks the standard line that says why.
                    templates = {**templates, "prefix": MANAGER_PREFIX}
            notifications.send(
                key,
                copy_to,
                context=copy,
                sender=sender,
                dedupe_key=dedupe,
                templates=templates,
                audience="manager",
                about=[program],
            )
    now = timezone.now()
    SentMessage.objects.bulk_create(
        [
            SentMessage(
                assignment=n.assignment,
                message=message,
                setting_id=setting_id,
                course_set_id=n.course_set_id,
                about_at=n.about_at,
                sent_at=now,
            )
            for n, setting_id, _ in chosen
        ],
        ignore_conflicts=True,
    )
    return len(chosen)
