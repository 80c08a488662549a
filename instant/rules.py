"""Who may message whom. Every rule lives here, read in bulk, each refusal with its reason.

In order, for a sender and each recipient:
1. the recipient has blocked the sender -> refused ("does not accept messages from you");
2. the sender has blocked the recipient -> refused ("you have blocked them");
3. site admins may message anyone; a trainer may message the participants of courses they teach;
   managers (temporary ones included) and the people they manage may message each other;
4. otherwise the recipient's privacy setting: anyone on the site; contacts only; or (the default)
   contacts and anyone who shares a course with them.
"""

from __future__ import annotations

import functools

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from features.courses.models import Enrolment
from features.job_assignments.models import JobAssignment
from instant.models import (
    Block,
    Contact,
    Conversation,
    Membership,
    MessagingSettings,
    Privacy,
)


def refusals(sender, recipient_ids) -> dict[int, str]:
    """Maps each recipient the sender may not message to the reason. One query for any number
    of recipients (none when the only recipient is the sender)."""
    ids = {int(i) for i in recipient_ids} - {sender.pk}
    if not ids:
        return {}
    facts = {row["pk"]: row for row in _facts(sender.pk, ids)}
    result = {}
    for i in ids:
        reason = _refusal(sender, facts.get(i))
        if reason:
            result[i] = reason
    return result


def _refusal(sender, row) -> str | None:
    """The rules above, in order, for one recipient's row of `_facts` (None: no such user)."""
    if row is None:
        return "There is no such user."
    name = row["full_name"]
    if row["blocked_by"]:
        return f"{name} does not accept messages from you."
    if row["blocking"]:
        return f"You have blocked {name}. Unblock them to send a message."
    if sender.is_superuser or row["taught"] or row["reporting_line"]:
        return None
    privacy = row["privacy"] or Privacy.COURSES
    if privacy == Privacy.SITE or row["contact"]:
        return None
    if privacy == Privacy.COURSES and row["classmate"]:
        return None
    if privacy == Privacy.CONTACTS:
        return f"{name} accepts messages from their contacts only."
    return f"{name} accepts messages from contacts and people in their courses only."


FACT_COLUMNS = (
    "pk",
    "full_name",
    "privacy",
    "blocked_by",
    "blocking",
    "taught",
    "reporting_line",
    "contact",
    "classmate",
)


def _rule_columns() -> list[str]:
    """One boolean SQL expression per rule, in FACT_COLUMNS' order after the privacy: each
    between the sender (%(sender)s) and the user of the row (u), at %(now)s.

    Written in SQL rather than with the ORM: building these with six Exists() took about 10 ms
    a message, five times what the database takes to run them.
    """
    enrolment = Enrolment._meta.db_table
    job = JobAssignment._meta.db_table
    block = Block._meta.db_table
    return [
        f"""EXISTS (SELECT 1 FROM {block} b
                    WHERE b.blocker_id = u.id AND b.blocked_id = %(sender)s)""",
        f"""EXISTS (SELECT 1 FROM {block} b
                    WHERE b.blocker_id = %(sender)s AND b.blocked_id = u.id)""",
        f"""EXISTS (SELECT 1 FROM {enrolment} r JOIN {enrolment} t ON t.course_id = r.course_id
                    WHERE r.user_id = u.id AND (r.ends_at IS NULL OR r.ends_at > %(now)s)
                      AND t.user_id = %(sender)s AND t.role = %(trainer)s
                      AND (t.ends_at IS NULL OR t.ends_at > %(now)s))""",
        f"""EXISTS (SELECT 1 FROM {job} j
                    WHERE (j.user_id = %(sender)s AND (j.manager_id = u.id
                           OR (j.temp_manager_id = u.id AND j.temp_manager_expires_at > %(now)s)))
                       OR (j.user_id = u.id AND (j.manager_id = %(sender)s
                           OR (j.temp_manager_id = %(sender)s
                               AND j.temp_manager_expires_at > %(now)s))))""",
        f"""EXISTS (SELECT 1 FROM {Contact._meta.db_table} c
                    WHERE c.user_id = %(sender)s AND c.contact_id = u.id)""",
        f"""EXISTS (SELECT 1 FROM {enrolment} r JOIN {enrolment} m ON m.course_id = r.course_id
                    WHERE r.user_id = u.id AND (r.ends_at IS NULL OR r.ends_at > %(now)s)
                      AND m.user_id = %(sender)s AND (m.ends_at IS NULL OR m.ends_at > %(now)s))""",
    ]


@functools.cache
def _facts_sql() -> str:
    """The rules as one SELECT for one sender and a list of users ({ids})."""
    return f"""
        SELECT u.id, u.full_name, s.privacy, {", ".join(_rule_columns())}
        FROM {get_user_model()._meta.db_table} u
        LEFT JOIN {MessagingSettings._meta.db_table} s ON s.user_id = u.id
        WHERE u.is_active AND u.id IN ({{ids}})
    """


@functools.cache
def _members_sql() -> str:
    """Every member of a conversation (%(conversation)s) with its kind, and for the other member
    of a one-to-one the rules as in _facts_sql (not worked out for the members of a group: the
    rules apply when it is created, not to each message)."""
    pair = "c.kind = %(pair)s AND u.id <> %(sender)s AND u.is_active"
    rules = ", ".join(f"CASE WHEN {pair} THEN {column} END" for column in _rule_columns())
    return f"""
        SELECT u.id, u.full_name, s.privacy, {rules}, c.kind, u.is_active
        FROM {Conversation._meta.db_table} c
        JOIN {Membership._meta.db_table} mm ON mm.conversation_id = c.id
        JOIN {get_user_model()._meta.db_table} u ON u.id = mm.user_id
        LEFT JOIN {MessagingSettings._meta.db_table} s ON s.user_id = u.id
        WHERE c.id = %(conversation)s
    """


def _values(sender_id: int, **more) -> dict:
    return {
        "sender": sender_id,
        "now": connection.ops.adapt_datetimefield_value(timezone.now()),
        "trainer": Enrolment.Role.TRAINER.value,
        **more,
    }


def _facts(sender_id: int, ids) -> list[dict]:
    """One row per active recipient: their name and privacy, and whether each rule applies
    between them and the sender. One query, EXISTS subqueries for the rules."""
    ids = sorted(ids)
    values = _values(sender_id, **{f"id{n}": i for n, i in enumerate(ids)})
    sql = _facts_sql().replace("{ids}", ", ".join(f"%(id{n})s" for n in range(len(ids))))
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        return [dict(zip(FACT_COLUMNS, row, strict=True)) for row in cursor.fetchall()]


def for_message(sender, conversation_id: int) -> tuple[str, list[int], str | None]:
    """What sending to a conversation needs, in one query: its kind, its members' ids (the
    sender's included) and, for a one-to-one, why the sender may not write to the other
    member (None if they may). Raises Conversation.DoesNotExist unless the sender is a member."""
    values = _values(sender.pk, conversation=conversation_id, pair=Conversation.Kind.ONE_TO_ONE)
    with connection.cursor() as cursor:
        cursor.execute(_members_sql(), values)
        rows = cursor.fetchall()
    member_ids = [row[0] for row in rows]
    if sender.pk not in member_ids:
        raise Conversation.DoesNotExist("Conversation matching query does not exist.")
    kind = rows[0][-2]
    reason = None
    if kind == Conversation.Kind.ONE_TO_ONE:
        for *facts, _, active in rows:
            if facts[0] != sender.pk:
                row = dict(zip(FACT_COLUMNS, facts, strict=True)) if active else None
                reason = _refusal(sender, row)
    return kind, member_ids, reason


def can_see_online(viewer_id: int, user_ids) -> set[int]:
    """The users whose online state the viewer may see: not those who blocked the viewer."""
    ids = set(user_ids)
    hidden = set(
        Block.objects.filter(blocker_id__in=ids, blocked_id=viewer_id).values_list(
            "blocker_id", flat=True
        )
    )
    return ids - hidden
