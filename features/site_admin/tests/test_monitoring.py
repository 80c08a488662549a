import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from accounts.factories import AdminFactory, UserFactory
from features.courses.tests.helpers import french_template
from features.site_admin import actions
from features.site_admin.models import Event, Rule, RuleSubscription

from .conftest import emails, told

KEY = "site_admin.rule_subscription"
START = dt.datetime(2026, 3, 10, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def rule(db):
    rule = Rule.objects.create(
        name="Repeated failed logins",
        event_name="auth.login_failed",
        threshold=3,
        window_minutes=10,
        description="Check the account.",
    )
    for name in ("ada", "sol"):
        RuleSubscription.objects.create(
            rule=rule, user=UserFactory(username=name, is_staff=True, is_superuser=True)
        )
    UserFactory(username="lee")  # not subscribed
    return rule


def record(capture, minutes: float, name="auth.login_failed", **data):
    with (
        time_machine.travel(START + dt.timedelta(minutes=minutes), tick=False),
        capture(execute=True),
    ):
        return actions.record_event(name, **data)


def test_n_events_within_m_minutes_tell_the_rules_subscribers_once(
    rule, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    record(capture, 0, username="sam")
    record(capture, 4, username="sam")
    assert mail.outbox == []
    record(capture, 8, username="sam")  # the third within 10 minutes
    assert told(KEY) == ["ada", "sol"]
    message = emails(KEY)[0]
    assert message.subject == "Rule triggered: Repeated failed logins"
    assert "triggered by auth.login_failed" in message.body
    assert "3 events of type auth.login_failed in the last 10 minutes" in message.body
    assert "Check the account." in message.body

    record(capture, 9)
    record(capture, 12)
    assert len(mail.outbox) == 2  # once per window, however many more events come

    for minutes in (19, 20, 21):
        record(capture, minutes)  # three more, after the window since the trigger
    assert told(KEY) == ["ada", "ada", "sol", "sol"]


def test_a_triggered_rule_reaches_each_subscriber_in_their_language(
    rule, django_capture_on_commit_callbacks
):
    ada, sol = (s.user for s in rule.subscriptions.order_by("user__username"))
    sol.language = "fr"
    sol.save()
    french_template(
        KEY,
        "Règle déclenchée : {{ rule }}",
        "Bonjour {{ recipient }}, {{ event }} a déclenché {{ rule }} : {{ event_count }} "
        "événements en {{ window_minutes }} minutes (seuil : {{ threshold }}).\n\n{{ details }}",
    )
    for minutes in (0, 1, 2):
        record(django_capture_on_commit_callbacks, minutes)
    [to_ada] = emails(KEY, ada)
    assert to_ada.subject == "Rule triggered: Repeated failed logins"
    assert to_ada.body.startswith(
        "Hello Ada,\n\nThe event monitoring rule Repeated failed logins was triggered by "
        "auth.login_failed.\n\n3 events of type auth.login_failed in the last 10 minutes "
        "(the rule triggers at 3).\n\nCheck the account."
    )
    [to_sol] = emails(KEY, sol)
    assert to_sol.subject == "Règle déclenchée : Repeated failed logins"
    assert to_sol.body.startswith(
        "Bonjour Sol, auth.login_failed a déclenché Repeated failed logins : 3 événements en "
        "10 minutes (seuil : 3).\n\nCheck the account."  # the rule's own text, as written
    )
    for english in ("The event monitoring rule", "events of type", "in the last", "triggers at"):
        assert english not in to_sol.body


def test_a_rule_without_a_description_triggered_by_one_event_reads_well(
    db, django_capture_on_commit_callbacks
):
    rule = Rule.objects.create(name="Backups failing", event_name="backup.failed", threshold=1)
    RuleSubscription.objects.create(
        rule=rule, user=UserFactory(username="ada", is_staff=True, is_superuser=True)
    )
    record(django_capture_on_commit_callbacks, 0, name="backup.failed")
    [message] = emails(KEY)
    assert message.body.startswith(
        "Hello Ada,\n\nThe event monitoring rule Backups failing was triggered by "
        "backup.failed.\n\n1 event of type backup.failed in the last "
        f"{rule.window_minutes} minutes (the rule triggers at 1).\n\n"
    )
    assert "\n\n\n" not in message.body


def test_events_spread_wider_than_the_window_do_not_trigger(
    rule, django_capture_on_commit_callbacks
):
    for minutes in (0, 6, 12, 18):
        record(django_capture_on_commit_callbacks, minutes)
    assert mail.outbox == []


def test_other_events_and_inactive_rules_do_not_count(rule, django_capture_on_commit_callbacks):
    for minutes in (0, 1, 2):
        record(django_capture_on_commit_callbacks, minutes, name="auth.login")
    assert mail.outbox == []
    Rule.objects.filter(pk=rule.pk).update(active=False)
    for minutes in (3, 4, 5):
        record(django_capture_on_commit_callbacks, minutes)
    assert mail.outbox == []


def test_the_periodic_check_catches_events_logged_in_bulk_and_fires_once(
    rule, django_capture_on_commit_callbacks
):
    Event.objects.bulk_create(
        [
            Event(name="auth.login_failed", created_at=START + dt.timedelta(minutes=m))
            for m in (1, 2, 3)
        ]
    )
    with time_machine.travel(START + dt.timedelta(minutes=5), tick=False):
        for _ in range(2):
            with django_capture_on_commit_callbacks(execute=True):
                call_command("cron", "site_admin.check_rules", stdout=StringIO())
    assert told(KEY) == ["ada", "sol"]


def test_an_event_records_who_and_what(rule, django_capture_on_commit_callbacks):
    sam = UserFactory(username="sam")
    event = record(django_capture_on_commit_callbacks, 0, user=sam, ip="10.0.0.1", at=START)
    event.refresh_from_db()
    assert (event.name, event.user, event.data["ip"]) == ("auth.login_failed", sam, "10.0.0.1")
    with pytest.raises(ValueError):
        actions.record_event("  ")


def test_admins_manage_rules_and_their_subscribers(client, rule):
    client.force_login(AdminFactory())
    for url in (
        "/admin/site_admin/rule/",
        f"/admin/site_admin/rule/{rule.pk}/change/",
        "/admin/site_admin/rule/add/",
        "/admin/site_admin/rulesubscription/",
        "/admin/site_admin/event/",
        "/admin/site_admin/backuprun/",
    ):
        assert client.get(url).status_code == 200, url
    lee = UserFactory(username="lou", is_staff=True, is_superuser=True)
    form = {
        "name": "Backups failing",
        "event_name": "backup.failed",
        "threshold": "1",
        "window_minutes": "1440",
        "description": "",
        "active": "on",
        "subscriptions-TOTAL_FORMS": "1",
        "subscriptions-INITIAL_FORMS": "0",
        "subscriptions-MIN_NUM_FORMS": "0",
        "subscriptions-MAX_NUM_FORMS": "1000",
        "subscriptions-0-user": str(lee.pk),
    }
    # Only staff can subscribe: the notice links the rule in the admin.
    learner = UserFactory()
    refused = client.post(
        "/admin/site_admin/rule/add/", {**form, "subscriptions-0-user": learner.pk}
    )
    assert refused.status_code == 200 and not Rule.objects.filter(name="Backups failing").exists()
    response = client.post("/admin/site_admin/rule/add/", form)
    assert response.status_code == 302
    assert list(Rule.objects.get(name="Backups failing").subscribers.all()) == [lee]


def test_failed_logins_are_recorded_for_the_rules(client, db):
    from features.site_admin.models import Event as MonitoredEvent

    client.post("/login/", {"username": "nobody", "password": "wrong"})
    event = MonitoredEvent.objects.get(name="auth.login_failed")
    assert event.data["username"] == "nobody"
