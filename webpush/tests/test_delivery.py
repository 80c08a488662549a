"""Push notifications end to end against a local push service that speaks the protocol: the
payload is decrypted with the browser's keys and the VAPID JWT verified, as a real one does."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.factories import UserFactory
from notifications import jobs, presence
from notifications.models import OutputSetting, Preference, SiteOutput, UserMessaging
from webpush import keys
from webpush.models import PushDelivery, PushSubscription

KEY = "programs.due"  # an alert: push on by default when logged off
CONTEXT = {"program": "Safety first", "due_date": "1 March", "learner": "Lee Learner"}
Status = PushDelivery.Status
UTC = datetime.UTC


def send(sent, recipients, **kwargs):
    kwargs.setdefault("context", CONTEXT)
    kwargs.setdefault("url", "/programs/my/")
    return sent(KEY, recipients, **kwargs)


def test_a_message_reaches_the_browser_encrypted_and_signed(
    db, sent, user, subscribed, push_service
):
    device = subscribed(user)
    result = send(sent, [user])
    assert result.outputs["push"] == 1
    assert push_service.refused == []
    [payload] = push_service.payloads(device)
    assert payload["title"] == "Safety first is due on 1 March"
    assert payload["url"] == "http://127.0.0.1:8000/programs/my/"
    assert payload["kind"] == "alert"
    assert payload["tag"] == f"event-{result.event_id}"
    assert payload["body"].startswith("The program Safety first is due on 1 March.")
    [received] = push_service.received
    assert received.claims["sub"].startswith("mailto:")
    assert received.claims["k"] == keys.public_key()  # signed by the site's VAPID key
    assert received.headers["ttl"] == "86400"
    assert received.headers["urgency"] == "normal"
    delivery = PushDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.why) == (Status.SENT, 1, "default-off")
    assert PushSubscription.objects.get().last_success_at is not None


def test_each_of_a_users_browsers_gets_its_own_push(db, sent, user, subscribed, push_service):
    phone, laptop = subscribed(user), subscribed(user)
    send(sent, [user])
    assert len(push_service.payloads(phone)) == len(push_service.payloads(laptop)) == 1


def test_a_subscription_the_push_service_forgot_is_deleted(
    db, sent, user, subscribed, push_service
):
    gone, kept = subscribed(user), subscribed(user)
    push_service.answer(gone, 410)
    send(sent, [user])
    assert list(PushSubscription.objects.values_list("endpoint", flat=True)) == [kept.endpoint]
    assert sorted(PushDelivery.objects.values_list("status", flat=True)) == [
        Status.EXPIRED,
        Status.SENT,
    ]


def test_a_404_deletes_the_subscription_too(db, sent, user, subscribed, push_service):
    push_service.answer(subscribed(user), 404)
    send(sent, [user])
    assert not PushSubscription.objects.exists()


def test_a_server_error_keeps_the_subscription_and_retries_later_once(
    db, sent, user, subscribed, push_service
):
    device = subscribed(user)
    push_service.answer(device, 500)
    start = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        send(sent, [user])
    delivery = PushDelivery.objects.get()
    assert delivery.status == Status.PENDING
    assert delivery.next_attempt_at == start + datetime.timedelta(minutes=1)
    assert "500" in delivery.last_error
    assert PushSubscription.objects.exists()
    with time_machine.travel(start + datetime.timedelta(seconds=30), tick=False):
        jobs.run("webpush.send_due")  # not yet due
    assert PushDelivery.objects.get().attempts == 1
    push_service.answers.clear()
    with time_machine.travel(start + datetime.timedelta(minutes=2), tick=False):
        jobs.run("webpush.send_due")
        jobs.run("webpush.send_due")
    assert len(push_service.payloads(device)) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (Status.SENT, 2)


def test_retries_stop_after_the_last_attempt(db, sent, user, subscribed, push_service, settings):
    settings.WEBPUSH_MAX_ATTEMPTS = 2
    push_service.answer(subscribed(user), 503)
    start = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        send(sent, [user])
    with time_machine.travel(start + datetime.timedelta(hours=1), tick=False):
        jobs.run("webpush.send_due")
    delivery = PushDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == (Status.FAILED, 2)
    assert "gave up after 2 attempts" in delivery.last_error
    assert PushSubscription.objects.exists()


def test_a_refused_push_fails_without_retrying(db, sent, user, subscribed, push_service):
    push_service.answer(subscribed(user), 413)
    send(sent, [user])
    delivery = PushDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == (Status.FAILED, 1)


# Quiet hours ----------------------------------------------------------------------------------

NIGHT = datetime.datetime(2026, 1, 14, 23, 0, tzinfo=UTC)  # a Wednesday
MORNING = datetime.datetime(2026, 1, 15, 7, 0, tzinfo=UTC)


def quiet(person):
    UserMessaging.objects.update_or_create(
        user=person,
        defaults={
            "quiet_hours_enabled": True,
            "quiet_hours_start": datetime.time(22, 0),
            "quiet_hours_end": datetime.time(7, 0),
        },
    )


def test_quiet_hours_hold_the_push_until_they_end_then_it_goes_once(
    db, sent, user, subscribed, push_service
):
    device = subscribed(user)
    quiet(user)
    with time_machine.travel(NIGHT, tick=False):
        send(sent, [user])
    delivery = PushDelivery.objects.get()
    assert (delivery.held_until, delivery.next_attempt_at) == (MORNING, MORNING)
    with time_machine.travel(NIGHT + datetime.timedelta(hours=4), tick=False):
        jobs.run("webpush.send_due")
    assert push_service.received == []
    with time_machine.travel(MORNING + datetime.timedelta(minutes=1), tick=False):
        jobs.run("webpush.send_due")
        jobs.run("webpush.send_due")
    assert len(push_service.payloads(device)) == 1
    assert PushDelivery.objects.get().status == Status.SENT


def test_an_urgent_message_is_pushed_at_once_in_quiet_hours(
    db, sent, user, subscribed, push_service
):
    device = subscribed(user)
    quiet(user)
    with time_machine.travel(NIGHT, tick=False):
        send(sent, [user], urgency="urgent")
    [received] = push_service.received
    assert received.path == device.endpoint.removeprefix(push_service.url)
    assert received.headers["urgency"] == "high"
    assert PushDelivery.objects.get().held_until is None


# Who gets a push ------------------------------------------------------------------------------


def test_nothing_is_pushed_to_a_user_who_turned_push_off(db, sent, user, subscribed, push_service):
    subscribed(user)
    setting = OutputSetting.objects.get(message_type__key=KEY, output="push")
    Preference.objects.create(
        user=user,
        message_type=setting.message_type,
        output="push",
        logged_in=False,
        logged_off=False,
    )
    result = send(sent, [user])
    assert result.outputs["push"] == 0
    assert push_service.received == [] and not PushDelivery.objects.exists()


def test_a_logged_in_user_gets_no_push_by_default(db, sent, user, subscribed, push_service):
    subscribed(user)
    presence.touch(user.pk)
    send(sent, [user])
    assert push_service.received == []


def test_nothing_is_pushed_when_the_admin_disallows_push_for_the_type(
    db, sent, user, subscribed, push_service
):
    subscribed(user)
    OutputSetting.objects.filter(message_type__key=KEY, output="push").update(
        permission="disallowed"
    )
    send(sent, [user])
    assert push_service.received == [] and not PushDelivery.objects.exists()


def test_nothing_is_pushed_when_the_site_turns_push_off(db, sent, user, subscribed, push_service):
    subscribed(user)
    SiteOutput.objects.filter(output="push").update(enabled=False)
    send(sent, [user])
    assert push_service.received == []


def test_a_forced_push_ignores_the_users_choice(db, sent, user, subscribed, push_service):
    subscribed(user)
    presence.touch(user.pk)
    OutputSetting.objects.filter(message_type__key=KEY, output="push").update(permission="forced")
    send(sent, [user])
    assert len(push_service.received) == 1


def test_a_browser_unsubscribed_before_its_push_went_gets_nothing(
    db, user, subscribed, push_service, django_capture_on_commit_callbacks
):
    from notifications import send as send_now

    subscribed(user)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        send_now(KEY, [user], context=CONTEXT)
    PushSubscription.objects.all().delete()
    for callback in callbacks:
        callback()
    assert push_service.received == []
    assert PushDelivery.objects.get().status == Status.EXPIRED


def test_without_vapid_keys_in_production_push_is_unavailable_and_nothing_breaks(
    db, sent, user, subscribed, push_service, settings
):
    settings.VAPID_PRIVATE_KEY = settings.VAPID_PUBLIC_KEY = ""
    settings.DEBUG = False
    subscribed(user)
    result = send(sent, [user])
    assert result.outputs["push"] == 0 and result.outputs["web"] == 1
    assert push_service.received == []


# Cost -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [3, 30])
def test_a_send_costs_the_same_queries_for_3_or_30_subscribed_recipients(
    db, count, subscribed, push_service, django_capture_on_commit_callbacks
):
    from notifications import send as send_now

    users = UserFactory.create_batch(count)
    for person in users:
        subscribed(person)
    with (
        CaptureQueriesContext(connection) as writing,
        django_capture_on_commit_callbacks(execute=False) as callbacks,
    ):
        result = send_now(KEY, users, context=CONTEXT)
    assert result.outputs["push"] == count
    with CaptureQueriesContext(connection) as pushing:
        for callback in callbacks:
            callback()
    assert len(push_service.received) == count
    # Writing: savepoint, type, settings, site switches, event, preferences, the users'
    # switches, cadences, suppressions, inbox rows, outbox rows, the batch's subscriptions,
    # push rows, recipient count, release savepoint (the three row writes are COPY on
    # PostgreSQL, not counted).
    assert len(writing) == (12 if connection.vendor == "postgresql" else 15), [
        q["sql"][:70] for q in writing
    ]
    # Pushing (after the email task's own queries): claim, the rows with their events, users
    # and subscriptions, templates, sent rows, subscriptions' last success, then a claim that
    # finds nothing left; the same for 3 or 30.
    push_queries = [q["sql"] for q in pushing if "webpush" in q["sql"]]
    assert len(push_queries) == 5, push_queries


def test_the_local_push_service_refuses_a_push_not_signed_by_its_key(db, push_service):
    """The test service checks what a real one checks: a JWT signed by another key than the
    `k` it names is refused."""
    import requests
    from py_vapid import Vapid

    device = push_service.new_device()
    signer, other = Vapid(), Vapid()
    signer.generate_keys()
    other.generate_keys()
    header = signer.sign({"sub": "mailto:a@example.com", "aud": push_service.url})
    token = header["Authorization"].split("t=", 1)[1].split(",k=")[0]
    forged = f"vapid t={token},k={keys.public_key_of(other.private_key)}"
    answer = requests.post(
        device.endpoint,
        data=b"x",
        headers={"Authorization": forged, "Content-Encoding": "aes128gcm", "TTL": "0"},
        timeout=5,
    )
    assert answer.status_code == 403
    assert "does not verify" in push_service.refused[0][1]


def test_turning_quiet_hours_off_sends_the_held_pushes_at_once(
    db, sent, user, subscribed, push_service, client, django_capture_on_commit_callbacks
):
    device = subscribed(user)
    quiet(user)
    with time_machine.travel(NIGHT, tick=False):
        send(sent, [user])
    assert push_service.received == []
    client.force_login(user)
    with (
        time_machine.travel(NIGHT + datetime.timedelta(minutes=5), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        answer = client.patch(
            "/api/preferences/quiet-hours/", {"enabled": False}, content_type="application/json"
        )
    assert answer.status_code == 200
    assert len(push_service.payloads(device)) == 1


def test_new_quiet_hours_retime_the_held_pushes(db, sent, user, subscribed, push_service, client):
    subscribed(user)
    quiet(user)
    with time_machine.travel(NIGHT, tick=False):
        send(sent, [user])
    client.force_login(user)
    with time_machine.travel(NIGHT, tick=False):
        client.patch(
            "/api/preferences/quiet-hours/", {"end": "08:30"}, content_type="application/json"
        )
    later = MORNING + datetime.timedelta(minutes=90)
    assert PushDelivery.objects.get().next_attempt_at == later


def test_a_personal_message_left_unread_is_pushed_with_its_email_once(
    db, user, other_user, subscribed, push_service, settings, django_capture_on_commit_callbacks
):
    from instant import actions
    from instant.models import Privacy

    settings.INSTANT_EMAIL_DELAY_SECONDS = 300
    actions.set_privacy(other_user, Privacy.SITE)
    device = subscribed(other_user)
    conversation, _ = actions.start_conversation(user, [other_user.pk])
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        actions.send_message(user, conversation.pk, "Are you coming to the seminar?")
    with (
        time_machine.travel(start + datetime.timedelta(minutes=6), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert actions.email_unread_messages() == 1
        assert actions.email_unread_messages() == 0
    [payload] = push_service.payloads(device)
    assert payload["kind"] == "message"
    assert payload["url"].endswith(f"/messages/{conversation.pk}/")
    assert "Are you coming to the seminar?" in payload["body"]


def test_why_did_i_get_this_tells_each_push_and_its_rule(db, sent, user, subscribed, client):
    subscribed(user)
    PushSubscription.objects.update(user_agent="Firefox on Lee's laptop")
    result = send(sent, [user])
    client.force_login(user)
    page = client.get(f"/why/{result.event_id}/").content.decode()
    assert "Push to Firefox on Lee&#x27;s laptop" in page
    assert (
        "You have not chosen for this message: by default it comes as a push notification "
        "when logged off"
    ) in page


def test_a_push_a_dead_worker_left_sending_is_never_sent_twice(db, user, subscribed, push_service):
    from notifications.models import Event, MessageType

    subscription = PushSubscription.objects.get(endpoint=subscribed(user).endpoint)
    event = Event.objects.create(
        message_type=MessageType.objects.get(key=KEY), key=KEY, context=CONTEXT
    )
    start = timezone.now()
    PushDelivery.objects.create(
        event=event,
        user=user,
        subscription=subscription,
        status=Status.SENDING,
        attempts=1,
        claimed_at=start,
    )
    with time_machine.travel(start + datetime.timedelta(minutes=11), tick=False):
        result = jobs.run("webpush.send_due")
    assert result["interrupted"] == 1
    assert PushDelivery.objects.get().status == Status.UNKNOWN
    assert push_service.received == []


def test_a_vapid_key_that_is_not_one_keeps_the_pushes_waiting(
    db, sent, user, subscribed, push_service, settings
):
    from webpush.checks import vapid_keys_set

    subscribed(user)
    settings.VAPID_PRIVATE_KEY, settings.VAPID_PUBLIC_KEY = "not-a-key", ""
    assert [e.id for e in vapid_keys_set(None)] == ["webpush.E001"]
    send(sent, [user])
    delivery = PushDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == (Status.PENDING, 0)
    assert "VAPID_PRIVATE_KEY" in delivery.last_error
    assert push_service.received == []


def test_a_muted_course_is_not_pushed(db, sent, user, subscribed, push_service):
    from features.courses.factories import CourseFactory
    from notifications import muting

    device = subscribed(user)
    course = CourseFactory(full_name="Workplace safety")
    first = send(sent, [user], about=[course])
    assert len(push_service.payloads(device)) == 1
    muting.mute(user, muting.subject_key(course), event_id=first.event_id)
    send(sent, [user], about=[course])
    assert len(push_service.payloads(device)) == 1
    send(sent, [user], about=[CourseFactory()])  # another course still is
    assert len(push_service.payloads(device)) == 2


def test_a_forced_push_still_waits_for_quiet_hours(db, sent, user, subscribed, push_service):
    """Forced says whether a push goes, not when: like email, it waits for the morning."""
    subscribed(user)
    quiet(user)
    OutputSetting.objects.filter(message_type__key=KEY, output="push").update(permission="forced")
    with time_machine.travel(NIGHT, tick=False):
        send(sent, [user])
    assert push_service.received == []
    delivery = PushDelivery.objects.get()
    assert (delivery.why, delivery.held_until) == ("forced", MORNING)


def test_a_push_carries_mute_buttons_and_its_reader_can_mute_from_them(
    db, sent, user, subscribed, push_service, client
):
    # Pushed only (no alert, no email): the notification's button is how they mute.
    from urllib.parse import urlsplit

    from features.courses.factories import CourseFactory
    from notifications.models import Mute

    device = subscribed(user)
    course = CourseFactory(full_name="Workplace safety")
    result = send(sent, [user], about=[course], outputs=["push"])
    [button] = push_service.payloads(device)[0]["actions"]
    assert button["title"] == "Mute Workplace safety"
    link = urlsplit(button["url"])
    assert link.path == "/preferences/mute/" and f"event={result.event_id}" in link.query

    # In the reader's language.
    other = UserFactory(username="camille", language="fr")
    camille = subscribed(other)
    send(sent, [other], about=[course], outputs=["push"])
    [french] = push_service.payloads(camille)[0]["actions"]
    assert french["title"] == "Mettre Workplace safety en sourdine"

    client.force_login(user)
    page = client.get(f"{link.path}?{link.query}")
    assert page.status_code == 200 and "Mute Workplace safety?" in page.content.decode()
    answer = client.post(
        link.path, {"subject": f"courses.course:{course.pk}", "event": result.event_id}
    )
    assert answer.status_code == 302
    assert Mute.objects.get(user=user).label == "Workplace safety"
