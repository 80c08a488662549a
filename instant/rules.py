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
from django.utils.translation import gettext_lazy as _

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
    ids = sorted({int(i) for i in recipient_ids} - {sender.pk})
    if not ids:
        return {}
    values = _values(sender, **{f"id{n}": i for n, i in enumerate(ids)})
    sql = _verdicts_sql().replace("{ids}", ", ".join(f"%(id{n})s" for n in range(len(ids))))
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        found = {pk: reason(code, name) for pk, name, code in cursor.fetchall()}
    result = {i: found.get(i, str(NO_SUCH_USER)) for i in ids}
    return {i: why for i, why in result.items() if why}


NO_SUCH_USER = _("There is no such user.")
_REASONS = {
    "blocked_by": _("{name} does not accept messages from you."),
    "blocking": _("You have blocked {name}. Unblock them to send a message."),
    "contacts_only": _("{name} accepts messages from their contacts only."),
    "courses_only": _("{name} accepts messages from contacts and people in their courses only."),
    "no_user": NO_SUCH_USER,
}


def reason(code: str | None, name: str) -> str | None:
    """The sentence for a refusal code of the verdict (None: allowed)."""
    return str(_REASONS[code]).format(name=name) if code else None


def _facts_sql() -> str:
    """One row per user u with a boolean column per rule between the sender (%(sender)s) and u,
    at %(now)s. {source} is the FROM clause naming u (and s, their messaging settings).

    Written in SQL rather than with the ORM: building these with six Exists() took about 10 ms
    a message, five times what the database takes to run them.
    """
    enrolment = Enrolment._meta.db_table
    job = JobAssignment._meta.db_table
    block = Block._meta.db_table
    return f"""
        SELECT u.id, u.full_name, u.is_active, s.privacy,
            EXISTS (SELECT 1 FROM {block} b
                    WHERE b.blocker_id = u.id AND b.blocked_id = %(sender)s) AS blocked_by,
            EXISTS (SELECT 1 FROM {block} b
                    WHERE b.blocker_id = %(sender)s AND b.blocked_id = u.id) AS blocking,
            EXISTS (SELECT 1 FROM {enrolment} r JOIN {enrolment} t ON t.course_id = r.course_id
                    WHERE r.user_id = u.id AND (r.ends_at IS NULL OR r.ends_at > %(now)s)
                      AND t.user_id = %(sender)s AND t.role = %(trainer)s
                      AND (t.ends_at IS NULL OR t.ends_at > %(now)s)) AS taught,
            EXISTS (SELECT 1 FROM {job} j
                    WHERE (j.user_id = %(sender)s AND (j.manager_id = u.id
                           OR (j.temp_manager_id = u.id AND j.temp_manager_expires_at > %(now)s)))
                       OR (j.user_id = u.id AND (j.manager_id = %(sender)s
                           OR (j.temp_manager_id = %(sender)s
                               AND j.temp_manager_expires_at > %(now)s)))) AS reporting_line,
            EXISTS (SELECT 1 FROM {Contact._meta.db_table} c
                    WHERE c.user_id = %(sender)s AND c.contact_id = u.id) AS contact,
            EXISTS (SELECT 1 FROM {enrolment} r JOIN {enrolment} m ON m.course_id = r.course_id
                    WHERE r.user_id = u.id AND (r.ends_at IS NULL OR r.ends_at > %(now)s)
                      AND m.user_id = %(sender)s AND (m.ends_at IS NULL OR m.ends_at > %(now)s))
                AS classmate
        {{source}}
    """


def _verdict_sql() -> str:
    """The rules of the module's docstring, in order, over a row f of _facts_sql: NULL when the
    sender may message f, else the code of the first rule that refuses (see _REASONS)."""
    privacy = f"COALESCE(f.privacy, '{Privacy.COURSES.value}')"
    return f"""CASE
        WHEN NOT f.is_active THEN 'no_user'
        WHEN f.blocked_by THEN 'blocked_by'
        WHEN f.blocking THEN 'blocking'
        WHEN %(admin)s OR f.taught OR f.reporting_line THEN NULL
        WHEN {privacy} = '{Privacy.SITE.value}' OR f.contact THEN NULL
        WHEN {privacy} = '{Privacy.COURSES.value}' AND f.classmate THEN NULL
        WHEN {privacy} = '{Privacy.CONTACTS.value}' THEN 'contacts_only'
        ELSE 'courses_only'
    END"""


def _settings_join() -> str:
    return f"LEFT JOIN {MessagingSettings._meta.db_table} s ON s.user_id = u.id"


@functools.cache
def _verdicts_sql() -> str:
    """id, full_name and the verdict for each active user of {ids}."""
    source = f"""FROM {get_user_model()._meta.db_table} u {_settings_join()}
        WHERE u.is_active AND u.id IN ({{ids}})"""
    facts = _facts_sql().replace("{source}", source)
    return f"SELECT f.id, f.full_name, {_verdict_sql()} FROM ({facts}) f"


@functools.cache
def members_sql() -> str:
    """Every member of conversation %(conversation)s: id, full_name, the conversation's kind and,
    for the other member of a one-to-one, the verdict (NULL for the members of a group or own
    notes: the rules apply when a group is made, not to each message)."""
    source = f"""FROM {Conversation._meta.db_table} c
        JOIN {Membership._meta.db_table} mm ON mm.conversation_id = c.id
        JOIN {get_user_model()._meta.db_table} u ON u.id = mm.user_id
        {_settings_join()}
        WHERE c.id = %(conversation)s"""
    facts = _facts_sql().replace("SELECT u.id,", "SELECT c.kind, u.id,", 1)
    facts = facts.replace("{source}", source)
    return f"""SELECT f.id, f.full_name, f.kind,
        CASE WHEN f.kind = %(pair)s AND f.id <> %(sender)s THEN {_verdict_sql()} END AS reason
        FROM ({facts}) f"""


def members_values(sender, conversation_id: int, **more) -> dict:
    """The parameters of members_sql."""
    return _values(
        sender, conversation=conversation_id, pair=Conversation.Kind.ONE_TO_ONE.value, **more
    )


def for_message(sender, conversation_id: int) -> tuple[str, list[int], str | None]:
    """What sending to a conversation needs, in one query: its kind, its members' ids (the
    sender's included) and, for a one-to-one, why the sender may not write to the other
    member (None if they may). Raises Conversation.DoesNotExist unless the sender is a member."""
    with connection.cursor() as cursor:
        cursor.execute(members_sql(), members_values(sender, conversation_id))
        return judge_members(sender, cursor.fetchall())


def judge_members(sender, rows) -> tuple[str, list[int], str | None]:
    """for_message's answer from rows starting (id, full_name, kind, reason code)."""
    member_ids = [row[0] for row in rows]
    if sender.pk not in member_ids:
        raise Conversation.DoesNotExist("Conversation matching query does not exist.")
    refusal = next((reason(row[3], row[1]) for row in rows if row[3]), None)
    return rows[0][2], member_ids, refusal


def _values(sender, **more) -> dict:
    if "now" not in more:  # (the database connection is not touched when the caller has it)
        more["now"] = connection.ops.adapt_datetimefield_value(timezone.now())
    return {
        "sender": sender.pk,
        "admin": bool(sender.is_superuser),
        "trainer": Enrolment.Role.TRAINER.value,
        **more,
    }


def can_see_online(viewer_id: int, user_ids) -> set[int]:
    """The users whose online state the viewer may see: not those who blocked the viewer."""
    ids = set(user_ids)
    hidden = set(
        Block.objects.filter(blocker_id__in=ids, blocked_id=viewer_id).values_list(
            "blocker_id", flat=True
        )
    )
    return ids - hidden
