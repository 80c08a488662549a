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
from django.db.models import Q
from django.utils import timezone

from features.courses.models import share_a_course, teaches_with
from features.job_assignments.models import JobAssignment
from instant.models import Block, Contact, MessagingSettings, Privacy


def refusals(sender, recipient_ids) -> dict[int, str]:
    """Maps each recipient the sender may not message to the reason. A constant number of
    queries for any number of recipients."""
    ids = {int(i) for i in recipient_ids} - {sender.pk}
    if not ids:
        return {}
    names = dict(
        get_user_model().objects.filter(pk__in=ids, is_active=True).values_list("pk", "full_name")
    )
    result = dict.fromkeys(ids - set(names), "There is no such user.")
    ids &= set(names)
    blocked_by = set(
        Block.objects.filter(blocker_id__in=ids, blocked=sender).values_list(
            "blocker_id", flat=True
        )
    )
    blocking = set(
        Block.objects.filter(blocker=sender, blocked_id__in=ids).values_list(
            "blocked_id", flat=True
        )
    )
    for i in ids & blocked_by:
        result[i] = f"{names[i]} does not accept messages from you."
    for i in (ids & blocking) - blocked_by:
        result[i] = f"You have blocked {names[i]}. Unblock them to send a message."
    ids -= blocked_by | blocking
    if not ids or sender.is_superuser:
        return result
    ids -= teaches_with(sender.pk, ids)
    ids -= reporting_line(sender.pk, ids)
    if not ids:
        return result
    privacy = dict(
        MessagingSettings.objects.filter(user_id__in=ids).values_list("user_id", "privacy")
    )
    contacts = set(
        Contact.objects.filter(user=sender, contact_id__in=ids).values_list("contact_id", flat=True)
    )
    needs_course = {i for i in ids if privacy.get(i, Privacy.COURSES) == Privacy.COURSES}
    classmates = share_a_course(sender.pk, needs_course - contacts) if needs_course else set()
    for i in ids:
        setting = privacy.get(i, Privacy.COURSES)
        if setting == Privacy.SITE or i in contacts:
            continue
        if setting == Privacy.COURSES and i in classmates:
            continue
        if setting == Privacy.CONTACTS:
            result[i] = f"{names[i]} accepts messages from their contacts only."
        else:
            result[i] = (
                f"{names[i]} accepts messages from contacts and people in their courses only."
            )
    return result


def reporting_line(user_id: int, other_ids) -> set[int]:
    """Which of other_ids manage user_id or are managed by them now. One query."""
    other_ids = set(other_ids)
    if not other_ids:
        return set()
    now = timezone.now()
    current_temp = Q(temp_manager_expires_at__gt=now)
    rows = JobAssignment.objects.filter(
        Q(user_id=user_id, manager_id__in=other_ids)
        | Q(current_temp, user_id=user_id, temp_manager_id__in=other_ids)
        | Q(user_id__in=other_ids, manager_id=user_id)
        | Q(current_temp, user_id__in=other_ids, temp_manager_id=user_id)
    ).values_list("user_id", "manager_id", "temp_manager_id")
    linked = set()
    for staff, manager, temp in rows:
        linked.update({staff, manager, temp})
    return linked & other_ids


def can_see_online(viewer_id: int, user_ids) -> set[int]:
    """The users whose online state the viewer may see: not those who blocked the viewer."""
    ids = set(user_ids)
    hidden = set(
        Block.objects.filter(blocker_id__in=ids, blocked_id=viewer_id).values_list(
            "blocker_id", flat=True
        )
    )
    return ids - hidden
