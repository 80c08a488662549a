"""Every link a message carries opens for each of its recipients.

A pytest plugin: after each passing test of a feature (features/*/tests and instant/tests,
where messages are sent by the actions people take), every event the test sent with a link on
this site is opened as each of its recipients (inbox or email) and as nobody. A recipient must
get the page (after any redirect), never a 403, a 404 or the login page; nobody gets the page
or the login page.

Each key sent is recorded; with LINKS_COVERAGE=1 (`make test`) the run fails when a message type
of the catalogue was never sent by a feature's test, so every type's link is walked.

Tests elsewhere that send through the actions people take opt in with `@pytest.mark.links`.
A test that takes away what its messages link to (deletes the plan, removes the responder) says
so with `@pytest.mark.links_gone("why")`, and its links are not walked.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest

_DIR_VARIABLE = "LINKS_RECORD_DIR"


class LinkProblem(AssertionError):
    pass


def _checked(item) -> bool:
    if item.get_closest_marker("links_gone"):
        return False
    if item.get_closest_marker("browser"):
        return False
    uses_db = {"db", "transactional_db"} & set(item.fixturenames)
    if not uses_db and item.get_closest_marker("django_db") is None:
        return False
    if item.get_closest_marker("links"):
        return True
    parts = Path(str(item.path)).parts
    return "tests" in parts and bool({"features", "instant"} & set(parts))


def check_links() -> set[str]:
    """Opens each event's link as each recipient; returns the keys sent. Raises LinkProblem."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.shortcuts import resolve_url
    from django.test import Client

    from alerts.models import Alert
    from notifications.models import EmailDelivery, Event

    if connection.needs_rollback:
        return set()
    events = {pk: (key, url) for pk, key, url in Event.objects.values_list("pk", "key", "url")}
    if not events:
        return set()
    recipients: dict[int, set[int]] = {}
    for model, column in ((Alert, "recipient_id"), (EmailDelivery, "user_id")):
        for event_id, user_id in model.objects.filter(event_id__in=events).values_list(
            "event_id", column
        ):
            recipients.setdefault(event_id, set()).add(user_id)
    users = get_user_model().objects.in_bulk({u for ids in recipients.values() for u in ids})
    from django.urls import reverse

    # The site's login page, or the admin's for the admin's pages.
    login = (urlsplit(resolve_url(settings.LOGIN_URL)).path, reverse("admin:login"))
    problems, seen, clients = [], set(), {}
    for event_id, (key, url) in sorted(events.items()):
        if not url or not url.startswith("/") or url.startswith("//"):
            continue
        for user_id in sorted(recipients.get(event_id, ())):
            if (url, user_id) in seen or user_id not in users or not users[user_id].is_active:
                continue
            seen.add((url, user_id))
            client = clients.get(user_id)
            if client is None:
                client = clients[user_id] = Client()
                client.force_login(users[user_id])
            response = client.get(url, follow=True)
            landed = (
                urlsplit(response.redirect_chain[-1][0]).path if response.redirect_chain else url
            )
            if response.status_code != 200 or landed.startswith(login):
                problems.append(
                    f"{key}: {url} answers {response.status_code}"
                    f"{' (the login page)' if landed.startswith(login) else ''} "
                    f"to its recipient {users[user_id].username}"
                )
        if (url, None) not in seen:
            seen.add((url, None))
            response = Client().get(url)
            to_login = response.status_code == 302 and urlsplit(response.url).path.startswith(login)
            if response.status_code != 200 and not to_login:
                problems.append(f"{key}: {url} answers {response.status_code} when logged out")
    if problems:
        raise LinkProblem("Links that do not open:\n" + "\n".join(problems))
    return {key for key, _ in events.values()}


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "links_gone(reason): the test takes away what its messages link to"
    )
    config.addinivalue_line("markers", "links: walk the links of what this test sends")
    if not hasattr(config, "workerinput") and _DIR_VARIABLE not in os.environ:
        # Before the xdist workers start: they inherit it and write their records there.
        os.environ[_DIR_VARIABLE] = tempfile.mkdtemp(prefix="links-")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    result = yield  # the test passed: its data is still there, before any fixture's teardown
    if _checked(item):
        keys = check_links()
        if keys:
            worker = getattr(item.config, "workerinput", {}).get("workerid", "main")
            record = Path(os.environ[_DIR_VARIABLE]) / f"{worker}.jsonl"
            with record.open("a") as f:
                f.write(json.dumps(sorted(keys)) + "\n")
    return result


def pytest_sessionfinish(session, exitstatus):
    if hasattr(session.config, "workerinput") or os.environ.get("LINKS_COVERAGE") != "1":
        return
    from notifications import catalogue

    sent = set()
    for record in Path(os.environ[_DIR_VARIABLE]).glob("*.jsonl"):
        for line in record.read_text().splitlines():
            sent.update(json.loads(line))
    missing = sorted(t.key for t in catalogue.all_types() if t.key not in sent)
    if missing:
        print(f"\nNo feature test sent these types, so their links were not walked: {missing}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
