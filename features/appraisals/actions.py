"""What admins and participants do with appraisals, and the messages each change sends.

Messages (features/appraisals/messages.py):
- appraisals.activation (task): activate_appraisal -> the learner and everyone holding a role,
  one send per role so each is told the role they hold.
- appraisals.stage_completion (task): the last role of a stage completes its part -> the people
  holding the roles of the next stage.
- appraisals.closed (alert): close_appraisal -> the learner and every participant.

Appraisal tasks offer no accept/decline: they link to the appraisal page, where the role answers.
When a role completes its part, that role's open appraisal tasks are closed for everyone who
holds the role (the task rows carry {"appraisal_id", "role"} in their event data). Tasks are sent
without a sender, so someone who activates an appraisal or completes a stage and also holds a
role in it still gets their task (send() leaves the sender out).
"""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

import notifications
from alerts import actions as inbox
from features.appraisals.models import Answer, Appraisal, Participant, Role, Stage
from features.job_assignments.models import managers_of

ANSWER_MAX_LENGTH = 10_000
TASK_KEYS = ("appraisals.activation", "appraisals.stage_completion")


class AppraisalError(ValueError):
    """A change that cannot be made; the message says why. Nothing was changed."""


def role_holders(appraisal: Appraisal) -> dict[str, set[int]]:
    """Who would hold each role if the appraisal were activated now (active users only).

    Managers and temporary managers of the learner are managers; their managers are team
    leads. Two queries for managers, one for the users' state.
    """
    learner_id = appraisal.learner_id
    managers = managers_of([learner_id])[learner_id]
    team_leads = set().union(*managers_of(managers).values()) if managers else set()
    team_leads -= {learner_id}
    holders = {
        Role.LEARNER: {learner_id},
        Role.MANAGER: set(managers),
        Role.TEAM_LEAD: team_leads,
        Role.APPRAISER: {appraisal.appraiser_id} if appraisal.appraiser_id else set(),
    }
    everyone = set().union(*holders.values())
    active = set(
        get_user_model()
        .objects.filter(pk__in=everyone, is_active=True)
        .values_list("pk", flat=True)
    )
    return {role: users & active for role, users in holders.items()}


def participants_by_role(appraisal: Appraisal) -> dict[str, set[int]]:
    """The people fixed in each role at activation. One query."""
    holders: dict[str, set[int]] = {role: set() for role in Role.values}
    for role, user_id in appraisal.participants.values_list("role", "user_id"):
        holders[role].add(user_id)
    return holders


def check_setup(appraisal: Appraisal, stages: list[Stage], holders: dict[str, set[int]]) -> None:
    """Raises AppraisalError unless every stage can be answered by someone."""
    if appraisal.appraiser_id and appraisal.appraiser_id == appraisal.learner_id:
        raise AppraisalError(_("The learner cannot be their own appraiser."))
    if not stages:
        raise AppraisalError(_("Add at least one stage before activating the appraisal."))
    for stage in stages:
        unknown = set(stage.roles) - set(Role.values)
        if unknown:
            raise AppraisalError(
                _("The stage %(stage)s names unknown roles: %(unknown)s.")
                % {"stage": stage.name, "unknown": ", ".join(sorted(unknown))}
            )
        if not any(holders.get(role) for role in stage.roles):
            named = ", ".join(str(label) for label in stage.role_labels()) or _("no role")
            raise AppraisalError(
                _(
                    "Nobody can answer the stage %(stage)s: it asks %(named)s, and nobody "
                    "holds that role for this learner."
                )
                % {"stage": stage.name, "named": named}
            )


def _context(appraisal: Appraisal, role: str, **extra) -> dict:
    return {
        "appraisal": appraisal.name,
        "learner": appraisal.learner.display_name,
        "role": Role(role).label.lower(),
        **extra,
    }


@transaction.atomic
def activate_appraisal(appraisal: Appraisal, actor=None) -> Appraisal:
    """Fixes who holds each role, opens the first stage and sends each participant a task.

    Raises AppraisalError if the appraisal is not a draft, has no stages, or has a stage that
    nobody could answer.
    """
    appraisal = (
        Appraisal.objects.select_for_update(of=("self",))
        .select_related("learner")
        .get(pk=appraisal.pk)
    )
    if appraisal.status != Appraisal.Status.DRAFT:
        raise AppraisalError(
            _("Only a draft appraisal can be activated; %(appraisal)s is %(status)s.")
            % {"appraisal": appraisal.name, "status": appraisal.get_status_display().lower()}
        )
    if not appraisal.learner.is_active:
        raise AppraisalError(_("The learner's account is suspended."))
    stages = list(appraisal.stages.all())
    holders = role_holders(appraisal)
    check_setup(appraisal, stages, holders)
    Participant.objects.bulk_create(
        [
            Participant(appraisal=appraisal, role=role, user_id=user_id)
            for role, users in holders.items()
            for user_id in sorted(users)
        ]
    )
    first = stages[0]
    appraisal.status = Appraisal.Status.ACTIVE
    appraisal.activated_at = timezone.now()
    appraisal.current_stage = first
    appraisal.save(update_fields=["status", "activated_at", "current_stage"])
    for role, users in holders.items():
        if not users:
            continue
        notifications.send(
            "appraisals.activation",
            sorted(users),
            context=_context(appraisal, role, stage=first.name, due_date=first.due_at),
            url=appraisal.get_absolute_url(),
            data={"appraisal_id": appraisal.pk, "role": role},
            dedupe_key=f"appraisal:{appraisal.pk}:activation:{role}",
        )
    return appraisal


@transaction.atomic
def complete_part(appraisal: Appraisal, user, role: str, text: str) -> Answer:
    """Records `user`'s answer for `role` in the current stage and closes that role's tasks.

    When every role of the stage that has someone in it has answered, the stage is complete:
    the next stage opens and its roles get a task, or, after the last stage, the appraisal is
    complete. Raises AppraisalError (changing nothing) if the appraisal is not active, the user
    does not hold the role, the stage does not ask that role, the role already answered, or the
    answer is empty or too long.
    """
    appraisal = (
        Appraisal.objects.select_for_update(of=("self",))
        .select_related("learner", "current_stage")
        .get(pk=appraisal.pk)
    )
    if appraisal.status != Appraisal.Status.ACTIVE or appraisal.current_stage is None:
        raise AppraisalError(
            _("%(appraisal)s is %(status)s; it takes no answers.")
            % {"appraisal": appraisal.name, "status": appraisal.get_status_display().lower()}
        )
    if role not in Role.values:
        raise AppraisalError(_("%(role)s is not a role of appraisals.") % {"role": repr(role)})
    stage = appraisal.current_stage
    label = Role(role).label.lower()
    holders = participants_by_role(appraisal)
    if user.pk not in holders[role]:
        raise AppraisalError(
            _("You do not take part in %(appraisal)s as %(label)s.")
            % {"appraisal": appraisal.name, "label": label}
        )
    if role not in stage.roles:
        raise AppraisalError(
            _("The stage %(stage)s does not ask the %(label)s to answer.")
            % {"stage": stage.name, "label": label}
        )
    text = (text or "").strip()
    if not text:
        raise AppraisalError(_("Write your answer before completing your part."))
    if len(text) > ANSWER_MAX_LENGTH:
        raise AppraisalError(
            _("The answer is longer than %(max)s characters.")
            % {"max": format(ANSWER_MAX_LENGTH, ",")}
        )
    if Answer.objects.filter(stage=stage, role=role).exists():
        raise AppraisalError(
            _("The %(label)s's part of %(stage)s is already complete.")
            % {"label": label, "stage": stage.name}
        )
    answer = Answer.objects.create(stage=stage, role=role, user=user, text=text)
    close_tasks(appraisal.pk, actor=user, action="completed", role=role)
    needed = {r for r in stage.roles if holders.get(r)}
    answered = set(stage.answers.values_list("role", flat=True))
    if needed <= answered:
        _complete_stage(appraisal, stage, holders)
    return answer


def _complete_stage(appraisal: Appraisal, stage: Stage, holders: dict[str, set[int]]) -> None:
    now = timezone.now()
    stage.completed_at = now
    stage.save(update_fields=["completed_at"])
    later = list(appraisal.stages.filter(completed_at__isnull=True).exclude(pk=stage.pk)[:1])
    if not later:
        appraisal.status = Appraisal.Status.COMPLETED
        appraisal.completed_at = now
        appraisal.current_stage = None
        appraisal.save(update_fields=["status", "completed_at", "current_stage"])
        return
    following = later[0]
    appraisal.current_stage = following
    appraisal.save(update_fields=["current_stage"])
    for role in following.roles:
        users = holders.get(role)
        if not users:
            continue
        notifications.send(
            "appraisals.stage_completion",
            sorted(users),
            context=_context(
                appraisal,
                role,
                completed_stage=stage.name,
                next_stage=following.name,
                due_date=following.due_at,
            ),
            url=appraisal.get_absolute_url(),
            data={"appraisal_id": appraisal.pk, "role": role, "stage_id": following.pk},
            dedupe_key=f"appraisal:{appraisal.pk}:stage:{following.pk}:{role}",
        )


@transaction.atomic
def close_appraisal(appraisal: Appraisal, actor=None, comment: str = "") -> Appraisal:
    """Closes an active or completed appraisal: no more answers; open tasks are closed; the
    learner and every participant get an alert. Raises AppraisalError for a draft or an
    appraisal already closed."""
    appraisal = (
        Appraisal.objects.select_for_update(of=("self",))
        .select_related("learner")
        .get(pk=appraisal.pk)
    )
    if appraisal.status == Appraisal.Status.CLOSED:
        raise AppraisalError(_("%(appraisal)s is already closed.") % {"appraisal": appraisal.name})
    if appraisal.status == Appraisal.Status.DRAFT:
        raise AppraisalError(
            _("%(appraisal)s was never activated; delete it instead.")
            % {"appraisal": appraisal.name}
        )
    comment = (comment or "").strip()[:2000]
    appraisal.status = Appraisal.Status.CLOSED
    appraisal.closed_at = timezone.now()
    appraisal.closed_by = actor
    appraisal.close_comment = comment
    appraisal.save(update_fields=["status", "closed_at", "closed_by", "close_comment"])
    close_tasks(appraisal.pk, actor=actor, action="closed")
    recipients = set().union(*participants_by_role(appraisal).values())
    notifications.send(
        "appraisals.closed",
        sorted(recipients),
        context={
            "appraisal": appraisal.name,
            "learner": appraisal.learner.display_name,
            "comment": comment or None,
        },
        sender=actor,
        url=appraisal.get_absolute_url(),
        data={"appraisal_id": appraisal.pk},
        dedupe_key=f"appraisal:{appraisal.pk}:closed",
    )
    return appraisal


def close_tasks(appraisal_id: int, *, actor, action: str, role: str | None = None) -> int:
    """Marks the open appraisal tasks of this appraisal done (those of one role, or all).

    Two queries however many rows; the recipients' counters refresh after commit.
    """
    data = {"appraisal_id": appraisal_id}
    if role is not None:
        data["role"] = role
    return inbox.close_tasks(TASK_KEYS, data=data, action=action, actor=actor)
