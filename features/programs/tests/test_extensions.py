"""Extension requests: the learner asks, the manager (or temporary manager) answers."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from alerts import actions as inbox
from alerts.models import Alert
from features.job_assignments.models import JobAssignment
from features.programs import actions
from features.programs.models import Assignment, ExtensionRequest
from features.programs.tests.conftest import deliveries, in_days


@pytest.fixture
def lou(people, program):
    actions.assign_users(program, [people["lou"]], due_at=in_days(10))
    Alert.objects.all().delete()
    return Assignment.objects.select_related("program").get(user=people["lou"])


def ask(lou, people, days=20, reason="On leave"):
    return actions.request_extension(lou, people["lou"], in_days(days).date(), reason)


def test_asking_gives_the_manager_and_temporary_manager_a_task(
    people, lou, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        extension = ask(lou, people)
    key = lou.program.key("extension_request")
    assert deliveries() == [(key, "mia"), (key, "tom")]
    task = Alert.objects.get(recipient=people["mia"])
    assert task.kind == "task"
    assert task.event.data == {"request_id": extension.pk}
    assert task.event.sender == people["lou"]
    assert sorted(m.to[0] for m in mail.outbox) == ["mia@example.com", "tom@example.com"]
    assert "Lou Learner asks for an extension" in mail.outbox[0].subject
    assert "Reason: On leave" in mail.outbox[0].body
    local_due = timezone.localtime(lou.due_at)
    assert extension.requested_due_at.time() == local_due.time()
    assert extension.requested_due_at.date() == in_days(20).date()


def test_accepting_moves_the_due_date_and_tells_the_learner(people, lou):
    extension = ask(lou, people)
    task = Alert.objects.get(recipient=people["tom"])
    inbox.act_on_task(people["tom"], task.pk, "accept", "Enjoy your leave")
    lou.refresh_from_db()
    assert lou.due_at == extension.requested_due_at
    assert set(lou.course_set_progress.values_list("due_at", flat=True)) == {lou.due_at}
    extension.refresh_from_db()
    assert (extension.status, extension.decided_by) == ("granted", people["tom"])
    granted = lou.program.key("extension_granted")
    assert [k for k in deliveries() if k[0] == granted] == [(granted, "lou")]
    alert = Alert.objects.get(key=granted)
    assert alert.event.context["comment"] == "Enjoy your leave"
    # Closed for both managers: mia can no longer act on it.
    mias = Alert.objects.get(recipient=people["mia"])
    assert mias.done_at is not None
    with pytest.raises(inbox.InboxError, match="already accepted"):
        inbox.act_on_task(people["mia"], mias.pk, "decline")


def test_declining_from_the_tasks_block_tells_the_learner_why(people, lou, client):
    ask(lou, people)
    due = lou.due_at
    task = Alert.objects.get(recipient=people["mia"])
    client.force_login(people["mia"])
    page = client.get("/").content.decode()
    assert 'value="accept"' in page and 'value="decline"' in page
    response = client.post(
        f"/tasks/{task.pk}/act", {"action": "decline", "comment": "We need you that week"}
    )
    assert response.status_code == 302
    lou.refresh_from_db()
    assert lou.due_at == due
    declined = lou.program.key("extension_declined")
    assert [k for k in deliveries() if k[0] == declined] == [(declined, "lou")]
    assert Alert.objects.get(key=declined).event.context["reason"] == "We need you that week"
    assert ExtensionRequest.objects.get().status == "declined"


def test_a_request_answered_elsewhere_is_refused_in_the_task(people, lou):
    extension = ask(lou, people)
    actions.decline_extension(extension, people["mia"], "No")
    task = Alert.objects.get(recipient=people["tom"], kind="task")
    with pytest.raises(inbox.InboxError, match="already declined"):
        inbox.act_on_task(people["tom"], task.pk, "accept")
    lou.refresh_from_db()
    assert lou.due_at == extension.current_due_at


def test_someone_not_the_learners_manager_cannot_answer(people, lou):
    extension = ask(lou, people)
    with pytest.raises(actions.ProgramError, match="manager"):
        actions.grant_extension(extension, people["lee"])
    extension.refresh_from_db()
    assert extension.status == "pending"


@pytest.mark.parametrize(
    ("days", "error"),
    [
        (-1, "already passed"),
        (0, "already passed"),
        (5, "after the current due date"),
        (10, "after the current due date"),
    ],
)
def test_a_past_date_or_one_not_after_the_due_date_is_refused(people, lou, days, error):
    with pytest.raises(actions.ProgramError, match=error):
        ask(lou, people, days=days)
    assert not ExtensionRequest.objects.exists()
    assert deliveries() == []


def test_what_cannot_be_extended_is_refused_and_changes_nothing(people, lou, program):
    ask(lou, people)
    with pytest.raises(actions.ProgramError, match="already asked"):
        ask(lou, people, days=30)
    with pytest.raises(actions.ProgramError, match="own"):
        actions.request_extension(lou, people["lee"], in_days(30).date())
    with pytest.raises(actions.ProgramError, match="under 2000"):
        actions.request_extension(lou, people["lou"], in_days(30).date(), "x" * 2001)
    actions.assign_users(program, [people["lee"]])
    lee = Assignment.objects.get(user=people["lee"])
    with pytest.raises(actions.ProgramError, match="no due date"):
        actions.request_extension(lee, people["lee"], in_days(30).date())
    actions.set_due_date(lee, in_days(5))
    JobAssignment.objects.filter(user=people["lee"]).delete()
    with pytest.raises(actions.ProgramError, match="no manager"):
        actions.request_extension(lee, people["lee"], in_days(30).date())
    program.allow_extension_requests = False
    program.save()
    with pytest.raises(actions.ProgramError, match="does not allow"):
        actions.request_extension(lee, people["lee"], in_days(30).date())
    assert ExtensionRequest.objects.count() == 1


def test_an_expired_temporary_manager_is_not_asked(people, lou):
    JobAssignment.objects.filter(user=people["lou"]).update(
        temp_manager_expires_at=timezone.now() - timedelta(days=1)
    )
    ask(lou, people)
    assert [r for _, r in deliveries()] == ["mia"]
