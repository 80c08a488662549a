"""Subscribing and unsubscribing browsers through the JSON API, the service worker, the keys,
and push on the preferences page."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from notifications.models import OutputSetting, Preference
from webpush import keys
from webpush.models import PushSubscription

URL = "/api/push/subscriptions/"


@pytest.fixture
def device(push_service):
    return push_service.new_device()


def post(client, body):
    return client.post(URL, body, content_type="application/json")


def test_a_browser_subscribes_and_unsubscribes(client, user, device):
    client.force_login(user)
    answer = client.post(
        URL, device.as_json(), content_type="application/json", HTTP_USER_AGENT="Firefox 140"
    )
    assert answer.status_code == 201, answer.json()
    subscription = PushSubscription.objects.get()
    assert (subscription.user, subscription.endpoint, subscription.user_agent) == (
        user,
        device.endpoint,
        "Firefox 140",
    )
    assert post(client, device.as_json()).status_code == 200  # again: the same row
    assert PushSubscription.objects.count() == 1
    assert [s["endpoint"] for s in client.get(URL).json()] == [device.endpoint]
    answer = client.delete(URL, {"endpoint": device.endpoint}, content_type="application/json")
    assert answer.status_code == 204
    assert not PushSubscription.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda s: s.pop("keys"), "keys"),
        (lambda s: s["keys"].pop("auth"), "keys.auth"),
        (lambda s: s["keys"].update(p256dh="not-a-key"), "keys.p256dh"),
        (lambda s: s["keys"].update(p256dh="BA" + "A" * 85), "keys.p256dh"),  # off the curve
        (lambda s: s["keys"].update(auth="c2hvcnQ"), "keys.auth"),
        (lambda s: s.update(endpoint="ftp://push.example.com/x"), "endpoint"),
        (lambda s: s.pop("endpoint"), "endpoint"),
    ],
)
def test_bad_input_is_refused_with_the_reason_and_nothing_is_saved(
    client, user, device, change, field
):
    client.force_login(user)
    body = device.as_json()
    change(body)
    answer = post(client, body)
    assert answer.status_code == 400
    assert field in answer.json()["errors"]
    assert not PushSubscription.objects.exists()


def test_a_plain_http_endpoint_is_refused_in_production(client, user, device, settings):
    settings.WEBPUSH_ALLOW_HTTP = False
    client.force_login(user)
    answer = post(client, device.as_json())
    assert answer.status_code == 400
    assert answer.json()["errors"] == {"endpoint": "Must be an https URL."}


def test_a_user_sees_and_deletes_only_their_own_subscriptions(
    client, user, other_user, device, push_service
):
    theirs = PushSubscription.objects.create(
        user=other_user, endpoint=push_service.new_device().endpoint, p256dh="x", auth="y"
    )
    client.force_login(user)
    assert post(client, device.as_json()).status_code == 201
    assert [s["endpoint"] for s in client.get(URL).json()] == [device.endpoint]
    assert client.delete(f"{URL}{theirs.pk}/").status_code == 404
    answer = client.delete(URL, {"endpoint": theirs.endpoint}, content_type="application/json")
    assert answer.status_code == 404
    assert PushSubscription.objects.filter(pk=theirs.pk).exists()
    mine = PushSubscription.objects.get(user=user)
    assert client.delete(f"{URL}{mine.pk}/").status_code == 204


def test_a_browser_subscribed_by_someone_else_now_belongs_to_who_subscribed_last(
    client, user, other_user, device
):
    client.force_login(other_user)
    assert post(client, device.as_json()).status_code == 201
    client.force_login(user)
    assert post(client, device.as_json()).status_code == 200
    assert PushSubscription.objects.get().user == user


def test_the_api_needs_a_logged_in_user(db, client, device):
    assert post(client, device.as_json()).status_code in (401, 403)
    assert not PushSubscription.objects.exists()


def test_the_key_browsers_subscribe_with(client, user):
    client.force_login(user)
    answer = client.get("/api/push/key/").json()
    assert answer == {"available": True, "public_key": keys.public_key()}
    assert len(keys.b64url_decode(answer["public_key"])) == 65


def test_without_keys_in_production_push_says_it_is_unavailable(client, user, device, settings):
    settings.VAPID_PRIVATE_KEY = settings.VAPID_PUBLIC_KEY = ""
    settings.DEBUG = False
    client.force_login(user)
    assert client.get("/api/push/key/").json() == {"available": False, "public_key": None}
    assert post(client, device.as_json()).status_code == 503
    from webpush.checks import vapid_keys_set

    assert [w.id for w in vapid_keys_set(None)] == ["webpush.W001"]


def test_development_makes_a_key_pair_once_and_keeps_it(settings, tmp_path):
    settings.VAPID_PRIVATE_KEY = settings.VAPID_PUBLIC_KEY = ""
    settings.DEBUG = True
    settings.VAR_DIR = tmp_path
    first = keys.public_key()
    assert first and keys.public_key() == first
    assert (tmp_path / keys.KEY_FILE).stat().st_mode & 0o777 == 0o600


def test_the_vapid_keys_command_prints_a_pair_that_signs(settings):
    out = StringIO()
    call_command("vapid_keys", stdout=out)
    lines = dict(line.split("=", 1) for line in out.getvalue().splitlines()[:2])
    settings.VAPID_PRIVATE_KEY = lines["VAPID_PRIVATE_KEY"]
    settings.VAPID_PUBLIC_KEY = lines["VAPID_PUBLIC_KEY"]
    assert keys.public_key() == lines["VAPID_PUBLIC_KEY"]


def test_the_service_worker_is_served_from_the_root(client):
    answer = client.get("/sw.js")
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("application/javascript")
    assert answer["Service-Worker-Allowed"] == "/"
    script = answer.content.decode()
    assert 'addEventListener("push"' in script and 'addEventListener("notificationclick"' in script


def test_the_preferences_page_has_push_columns_and_the_device_section(client, user):
    client.force_login(user)
    page = client.get("/preferences/messaging/").content.decode()
    assert "Push notifications</th>" in page
    assert 'name="programs.due:push:logged_off" checked' in page
    assert "Notifications on this device" in page and "data-push-subscribe" in page


def test_the_preferences_form_and_api_change_push_choices(client, user):
    client.force_login(user)
    answer = client.patch(
        "/api/preferences/",
        [{"key": "programs.due", "output": "push", "logged_in": True, "logged_off": True}],
        content_type="application/json",
    )
    assert answer.status_code == 200, answer.json()
    row = next(r for r in answer.json() if (r["key"], r["output"]) == ("programs.due", "push"))
    assert (row["logged_in"], row["logged_off"], row["locked"]) == (True, True, False)
    assert Preference.objects.get(user=user, output="push").logged_in


def test_a_forced_push_is_locked_on_the_page(client, user):
    OutputSetting.objects.filter(message_type__key="programs.due", output="push").update(
        permission="forced"
    )
    client.force_login(user)
    rows = client.get("/api/preferences/").json()
    row = next(r for r in rows if (r["key"], r["output"]) == ("programs.due", "push"))
    assert row["locked"] and row["reason"] == "Always sent: required by the site."


def test_all_on_for_a_feature_switches_its_push_choices(client, user):
    client.force_login(user)
    answer = client.post("/preferences/messaging/switch/", {"switch": "programs:push:on"})
    assert answer.status_code == 302
    assert Preference.objects.filter(user=user, output="push", logged_in=True).exists()


RENEW = "/api/push/subscriptions/renew/"


def renewal(old, new) -> dict:
    return {
        "old": {"endpoint": old.endpoint, "auth": old.as_json()["keys"]["auth"]},
        "subscription": new.as_json(),
    }


def test_the_browsers_new_subscription_takes_the_old_ones_place(user, device, push_service):
    subscribed = Client()
    subscribed.force_login(user)
    assert post(subscribed, device.as_json()).status_code == 201
    row = PushSubscription.objects.get()
    # The service worker calls without cookies (and so without a CSRF token).
    worker = Client(enforce_csrf_checks=True)
    fresh = push_service.new_device()
    answer = worker.post(RENEW, renewal(device, fresh), content_type="application/json")
    assert answer.status_code == 204, answer.content
    renewed = PushSubscription.objects.get()
    assert (renewed.pk, renewed.user, renewed.endpoint) == (row.pk, user, fresh.endpoint)
    assert renewed.info() == {"endpoint": fresh.endpoint, "keys": fresh.as_json()["keys"]}


def test_a_renewal_needs_the_old_subscriptions_secret(client, user, device, push_service):
    client.force_login(user)
    post(client, device.as_json())
    client.logout()
    fresh, stranger = push_service.new_device(), push_service.new_device()
    wrong_secret = renewal(device, fresh)
    wrong_secret["old"]["auth"] = stranger.as_json()["keys"]["auth"]
    for body, status in [
        (wrong_secret, 404),
        (renewal(stranger, fresh), 404),  # not stored
        ({"subscription": fresh.as_json()}, 400),
        (renewal(device, fresh) | {"subscription": {"endpoint": fresh.endpoint}}, 400),
        ([], 400),
    ]:
        answer = client.post(RENEW, body, content_type="application/json")
        assert answer.status_code == status, (body, answer.content)
        if status == 400:
            assert answer.json()["errors"]
    assert list(PushSubscription.objects.values_list("endpoint", flat=True)) == [device.endpoint]


def test_a_renewal_to_an_endpoint_stored_already_leaves_one_row(client, user, device, push_service):
    client.force_login(user)
    fresh = push_service.new_device()
    post(client, device.as_json())
    post(client, fresh.as_json())  # the page stored the new one first
    answer = client.post(RENEW, renewal(device, fresh), content_type="application/json")
    assert answer.status_code == 204
    assert list(PushSubscription.objects.values_list("endpoint", flat=True)) == [fresh.endpoint]
