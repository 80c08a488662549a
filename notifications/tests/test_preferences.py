"""Messaging preferences: the page (without JavaScript), the API, sparse saving, locks."""

from notifications import catalogue
from notifications.models import OutputSetting, Preference, UserMessaging

KEY = "programs.due"


def test_the_page_shows_the_grid_grouped_by_feature_with_locks(client, user):
    client.force_login(user)
    page = client.get("/preferences/messaging/").content.decode()
    assert "<h2>Program management</h2>" in page
    assert f'name="{KEY}:email:logged_off" checked' in page
    assert f'name="{KEY}:web:logged_in" checked disabled' in page
    assert "Always sent: required by the site." in page


def test_the_page_saves_only_what_differs_from_the_default(client, user):
    client.force_login(user)
    form = {f"{KEY}:email:logged_in": "on"}  # on when logged in, off when logged off
    for row in client.get("/api/preferences/").json():
        if row["locked"] or (row["key"] == KEY and row["output"] == "email"):
            continue
        for state in ("logged_in", "logged_off"):
            if row[state]:
                form[f"{row['key']}:{row['output']}:{state}"] = "on"
    response = client.post("/preferences/messaging/", form)
    assert response.status_code == 302
    pref = Preference.objects.get(user=user)
    assert (pref.message_type.key, pref.output, pref.logged_in, pref.logged_off) == (
        KEY,
        "email",
        True,
        False,
    )
    form[f"{KEY}:email:logged_off"] = "on"
    form.pop(f"{KEY}:email:logged_in")
    client.post("/preferences/messaging/", form)
    assert not Preference.objects.exists()  # back to the default: nothing stored


def test_the_no_email_switch(client, user):
    client.force_login(user)
    client.post("/preferences/messaging/", {"email_off": "on"})
    assert UserMessaging.objects.get(user=user).email_off
    assert 'name="email_off" checked' in client.get("/preferences/messaging/").content.decode()


def test_the_api_lists_every_type_the_user_receives_and_output(client, user):
    client.force_login(user)
    rows = client.get("/api/preferences/").json()
    learners = {t.key for t in catalogue.all_types() if catalogue.Audience.LEARNER in t.audiences}
    assert (
        len(rows)
        == len(catalogue.OUTPUTS)
        * OutputSetting.objects.filter(message_type__key__in=learners)
        .values("message_type")
        .distinct()
        .count()
    )
    row = next(r for r in rows if r["key"] == KEY and r["output"] == "web")
    assert row == {
        "key": KEY,
        "output": "web",
        "logged_in": True,
        "logged_off": True,
        "locked": True,
        "reason": "Always sent: required by the site.",
        "keeps": "",
    }


def test_the_api_changes_preferences(client, user):
    client.force_login(user)
    change = [{"key": KEY, "output": "email", "logged_in": True, "logged_off": False}]
    response = client.patch("/api/preferences/", change, content_type="application/json")
    assert response.status_code == 200
    row = next(r for r in response.json() if r["key"] == KEY and r["output"] == "email")
    assert (row["logged_in"], row["logged_off"]) == (True, False)


def test_bad_changes_answer_400_naming_the_field_and_change_nothing(client, user):
    client.force_login(user)
    changes = [
        {"key": KEY, "output": "email", "logged_in": True, "logged_off": False},
        {"key": "nope.nothing", "output": "email", "logged_in": True, "logged_off": True},
        {"key": KEY, "output": "pigeon", "logged_in": True, "logged_off": True},
        {"key": KEY, "output": "email", "logged_in": "yes", "logged_off": True},
        {"key": KEY, "output": "web", "logged_in": False, "logged_off": False},
    ]
    response = client.patch("/api/preferences/", changes, content_type="application/json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == {"1", "2", "3", "4"}
    assert "key" in errors["1"] and "output" in errors["2"]
    assert "logged_in" in errors["3"] and "locked" in errors["4"]["output"]
    assert not Preference.objects.exists()
    bad = client.patch("/api/preferences/", {"key": KEY}, content_type="application/json")
    assert bad.status_code == 400


def test_the_api_needs_a_login(client, db):
    assert client.get("/api/preferences/").status_code in (401, 403)
    assert client.get("/api/counts/").status_code in (401, 403)


def test_the_schema_describes_the_api(client, user):
    client.force_login(user)
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    body = response.content.decode()
    for path in (
        "/api/counts/",
        "/api/alerts/",
        "/api/tasks/{task_id}/{action}",
        "/api/preferences/",
    ):
        assert path in body


def test_admins_see_output_settings_grouped_and_searchable(client, db):
    from accounts.factories import AdminFactory

    client.force_login(AdminFactory())
    page = client.get("/admin/notifications/messagetype/?q=extension").content.decode()
    assert "Program extension request" in page and "forced" in page
    assert "Program due" not in page
    grouped = client.get("/admin/notifications/messagetype/?feature_name=Seminar").content.decode()
    assert "seminars.booking_confirmation" in grouped and "programs.due" not in grouped
    setting = client.get("/admin/notifications/messagetype/1/change/")
    assert setting.status_code == 200 and "permission" in setting.content.decode()
    assert client.get("/admin/notifications/siteoutput/").status_code == 200
    assert client.get("/admin/notifications/emaildelivery/?status=sent").status_code == 200
