"""The web inbox: blocks, lists, marking read, task actions, the purge, and the JSON API."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from accounts.factories import UserFactory
from alerts import actions, handlers
from alerts.models import Alert
from features.job_assignments.factories import JobAssignmentFactory
from features.job_assignments.models import managers_of
from notifications import presence, send
from notifications.factories import context_for

ALERT = "programs.due"
URGENT = "programs.exception_report"
TASK = "programs.extension_request"


def alert(users, key=ALERT, **kwargs):
    return send(key, users, context=context_for(key), url="/programs/1/", **kwargs)


@pytest.fixture
def web_only(user, other_user):
    presence.touch(user.pk)
    presence.touch(other_user.pk)


@pytest.fixture
def accept_handler(monkeypatch):
    """A handler for the task's accept/decline, recording what it was asked to do."""
    calls = []
    monkeypatch.setattr(handlers, "_handlers", {})

    @handlers.task_action(TASK, "accept")
    def accept(event, actor, comment):
        calls.append(("accept", event.pk, actor.pk, comment))

    @handlers.task_action(TASK, "decline")
    def decline(event, actor, comment):
        if comment == "refuse":
            raise handlers.TaskRefused("The request was withdrawn.")
        calls.append(("decline", event.pk, actor.pk, comment))

    return calls


def test_the_dashboard_shows_the_five_newest_unread_alerts(client, user, web_only):
    for _ in range(7):
        alert([user])
    client.force_login(user)
    page = client.get("/").content.decode()
    assert page.count('data-alert="') == 5
    assert 'data-count="alerts">7<' in page


def test_urgent_alerts_stand_out(client, user, web_only):
    alert([user], key=URGENT)
    client.force_login(user)
    assert "item unread urgent" in client.get("/").content.decode()


def test_dismissing_one_and_all(client, user, web_only):
    alert([user])
    alert([user])
    first = Alert.objects.filter(recipient=user).first()
    client.force_login(user)
    response = client.post("/alerts/read", {"ids": [first.pk], "next": "/"})
    assert response.status_code == 302
    assert Alert.objects.for_user(user).unread().count() == 1
    client.post("/alerts/read", {"all": "1"})
    assert Alert.objects.for_user(user).unread().count() == 0


def test_dismissing_from_the_block_with_htmx_returns_the_block(client, user, web_only):
    alert([user])
    item = Alert.objects.get()
    client.force_login(user)
    response = client.post("/alerts/read", {"ids": [item.pk]}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'id="block-alerts"' in response.content.decode()
    assert "no new alerts" in response.content.decode()


def test_another_users_alert_cannot_be_dismissed(client, user, other_user, web_only):
    alert([other_user])
    item = Alert.objects.get()
    client.force_login(user)
    client.post("/alerts/read", {"ids": [item.pk]})
    item.refresh_from_db()
    assert item.read_at is None
    assert client.post(f"/api/alerts/{item.pk}/read").status_code == 404


def test_mark_all_read_is_one_update_and_the_counter_follows(
    user, web_only, django_assert_num_queries
):
    for _ in range(30):
        alert([user])
    with django_assert_num_queries(1):
        assert actions.mark_all_read(user) == 30
    from notifications.live import counts_for

    assert counts_for(user)["alerts"] == 0


@pytest.mark.parametrize("rows", [3, 40])
def test_the_lists_run_a_constant_number_of_queries(
    client, user, web_only, rows, django_assert_num_queries
):
    for _ in range(rows):
        alert([user])
    for _ in range(rows):
        send(TASK, [user], context=context_for(TASK))
    client.force_login(user)
    # session, user, page count, page rows (with event and sender), the admin's templates in
    # the user's language; pages add the features of the filter and the header's counters (one
    # query)
    for url in ("/alerts/", "/tasks/", "/api/alerts/", "/api/tasks/"):
        with django_assert_num_queries(5 if url.startswith("/api/") else 7):
            assert client.get(url).status_code == 200, url
    # session, user, the counters (one query), the five newest alerts, the admin's templates in
    # the user's language (once for both blocks), the five newest open tasks, the five latest
    # conversations
    with django_assert_num_queries(7):
        client.get("/")


def test_the_list_filters(client, user, web_only):
    alert([user])
    alert([user], key=URGENT)
    client.force_login(user)
    page = client.get("/alerts/?urgency=urgent").content.decode()
    assert page.count('class="item unread  urgent"') + page.count('class="item unread urgent"') == 1
    assert client.get("/alerts/?urgency=extreme").status_code == 400
    data = client.get("/api/alerts/?urgency=urgent").json()
    assert data["count"] == 1 and data["results"][0]["key"] == URGENT
    assert client.get("/api/alerts/?unread=maybe").status_code == 400


def test_the_api_lists_read_and_unread_newest_first(client, user, web_only):
    alert([user])
    alert([user], key=URGENT)
    Alert.objects.filter(key=ALERT).update(read_at=timezone.now())
    client.force_login(user)
    items = client.get("/api/alerts/").json()["results"]
    assert [i["key"] for i in items] == [URGENT, ALERT]
    assert set(items[0]) >= {"id", "key", "subject", "body", "url", "created_at", "read"}
    assert [i["key"] for i in client.get("/api/alerts/?unread=1").json()["results"]] == [URGENT]
    assert client.get("/api/counts/").json() == {"alerts": 1, "messages": 0, "tasks": 0}
    assert client.post("/api/alerts/read-all").json() == {"read": 1}


# Task actions


@pytest.fixture
def shared_task(db):
    """One extension request sent to a learner's manager and temporary manager."""
    learner, manager, temp = UserFactory.create_batch(3)
    JobAssignmentFactory(
        user=learner,
        manager=manager,
        temp_manager=temp,
        temp_manager_expires_at=timezone.now() + timedelta(days=3),
    )
    send(
        TASK, list(managers_of([learner.pk])[learner.pk]), context=context_for(TASK), sender=learner
    )
    return learner, manager, temp


def test_acting_closes_the_task_for_everyone_who_received_it(shared_task, accept_handler):
    _learner, manager, temp = shared_task
    task = Alert.objects.get(recipient=temp)
    actions.act_on_task(temp, task.pk, "accept", "Enjoy")
    assert accept_handler == [("accept", task.event_id, temp.pk, "Enjoy")]
    for copy in Alert.objects.all():
        assert copy.done_at and copy.action == "accept" and copy.acted_by == temp
    managers_copy = Alert.objects.get(recipient=manager)
    with pytest.raises(actions.InboxError, match="already accepted"):
        actions.act_on_task(manager, managers_copy.pk, "decline")
    assert len(accept_handler) == 1


def test_a_task_cannot_be_acted_on_by_someone_else(shared_task, accept_handler, client):
    learner, manager, _ = shared_task
    task = Alert.objects.get(recipient=manager)
    with pytest.raises(Alert.DoesNotExist):
        actions.act_on_task(learner, task.pk, "accept")
    client.force_login(learner)
    assert client.post(f"/api/tasks/{task.pk}/accept").status_code == 404
    assert client.post(f"/tasks/{task.pk}/act", {"action": "accept"}).status_code == 404
    assert accept_handler == []


def test_an_action_the_task_does_not_offer_is_refused(shared_task, accept_handler, client):
    _, manager, _ = shared_task
    task = Alert.objects.get(recipient=manager)
    client.force_login(manager)
    response = client.post(f"/api/tasks/{task.pk}/explode")
    assert response.status_code == 409
    assert "does not offer 'explode'" in response.json()["action"][0]


def test_a_handler_may_refuse_and_nothing_closes(shared_task, accept_handler):
    _, manager, _ = shared_task
    task = Alert.objects.get(recipient=manager)
    with pytest.raises(actions.InboxError, match="withdrawn"):
        actions.act_on_task(manager, task.pk, "decline", "refuse")
    assert not Alert.objects.filter(done_at__isnull=False).exists()


def test_the_tasks_block_offers_the_actions_and_acting_from_it_works(
    shared_task, accept_handler, client
):
    _, manager, temp = shared_task
    client.force_login(manager)
    page = client.get("/").content.decode()
    assert 'value="accept"' in page and 'value="decline"' in page
    task = Alert.objects.get(recipient=manager)
    response = client.post(
        f"/tasks/{task.pk}/act", {"action": "decline", "comment": "Not now"}, HTTP_HX_REQUEST="true"
    )
    assert "no open tasks" in response.content.decode()
    assert accept_handler[0][0] == "decline"
    client.force_login(temp)
    assert "no open tasks" in client.get("/").content.decode()
    assert "Declined by" in client.get("/tasks/").content.decode()


def test_a_task_without_handlers_offers_its_link_and_can_be_marked_done(client, user):
    key = "appraisals.activation"  # appraisal tasks are done on the appraisal's page
    send(key, [user], context=context_for(key), url="/appraisals/1/")
    task = Alert.objects.get()
    client.force_login(user)
    page = client.get("/").content.decode()
    assert 'href="/appraisals/1/"' in page and 'name="action" value="accept"' not in page
    client.post(f"/tasks/{task.pk}/act", {"action": "dismiss"})
    task.refresh_from_db()
    assert task.done_at and task.action == "dismiss"


# The purge


def test_the_purge_deletes_only_what_was_read_more_than_30_days_ago(user, web_only):
    now = timezone.now()
    alert([user])
    alert([user])
    alert([user])
    send(TASK, [user], context=context_for(TASK))
    old_read, recent_read, unread = Alert.objects.filter(kind="alert").order_by("id")
    Alert.objects.filter(pk=old_read.pk).update(read_at=now - timedelta(days=31))
    Alert.objects.filter(pk=recent_read.pk).update(read_at=now - timedelta(days=29))
    Alert.objects.filter(kind="task").update(created_at=now - timedelta(days=90))
    assert actions.purge_read() == 1
    assert actions.purge_read() == 0
    assert set(Alert.objects.values_list("pk", flat=True)) == {
        recent_read.pk,
        unread.pk,
        Alert.objects.get(kind="task").pk,
    }
    with time_machine.travel(now + timedelta(days=2)):
        assert actions.purge_read() == 1
    assert Alert.objects.filter(read_at__isnull=True).count() == 2


def test_cron_runs_the_purge(user, web_only):
    from io import StringIO

    from django.core.management import call_command

    alert([user])
    Alert.objects.update(read_at=timezone.now() - timedelta(days=40))
    out = StringIO()
    call_command("cron", stdout=out)
    assert "alerts.purge_read: {'deleted': 1," in out.getvalue()
    assert not Alert.objects.exists()


def test_the_inbox_shows_an_admins_template_in_the_readers_language(client, web_only, db):
    from accounts.factories import UserFactory
    from notifications.models import MessageTemplate, MessageType

    MessageTemplate.objects.create(
        message_type=MessageType.objects.get(key=ALERT),
        language="fr",
        subject="Échéance : {{ program }}",
        body="Bonjour {{ recipient }}",
    )
    french, english = UserFactory(language="fr"), UserFactory(language="en")
    send(ALERT, [french, english], context=context_for(ALERT, program="Sécurité"))
    client.force_login(french)
    assert client.get("/api/alerts/").json()["results"][0]["subject"] == "Échéance : Sécurité"
    assert "Échéance : Sécurité" in client.get("/alerts/").content.decode()
    client.force_login(english)
    assert "Échéance" not in client.get("/api/alerts/").json()["results"][0]["subject"]


def test_the_counters_are_one_query_and_count_only_the_users_rows(
    user, other_user, web_only, django_assert_num_queries
):
    from notifications.live import counts_for

    alert([user, other_user])
    alert([user])
    send(TASK, [user], context=context_for(TASK))
    Alert.objects.filter(recipient=user, key=ALERT).update(read_at=timezone.now())
    alert([user])
    with django_assert_num_queries(1):
        assert counts_for(user) == {"alerts": 1, "messages": 0, "tasks": 1}
    assert counts_for(other_user) == {"alerts": 1, "messages": 0, "tasks": 0}
