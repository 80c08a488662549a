"""Appraisals: activation, stages answered role by role, closing, and the messages each sends."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts.factories import UserFactory
from alerts.models import Alert
from features.appraisals import actions
from features.appraisals.factories import AppraisalFactory, StageFactory
from features.appraisals.models import Answer, Appraisal, Participant, Role
from features.job_assignments.factories import JobAssignmentFactory

ACTIVATION = "appraisals.activation"
STAGE = "appraisals.stage_completion"
CLOSED = "appraisals.closed"


def received(key, **filters):
    """{username: kind} of everyone who got `key`."""
    rows = Alert.objects.filter(key=key, **filters).select_related("recipient")
    return {row.recipient.username: row.kind for row in rows}


def open_tasks_of(user):
    return set(
        Alert.objects.filter(recipient=user, kind="task", done_at__isnull=True).values_list(
            "key", flat=True
        )
    )


def test_activation_sends_a_task_to_the_learner_and_each_role(
    appraisal, people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        actions.activate_appraisal(appraisal, people["admin"])
    assert received(ACTIVATION) == {"lee": "task", "mia": "task", "ada": "task", "tara": "task"}
    roles = dict(
        Participant.objects.filter(appraisal=appraisal).values_list("user__username", "role")
    )
    assert roles == {"lee": "learner", "mia": "manager", "ada": "team_lead", "tara": "appraiser"}
    ada = Alert.objects.get(key=ACTIVATION, recipient=people["ada"]).event
    assert ada.context["role"] == "team lead" and ada.context["stage"] == "Self review"
    assert ada.url == f"/appraisals/{appraisal.pk}/"
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        f"{name}@example.com" for name in ("lee", "mia", "ada", "tara")
    )
    appraisal.refresh_from_db()
    assert appraisal.status == Appraisal.Status.ACTIVE
    assert appraisal.current_stage.name == "Self review"


def test_the_tasks_offer_no_accept_or_decline_only_the_appraisal_link(appraisal, people, client):
    actions.activate_appraisal(appraisal, people["admin"])
    client.force_login(people["mia"])
    page = client.get("/tasks/").content.decode()
    assert f'href="/appraisals/{appraisal.pk}/"' in page
    assert 'value="accept"' not in page and 'value="decline"' not in page


def test_an_admin_who_holds_a_role_still_gets_the_task(people):
    appraisal = AppraisalFactory(learner=people["lee"], appraiser=people["admin"])
    StageFactory(appraisal=appraisal, roles=[Role.APPRAISER])
    actions.activate_appraisal(appraisal, people["admin"])
    assert received(ACTIVATION)["admin"] == "task"


@pytest.mark.parametrize(
    "change, error",
    [
        (lambda a, p: a.stages.all().delete(), "at least one stage"),
        (lambda a, p: a.stages.update(roles=["team_lead"]), "Nobody can answer"),
        (lambda a, p: a.stages.update(roles=["boss"]), "unknown roles"),
        (lambda a, p: Appraisal.objects.filter(pk=a.pk).update(appraiser=a.learner), "own"),
        (lambda a, p: Appraisal.objects.filter(pk=a.pk).update(status="closed"), "Only a draft"),
    ],
)
def test_activation_refuses_a_bad_set_up_and_changes_nothing(people, change, error):
    appraisal = AppraisalFactory(learner=people["olive"], appraiser=people["tara"])
    StageFactory(appraisal=appraisal, roles=[Role.LEARNER])
    change(appraisal, people)
    with pytest.raises(actions.AppraisalError, match=error):
        actions.activate_appraisal(appraisal, people["admin"])
    assert not Participant.objects.exists()
    assert not Alert.objects.exists()
    appraisal.refresh_from_db()
    assert appraisal.activated_at is None


def test_completing_a_part_closes_that_roles_task_and_opens_the_next_stage(appraisal, people):
    actions.activate_appraisal(appraisal, people["admin"])
    actions.complete_part(appraisal, people["lee"], Role.LEARNER, "I did well.")
    lee_task = Alert.objects.get(key=ACTIVATION, recipient=people["lee"])
    assert lee_task.done_at and lee_task.action == "completed"
    assert lee_task.acted_by == people["lee"]
    # The next stage asks the manager and the team lead; nobody else is told.
    assert received(STAGE) == {"mia": "task", "ada": "task"}
    event = Alert.objects.get(key=STAGE, recipient=people["mia"]).event
    assert event.context["completed_stage"] == "Self review"
    assert event.context["next_stage"] == "Manager review"
    assert event.context["role"] == "manager"
    assert open_tasks_of(people["mia"]) == {ACTIVATION, STAGE}
    assert open_tasks_of(people["tara"]) == {ACTIVATION}


def test_a_stage_waits_for_every_role_then_tasks_the_next_stages_roles(appraisal, people):
    actions.activate_appraisal(appraisal, people["admin"])
    actions.complete_part(appraisal, people["lee"], Role.LEARNER, "Self review.")
    actions.complete_part(appraisal, people["mia"], Role.MANAGER, "Good year.")
    assert open_tasks_of(people["mia"]) == set()
    assert open_tasks_of(people["ada"]) == {ACTIVATION, STAGE}
    assert not Alert.objects.filter(key=STAGE, recipient__in=[people["tara"], people["lee"]])
    actions.complete_part(appraisal, people["ada"], Role.TEAM_LEAD, "Agreed.")
    assert received(STAGE, event__data__stage_id=appraisal.stages.last().pk) == {
        "tara": "task",
        "lee": "task",
    }
    appraisal.refresh_from_db()
    assert appraisal.current_stage.name == "Wrap-up"


def test_the_last_stage_completes_the_appraisal_without_a_message(appraisal, people):
    actions.activate_appraisal(appraisal, people["admin"])
    for user, role in [("lee", "learner"), ("mia", "manager"), ("ada", "team_lead")]:
        actions.complete_part(appraisal, people[user], role, "Done.")
    count = Alert.objects.count()
    actions.complete_part(appraisal, people["tara"], Role.APPRAISER, "Fine.")
    actions.complete_part(appraisal, people["lee"], Role.LEARNER, "Thanks.")
    appraisal.refresh_from_db()
    assert appraisal.status == Appraisal.Status.COMPLETED
    assert appraisal.current_stage is None
    assert Alert.objects.count() == count
    assert not Alert.objects.filter(kind="task", done_at__isnull=True).exists()


def test_a_manager_and_a_temporary_manager_share_the_role_one_answer_serves(people):
    lou, tom = UserFactory(username="lou"), UserFactory(username="tom")
    JobAssignmentFactory(
        user=lou,
        manager=people["mia"],
        temp_manager=tom,
        temp_manager_expires_at=timezone.now() + timedelta(days=5),
    )
    appraisal = AppraisalFactory(learner=lou)
    StageFactory(appraisal=appraisal, position=1, roles=[Role.MANAGER])
    StageFactory(appraisal=appraisal, position=2, roles=[Role.LEARNER])
    actions.activate_appraisal(appraisal, people["admin"])
    assert received(ACTIVATION) == {"lou": "task", "mia": "task", "tom": "task", "ada": "task"}
    actions.complete_part(appraisal, tom, Role.MANAGER, "On behalf of Mia.")
    assert open_tasks_of(people["mia"]) == set()
    assert received(STAGE) == {"lou": "task"}
    with pytest.raises(actions.AppraisalError, match="does not ask the manager"):
        actions.complete_part(appraisal, people["mia"], Role.MANAGER, "Me too.")


def test_a_role_nobody_holds_is_not_waited_for(people):
    lou = UserFactory(username="lou")  # no manager, so no team lead either
    appraisal = AppraisalFactory(learner=lou, appraiser=people["tara"])
    StageFactory(appraisal=appraisal, position=1, roles=[Role.LEARNER, Role.MANAGER])
    StageFactory(appraisal=appraisal, position=2, roles=[Role.APPRAISER, Role.TEAM_LEAD])
    actions.activate_appraisal(appraisal, people["admin"])
    actions.complete_part(appraisal, lou, Role.LEARNER, "Mine.")
    assert received(STAGE) == {"tara": "task"}


@pytest.mark.parametrize(
    "who, role, text, error",
    [
        ("lee", "learner", "   ", "Write your answer"),
        ("lee", "learner", "x" * 10_001, "longer than"),
        ("olive", "learner", "Hello", "do not take part"),
        ("mia", "learner", "Hello", "do not take part"),
        ("mia", "manager", "Hello", "does not ask the manager"),
        ("lee", "boss", "Hello", "not a role"),
    ],
)
def test_bad_answers_are_refused_and_change_nothing(appraisal, people, who, role, text, error):
    actions.activate_appraisal(appraisal, people["admin"])
    before = Alert.objects.filter(done_at__isnull=True).count()
    with pytest.raises(actions.AppraisalError, match=error):
        actions.complete_part(appraisal, people[who], role, text)
    assert not Answer.objects.exists()
    assert Alert.objects.filter(done_at__isnull=True).count() == before


def test_a_part_is_answered_once(appraisal, people):
    appraisal.stages.filter(position=1).update(roles=[Role.LEARNER, Role.APPRAISER])
    actions.activate_appraisal(appraisal, people["admin"])
    actions.complete_part(appraisal, people["lee"], Role.LEARNER, "First.")
    with pytest.raises(actions.AppraisalError, match="already complete"):
        actions.complete_part(appraisal, people["lee"], Role.LEARNER, "Second.")
    assert Answer.objects.get().text == "First."


def test_closing_alerts_the_learner_and_every_role_and_closes_open_tasks(
    appraisal, people, django_capture_on_commit_callbacks
):
    actions.activate_appraisal(appraisal, people["admin"])
    actions.complete_part(appraisal, people["lee"], Role.LEARNER, "Done.")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        actions.close_appraisal(appraisal, people["admin"], "Closed for the year.")
    assert received(CLOSED) == {"lee": "alert", "mia": "alert", "ada": "alert", "tara": "alert"}
    assert Alert.objects.get(key=CLOSED, recipient=people["lee"]).event.context["comment"] == (
        "Closed for the year."
    )
    assert {m.to[0] for m in mail.outbox} == {
        f"{name}@example.com" for name in ("lee", "mia", "ada", "tara")
    }
    assert not Alert.objects.filter(kind="task", done_at__isnull=True).exists()
    assert set(Alert.objects.filter(key=STAGE).values_list("action", flat=True)) == {"closed"}
    with pytest.raises(actions.AppraisalError, match="no answers"):
        actions.complete_part(appraisal, people["mia"], Role.MANAGER, "Late.")


def test_closing_twice_or_a_draft_is_refused(appraisal, people):
    with pytest.raises(actions.AppraisalError, match="never activated"):
        actions.close_appraisal(appraisal, people["admin"])
    actions.activate_appraisal(appraisal, people["admin"])
    actions.close_appraisal(appraisal, people["admin"])
    with pytest.raises(actions.AppraisalError, match="already closed"):
        actions.close_appraisal(appraisal, people["admin"])
    assert Alert.objects.filter(key=CLOSED).count() == 4
