from io import StringIO

from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from accounts.factories import AdminFactory


def test_the_dashboard_asks_for_a_login(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_a_user_logs_in_and_sees_the_blocks(client, user):
    response = client.post(reverse("login"), {"username": "lee", "password": "password"})
    assert response.status_code == 302
    page = client.get("/").content.decode()
    for block in ("alerts", "tasks", "messages"):
        assert f'id="{block}-heading"' in page
    assert "/preferences/messaging/" in page


def test_a_wrong_password_is_refused_with_a_message(client, user):
    response = client.post(reverse("login"), {"username": "lee", "password": "nope"})
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()


def test_the_admin_serves_users_and_job_assignments(client, db):
    client.force_login(AdminFactory())
    for url in ("/admin/", "/admin/accounts/user/", "/admin/job_assignments/jobassignment/"):
        assert client.get(url).status_code == 200, url


def test_the_demo_loads_once(db):
    out = StringIO()
    call_command("demo", stdout=out)
    assert "Demo site loaded." in out.getvalue()
    from django.contrib.auth import get_user_model

    count = get_user_model().objects.count()
    out = StringIO()
    call_command("demo", stdout=out)
    assert "already loaded" in out.getvalue()
    assert get_user_model().objects.count() == count


def test_health_answers(client, db):
    assert client.get("/health/").json() == {"status": "ok"}


def test_every_section_in_the_header_opens(client, user):
    client.force_login(user)
    page = client.get("/").content.decode()
    for url in (
        "/programs/my/",
        "/seminars/",
        "/plans/",
        "/appraisals/",
        "/feedback360/",
        "/forums/",
    ):
        assert f'href="{url}"' in page
        assert client.get(url).status_code == 200, url


def test_a_form_from_an_expired_page_is_refused_plainly_and_changes_nothing(db, user):
    client = Client(enforce_csrf_checks=True)
    client.get(reverse("login"))  # the login form sets the CSRF cookie
    client.cookies["csrftoken"] = "x" * 32  # then the user logs in or out elsewhere
    response = client.post(
        reverse("login"),
        {"username": "lee", "password": "password", "csrfmiddlewaretoken": "y" * 32},
        HTTP_REFERER="http://testserver/login/",
    )
    assert response.status_code == 403
    page = response.content.decode()
    assert "This page has expired" in page and "Nothing was changed" in page
    assert 'href="http://testserver/login/"' in page
    assert "_auth_user_id" not in client.session


def test_an_expired_page_links_back_only_to_this_site(db, user):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {}, HTTP_REFERER="https://evil.example/")
    assert response.status_code == 403
    assert "evil.example" not in response.content.decode()


def test_an_expired_htmx_form_gets_the_sentence_to_show(db, user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post("/alerts/read", {"ids": "1"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/plain")
    assert response.content.decode().startswith("This page has expired")


def test_a_stale_login_form_of_someone_logged_in_goes_to_the_dashboard(db, user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post(reverse("login"), {"username": "lee", "password": "password"})
    assert response.status_code == 302
    assert response.url == reverse("dashboard")
