"""Learning plan pages: the learner builds and sends a plan, the manager answers from Tasks."""

import pytest

from alerts.models import Alert
from features.plans import actions
from features.plans.factories import PlanFactory
from features.plans.models import Plan


def test_the_learner_builds_a_plan_and_asks_approval_from_the_pages(client, people, course, scale):
    client.force_login(people["lee"])
    response = client.post("/plans/new/", {"name": "Grow", "description": ""})
    plan = Plan.objects.get()
    assert response.status_code == 302 and response.url == f"/plans/{plan.pk}/"
    assert plan.objective_scale == scale
    url = f"/plans/{plan.pk}/"
    page = client.get(url).content.decode()
    assert '<label for="id_kind">' in page and "Ask my manager to approve the plan" in page
    client.post(f"{url}items/", {"kind": "course", "course": course.pk})
    client.post(f"{url}items/", {"kind": "objective", "name": "Chair a meeting"})
    assert plan.items.count() == 2
    response = client.post(f"{url}request/", {"comment": "Ready"})
    assert response.status_code == 302
    assert Alert.objects.filter(key="plans.plan_requested").count() == 2


def test_the_manager_approves_from_the_tasks_page(client, draft, people):
    actions.request_plan_approval(draft, people["lee"])
    client.force_login(people["mia"])
    page = client.get("/tasks/").content.decode()
    assert 'value="approve"' in page and 'value="decline"' in page
    assert "awaits the manager" in client.get(f"/plans/{draft.pk}/").content.decode()
    task = Alert.objects.get(recipient=people["mia"], key="plans.plan_requested")
    response = client.post(f"/tasks/{task.pk}/act", {"action": "approve", "comment": "Go"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Plan.Status.APPROVED
    assert Alert.objects.filter(key="plans.plan_approved", recipient=people["lee"]).exists()


def test_a_refused_change_shows_the_reason_and_changes_nothing(client, draft, people):
    client.force_login(people["lee"])
    course = draft.items.get(kind="course").course
    response = client.post(f"/plans/{draft.pk}/items/", {"kind": "course", "course": course.pk})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'role="alert"' in page and "already in the plan" in page
    response = client.post(f"/plans/{draft.pk}/comment/", {"comment": ""})
    assert response.status_code == 400 and 'role="alert"' in response.content.decode()
    assert draft.items.count() == 3 and not draft.comments.exists()


def test_outsiders_get_404_and_change_nothing(client, draft, people):
    client.force_login(people["olive"])
    url = f"/plans/{draft.pk}/"
    assert client.get(url).status_code == 404
    assert client.post(f"{url}comment/", {"comment": "Hi"}).status_code == 404
    assert client.post(f"{url}delete/").status_code == 404
    item = draft.items.first()
    assert client.post(f"/plans/items/{item.pk}/complete/").status_code == 404
    assert Plan.objects.exists() and not Alert.objects.exists()


@pytest.mark.links_gone("it ends by deleting the plan")
def test_working_on_an_approved_plan_from_its_page(client, approved, people):
    client.force_login(people["lee"])
    objective = approved.items.get(kind="objective")
    achieved = approved.objective_scale.statuses.get(achieved=True)
    response = client.post(f"/plans/items/{objective.pk}/status/", {"status": achieved.pk})
    assert response.status_code == 302
    assert Alert.objects.filter(key="plans.objective_completed").count() == 2
    course = approved.items.get(kind="course")
    response = client.post(
        f"/plans/items/{course.pk}/edit/", {"due_at": "2031-05-01T10:00", "comment": "Later"}
    )
    assert response.status_code == 302
    assert Alert.objects.filter(key="plans.course_updated").count() == 2
    client.post(f"/plans/items/{course.pk}/complete/")
    client.post(f"/plans/{approved.pk}/comment/", {"comment": "Nearly there"})
    assert Alert.objects.filter(key="plans.plan_comment").count() == 2
    assert client.post(f"/plans/items/{course.pk}/fly/").status_code == 404
    client.force_login(people["mia"])
    response = client.post(f"/plans/{approved.pk}/delete/")
    assert response.status_code == 302 and not Plan.objects.exists()


def test_the_list_shows_my_plans_and_my_teams_in_a_constant_number_of_queries(
    client, people, django_assert_num_queries
):
    for _ in range(3):
        PlanFactory(learner=people["lee"], status=Plan.Status.PENDING)
        PlanFactory(learner=people["mia"])
    PlanFactory(learner=people["lee"])  # a draft: the manager does not see it
    client.force_login(people["mia"])
    # session, user, counters (one query), team (2), my plans, team plans
    with django_assert_num_queries(7):
        page = client.get("/plans/").content.decode()
    assert page.count("Awaiting approval") == 3 and page.count("Draft") == 3
