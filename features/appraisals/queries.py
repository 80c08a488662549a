"""Reads of appraisals for pages: what a user may see, in a constant number of queries."""

from django.db.models import Prefetch

from features.appraisals.models import Answer, Appraisal, Participant, Role, Stage


def visible_to(user):
    """Appraisals the user takes part in (any role), activated ones only; staff see all."""
    appraisals = Appraisal.objects.exclude(status=Appraisal.Status.DRAFT)
    if user.is_staff:
        return appraisals
    return appraisals.filter(participants__user=user).distinct()


def list_for(user) -> list[Appraisal]:
    """The user's appraisals with their learner, current stage and the user's own roles.

    Two queries however many appraisals: the appraisals, and the user's roles in them.
    """
    appraisals = list(
        Appraisal.objects.exclude(status=Appraisal.Status.DRAFT)
        .filter(participants__user=user)
        .distinct()
        .select_related("learner", "current_stage")
    )
    roles: dict[int, list[str]] = {}
    for appraisal_id, role in Participant.objects.filter(
        user=user, appraisal__in=[a.pk for a in appraisals]
    ).values_list("appraisal_id", "role"):
        roles.setdefault(appraisal_id, []).append(Role(role).label)
    for appraisal in appraisals:
        appraisal.my_roles = roles.get(appraisal.pk, [])
    return appraisals


def detail_for(user, appraisal_id: int) -> Appraisal:
    """One appraisal with its stages, answers and participants; raises Appraisal.DoesNotExist
    if the user may not see it."""
    return (
        visible_to(user)
        .select_related("learner", "appraiser", "current_stage", "closed_by")
        .prefetch_related(
            Prefetch(
                "stages",
                queryset=Stage.objects.prefetch_related(
                    Prefetch("answers", queryset=Answer.objects.select_related("user"))
                ),
            ),
            Prefetch("participants", queryset=Participant.objects.select_related("user")),
        )
        .get(pk=appraisal_id)
    )
