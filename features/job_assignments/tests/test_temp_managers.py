from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from accounts.factories import UserFactory
from alerts.models import Alert
from features.job_assignments import actions
from features.job_assignments.factories import JobAssignmentFactory
from features.job_assignments.models import managers_of

KEY = "job_assignments.temp_manager_updated"


@pytest.fixture
def assignment(db):
    return JobAssignmentFactory(
        user=UserFactory(username="lee"), manager=UserFactory(username="mia")
    )


def test_setting_a_temp_manager_tells_the_learner_the_temp_and_the_manager(assignment):
    tom = UserFactory(username="tom")
    actions.set_temp_manager(assignment, tom, timezone.now() + timedelta(days=7))
    told = set(Alert.objects.filter(key=KEY).values_list("recipient__username", flat=True))
    assert told == {"lee", "tom", "mia"}
    assert tom.pk in managers_of([assignment.user_id])[assignment.user_id]


def test_bad_changes_are_refused_and_change_nothing(assignment):
    with pytest.raises(actions.JobAssignmentError, match="future"):
        actions.set_temp_manager(assignment, UserFactory(), timezone.now() - timedelta(days=1))
    with pytest.raises(actions.JobAssignmentError, match="own"):
        actions.set_temp_manager(assignment, assignment.user, timezone.now() + timedelta(days=1))
    assignment.refresh_from_db()
    assert assignment.temp_manager is None
    assert not Alert.objects.exists()


def test_expiry_runs_once_however_often_cron_runs(assignment):
    tom = UserFactory(username="tom")
    actions.set_temp_manager(assignment, tom, timezone.now() + timedelta(days=1))
    Alert.objects.all().delete()
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        for _ in range(2):
            call_command("cron", "job_assignments.expire_temp_managers", stdout=StringIO())
        assert managers_of([assignment.user_id])[assignment.user_id] == {assignment.manager_id}
    alerts = Alert.objects.filter(key=KEY)
    assert alerts.count() == 3
    assignment.refresh_from_db()
    assert assignment.temp_manager is None


def test_the_admin_sets_a_temp_manager_through_the_action(client, assignment):
    from accounts.factories import AdminFactory

    admin = AdminFactory()
    tom = UserFactory(username="tom")
    client.force_login(admin)
    url = f"/admin/job_assignments/jobassignment/{assignment.pk}/change/"
    expires = timezone.localtime(timezone.now() + timedelta(days=5))
    form = {
        "user": assignment.user_id,
        "title": "Learner",
        "organisation": "",
        "manager": assignment.manager_id,
        "temp_manager": tom.pk,
        "temp_manager_expires_at_0": expires.strftime("%Y-%m-%d"),
        "temp_manager_expires_at_1": expires.strftime("%H:%M:%S"),
    }
    past = {**form, "temp_manager_expires_at_0": "2020-01-01"}
    assert b"must be in the future" in client.post(url, past).content
    assert not Alert.objects.exists()
    assert client.post(url, form).status_code == 302
    assert Alert.objects.filter(key=KEY).count() == 3


def test_the_alert_links_a_page_the_learner_the_stand_in_and_the_manager_can_open(
    client, assignment
):
    tom = UserFactory(username="tom")
    actions.set_temp_manager(assignment, tom, timezone.now() + timedelta(days=7))
    url = Alert.objects.filter(key=KEY).first().event.url
    assert url == f"/job_assignments/{assignment.pk}/"
    for person in (assignment.user, tom, assignment.manager):
        client.force_login(person)
        page = client.get(url)
        assert page.status_code == 200
        assert "tom" in page.content.decode().lower()
        assert "Change in the admin" not in page.content.decode()
    client.force_login(UserFactory())  # nobody in it
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def test_the_notice_that_the_stand_in_ended_links_the_learners_profile(client, assignment):
    tom = UserFactory(username="tom")
    actions.set_temp_manager(assignment, tom, timezone.now() + timedelta(days=1))
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        actions.expire_temp_managers()
    ended = Alert.objects.filter(key=KEY, event__context__expired=True).first()
    assert ended.event.url == f"/users/{assignment.user_id}/"
    client.force_login(tom)
    assert client.get(ended.event.url).status_code == 200
