"""Objective status scales edited by admins: who is told of each created, edited and deleted
value (the learners whose plans in progress use the scale, or the site admins when none do)."""

import pytest

from accounts.factories import AdminFactory
from alerts.models import Alert
from features.plans import actions
from features.plans.factories import ObjectiveScaleFactory, PlanFactory
from features.plans.models import ObjectiveStatus, Plan


def received(key):
    return set(Alert.objects.filter(key=key).values_list("recipient__username", flat=True))


@pytest.fixture
def plans(people, scale):
    """lee's plan uses the scale; olive's is complete; tom's uses another scale."""
    PlanFactory(learner=people["lee"], objective_scale=scale)
    PlanFactory(learner=people["lee"], objective_scale=scale)  # told once, however many plans
    PlanFactory(learner=people["olive"], objective_scale=scale, status=Plan.Status.COMPLETED)
    PlanFactory(learner=people["tom"], objective_scale=ObjectiveScaleFactory())


def test_the_admin_adds_edits_and_deletes_statuses_and_plan_owners_are_told(
    client, people, scale, plans
):
    client.force_login(people["admin"])
    statuses = list(scale.statuses.all())
    url = f"/admin/plans/objectivescale/{scale.pk}/change/"
    form = {
        "name": scale.name,
        "description": "",
        "statuses-TOTAL_FORMS": "4",
        "statuses-INITIAL_FORMS": "3",
        "statuses-MIN_NUM_FORMS": "0",
        "statuses-MAX_NUM_FORMS": "1000",
    }
    for i, status in enumerate(statuses):
        form |= {
            f"statuses-{i}-id": status.pk,
            f"statuses-{i}-scale": scale.pk,
            f"statuses-{i}-position": status.position,
            f"statuses-{i}-name": status.name,
        }
        if status.achieved:
            form[f"statuses-{i}-achieved"] = "on"
    form["statuses-1-name"] = "Under way"  # edited
    form["statuses-0-DELETE"] = "on"  # deleted
    form |= {"statuses-3-scale": scale.pk, "statuses-3-position": "9", "statuses-3-name": "Dropped"}
    response = client.post(url, form)
    assert response.status_code == 302, [
        line for line in response.content.decode().splitlines() if "errorlist" in line
    ]
    assert set(scale.statuses.values_list("name", flat=True)) == {
        "Under way",
        "Achieved",
        "Dropped",
    }
    for key in ("created", "edited", "deleted"):
        assert received(f"plans.objective_status_{key}") == {"lee"}, key
    edited = Alert.objects.get(key="plans.objective_status_edited").event
    assert edited.context == {
        "status": "Under way",
        "scale": "Progress",
        "previous_status": "In progress",
    }
    assert edited.sender == people["admin"]
    assert Alert.objects.get(key="plans.objective_status_deleted").event.context["status"] == (
        "Not started"
    )
    # Saving again without changes tells nobody.
    Alert.objects.all().delete()
    statuses = list(scale.statuses.all())
    form = {k: v for k, v in form.items() if not k.startswith("statuses-")}
    form |= {"statuses-TOTAL_FORMS": "3", "statuses-INITIAL_FORMS": "3"}
    for i, status in enumerate(statuses):
        form |= {
            f"statuses-{i}-id": status.pk,
            f"statuses-{i}-scale": scale.pk,
            f"statuses-{i}-position": status.position,
            f"statuses-{i}-name": status.name,
        }
        if status.achieved:
            form[f"statuses-{i}-achieved"] = "on"
    assert client.post(url, form).status_code == 302
    assert not Alert.objects.exists()


def test_with_no_plan_using_the_scale_the_other_site_admins_are_told(people, scale):
    other_admin = AdminFactory(username="ada")
    status = ObjectiveStatus(scale=scale, name="Blocked", position=5)
    actions.save_objective_status(status, people["admin"])
    assert received("plans.objective_status_created") == {"ada"}
    status.name = "Stuck"
    actions.save_objective_status(status, other_admin)
    assert received("plans.objective_status_edited") == {"admin"}
    actions.delete_objective_status(status, people["admin"])
    assert received("plans.objective_status_deleted") == {"ada"}


def test_the_status_admin_page_goes_through_the_actions(client, people, scale, plans):
    client.force_login(people["admin"])
    status = scale.statuses.get(name="In progress")
    response = client.post(f"/admin/plans/objectivestatus/{status.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert received("plans.objective_status_deleted") == {"lee"}
    response = client.post(
        "/admin/plans/objectivestatus/add/",
        {"scale": scale.pk, "name": "Paused", "position": "4"},
    )
    assert response.status_code == 302
    assert received("plans.objective_status_created") == {"lee"}
    for url in ("/admin/plans/objectivestatus/", "/admin/plans/plan/", "/admin/plans/competency/"):
        assert client.get(url).status_code == 200, url


def test_a_scale_in_use_cannot_be_deleted(people, scale, plans):
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        scale.delete()
