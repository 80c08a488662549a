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


def message_settings(program_ids: Iterable[int]) -> dict[int, dict[str, MessageDefault]]:
    """Each program's effective settings per message: its rows over the defaults. One query."""
    program_ids = list(program_ids)
    result = {pid: dict(MessageSetting.DEFAULTS) for pid in program_ids}
    for row in MessageSetting.objects.filter(program_id__in=program_ids):
        default = MessageSetting.DEFAULTS[row.message]
        offset = row.offset_days if row.offset_days is not None else default.offset_days
        result[row.program_id][row.message] = MessageDefault(
            row.enabled,
            offset,
            row.notify_manager,
            subject=row.subject,
            body=row.body,
            manager_text=row.manager_text,
        )
    return result


def ensure_message_settings(program: Program) -> None:
    """Creates the rows of the program's Messages tab that are missing, with the defaults."""
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


def dedupe_key(program: Program, assignment_id: int, message: str, course_set_id: int, about_at):
    return (
        f"{program.feature}:{assignment_id}:{message}:{course_set_id}:{int(about_at.timestamp())}"
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
    settings = message_settings({n.assignment.program_id for n in notices})
    notices = [n for n in notices if settings[n.assignment.program_id][message].enabled]
    copied = [
        n.assignment.user_id
        for n in notices
        if settings[n.assignment.program_id][message].notify_manager
    ]
    managers = managers_of(copied) if copied else {}
    for notice in notices:
        assignment = notice.assignment
        program = assignment.program
        setting = settings[assignment.program_id][message]
        key = program.key(message)
        templates = {"subject": setting.subject, "body": setting.body}
        context = {
            program.noun: program.name,
            "learner": assignment.user.display_name,
            **notice.context,
        }
        dedupe = dedupe_key(program, assignment.pk, message, notice.course_set_id, notice.about_at)
        notifications.send(
            key,
            [assignment.user],
            context=context,
            sender=sender,
            url=MY_LEARNING,
            dedupe_key=dedupe,
            templates=templates,
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
            )
    now = timezone.now()
    SentMessage.objects.bulk_create(
        [
            SentMessage(
                assignment=n.assignment,
                message=message,
                course_set_id=n.course_set_id,
                about_at=n.about_at,
                sent_at=now,
            )
            for n in notices
        ],
        ignore_conflicts=True,
    )
    return len(notices)
