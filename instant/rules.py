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

from django.contrib.auth import get_user_model
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from features.courses.models import Enrolment
from features.job_assignments.models import JobAssignment
from instant.models import Block, Contact, Privacy


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


def _facts(sender_id: int, ids):
    """One row per active recipient: their name and privacy, and whether each rule applies
    between them and the sender. One query, EXISTS subqueries for the rules."""
    now = timezone.now()
    recipient = OuterRef("pk")
    enrolments = Enrolment.objects.active(now)
    taught = enrolments.trainers().filter(user_id=sender_id).values("course_id")
    mine = enrolments.filter(user_id=sender_id).values("course_id")
    current_temp = Q(temp_manager_expires_at__gt=now)
    return (
        get_user_model()
        .objects.filter(pk__in=ids, is_active=True)
        .annotate(
            blocked_by=Exists(Block.objects.filter(blocker=recipient, blocked_id=sender_id)),
            blocking=Exists(Block.objects.filter(blocker_id=sender_id, blocked=recipient)),
            taught=Exists(enrolments.filter(user=recipient, course_id__in=taught)),
            reporting_line=Exists(
                JobAssignment.objects.filter(
                    Q(user_id=sender_id, manager=recipient)
                    | Q(current_temp, user_id=sender_id, temp_manager=recipient)
                    | Q(user=recipient, manager_id=sender_id)
                    | Q(current_temp, user=recipient, temp_manager_id=sender_id)
                )
            ),
            contact=Exists(Contact.objects.filter(user_id=sender_id, contact=recipient)),
            classmate=Exists(enrolments.filter(user=recipient, course_id__in=mine)),
        )
        .order_by()
        .values(
            "pk",
            "full_name",
            "blocked_by",
            "blocking",
            "taught",
            "reporting_line",
            "contact",
            "classmate",
            privacy=F("instant_settings__privacy"),
        )
    )


def can_see_online(viewer_id: int, user_ids) -> set[int]:
    """The users whose online state the viewer may see: not those who blocked the viewer."""
    ids = set(user_ids)
    hidden = set(
        Block.objects.filter(blocker_id__in=ids, blocked_id=viewer_id).values_list(
            "blocker_id", flat=True
        )
    )
    return ids - hidden
