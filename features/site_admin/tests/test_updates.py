from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from features.courses.tests.helpers import french_template
from features.site_admin import actions
from features.site_admin.updates import current_version, parse_version

from .conftest import emails, told
from .feed import serve_release_feed

KEY = "site_admin.available_updates"


@pytest.fixture
def feed(settings):
    with serve_release_feed(settings) as answer:
        yield answer


def check(capture):
    out = StringIO()
    with capture(execute=True):
        call_command("cron", "site_admin.check_updates", stdout=out)
    return out.getvalue()


def test_the_site_knows_its_own_version():
    assert parse_version(current_version()) >= (0, 1)


def test_versions_compare_as_numbers():
    assert parse_version("1.10.0") > parse_version("1.9.3")
    assert parse_version("v2.0") == parse_version("2.0.0") == (2,)
    with pytest.raises(ValueError):
        parse_version("2.0-beta")


def test_a_newer_release_is_announced_to_the_site_admins_once(
    admins, feed, django_capture_on_commit_callbacks
):
    feed({"version": "99.1.0", "url": "https://example.org/releases/99.1.0"})
    check(django_capture_on_commit_callbacks)
    check(django_capture_on_commit_callbacks)  # the daily check runs again: no repeat
    assert told(KEY) == ["ada", "alan"]
    message = emails(KEY)[0]
    assert message.subject == "Update available: 99.1.0"
    assert f"(this site runs {current_version()})" in message.body
    assert "Release notes: https://example.org/releases/99.1.0" in message.body

    feed({"version": "99.2.0"})
    check(django_capture_on_commit_callbacks)
    assert told(KEY) == ["ada", "ada", "alan", "alan"]
    assert emails(KEY)[-1].subject == "Update available: 99.2.0"


def test_an_update_reaches_each_admin_in_their_language(
    admins, feed, django_capture_on_commit_callbacks
):
    ada, alan = admins
    alan.language = "fr"
    alan.save()
    french_template(
        KEY,
        "Mise à jour disponible : {{ version }}",
        "Bonjour {{ recipient }}, la version {{ version }} remplace {{ current_version }}.",
    )
    feed({"version": "99.1.0", "url": "https://example.org/releases/99.1.0"})
    check(django_capture_on_commit_callbacks)
    [to_ada] = emails(KEY, ada)
    assert to_ada.subject == "Update available: 99.1.0"
    assert "A newer release, 99.1.0, is available for Learning platform" in to_ada.body
    [to_alan] = emails(KEY, alan)
    assert to_alan.subject == "Mise à jour disponible : 99.1.0"
    assert f"Bonjour Alan, la version 99.1.0 remplace {current_version()}." in to_alan.body
    assert "A newer release" not in to_alan.body


def test_the_same_or_an_older_release_sends_nothing(
    admins, feed, django_capture_on_commit_callbacks
):
    feed({"version": current_version()})
    assert actions.check_for_updates() == {
        "checked": True,
        "newer": False,
        "current": current_version(),
    }
    feed({"version": "0.0.9"})
    check(django_capture_on_commit_callbacks)
    assert mail.outbox == []


@pytest.mark.parametrize(
    "body, status",
    [
        (b"<html>not json</html>", 200),
        (b'{"version": "99.0.0"}', 500),
        (b'{"name": "no version"}', 200),
        (b'{"version": "soon"}', 200),
        (b'["99.0.0"]', 200),
        ("hang", 200),
    ],
    ids=["bad-json", "server-error", "no-version", "bad-version", "not-an-object", "timeout"],
)
def test_a_broken_feed_is_logged_and_sends_nothing(
    body, status, admins, feed, caplog, django_capture_on_commit_callbacks
):
    feed(body, status)
    result = actions.check_for_updates()
    assert result["checked"] is False
    check(django_capture_on_commit_callbacks)  # the job does not crash either
    assert mail.outbox == []
    assert any("update check failed" in r.getMessage() for r in caplog.records)


def test_a_missing_feed_or_one_that_is_not_http_checks_nothing(
    admins, settings, caplog, django_capture_on_commit_callbacks
):
    settings.SITE_ADMIN_RELEASE_FEED_URL = ""
    assert actions.check_for_updates()["checked"] is False
    settings.SITE_ADMIN_RELEASE_FEED_URL = "file:///etc/passwd"
    assert actions.check_for_updates()["checked"] is False
    assert "must be an http(s) address" in caplog.text
    assert mail.outbox == []
