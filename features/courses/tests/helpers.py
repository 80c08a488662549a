"""Test helpers shared by the course apps (courses, assignments, quizzes, badges, feedback).

Every message type is tested the same way: the real action sends it, the right people get it
(in their language), and each of the four ways to turn it off stops its email:

    @turned_off_ways
    def test_turning_it_off_stops_the_email(way, client, django_capture_on_commit_callbacks):
        assert_turning_off_stops_email(
            way, KEY, trainer, perform, client=client, capture=django_capture_on_commit_callbacks
        )
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core import mail

from notifications.catalogue import Permission
from notifications.flows import update_preferences
from notifications.models import MessageTemplate, MessageType, OutputSetting, SiteOutput

OFF_WAYS = ("site_output", "type_setting", "user_preference", "unsubscribe_link")

# Parametrizes a test over the four ways a type's email is turned off (argument `way`).
turned_off_ways = pytest.mark.parametrize("way", OFF_WAYS)


def emails(key: str, to=None) -> list:
    """The sent emails of this message type (to this user, if given)."""
    return [
        m
        for m in mail.outbox
        if m.extra_headers.get("X-Notification-Type") == key and (to is None or m.to == [to.email])
    ]


def addresses(key: str) -> list[str]:
    """Who got an email of this type, sorted: to check that nobody else did."""
    return sorted(m.to[0] for m in emails(key))


def french_template(key: str, subject: str, body: str = "Bonjour {{ recipient }}.") -> None:
    """An admin's French override of the type's templates."""
    MessageTemplate.objects.create(
        message_type=MessageType.objects.get(key=key), language="fr", subject=subject, body=body
    )


def unsubscribe_path(message) -> str:
    """The path of the one-click unsubscribe link in an email's List-Unsubscribe header."""
    url = message.extra_headers["List-Unsubscribe"].strip("<>")
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def turn_off(way: str, key: str, user, *, client=None, message=None) -> None:
    """Turns the email of `key` off for `user` in one of the four ways."""
    if way == "site_output":
        SiteOutput.objects.update_or_create(output="email", defaults={"enabled": False})
    elif way == "type_setting":
        OutputSetting.objects.filter(message_type__key=key, output="email").update(
            permission=Permission.DISALLOWED
        )
    elif way == "user_preference":
        update_preferences(
            user, [{"key": key, "output": "email", "logged_in": False, "logged_off": False}]
        )
    elif way == "unsubscribe_link":
        response = client.post(unsubscribe_path(message), {"List-Unsubscribe": "One-Click"})
        assert response.status_code == 200
    else:
        raise ValueError(f"unknown way {way!r}")


def assert_turning_off_stops_email(
    way: str, key: str, user, perform: Callable[[], object], *, client, capture
) -> None:
    """Checks that `perform()` emails `user` a `key` message, and stops once it is turned off.

    `perform` must make a fresh event each time it is called (new objects, or a new time), as
    it runs once before and once after the type is turned off.
    """
    with capture(execute=True):
        perform()
    sent = emails(key, user)
    assert len(sent) == 1, f"{key} was not emailed to {user} before it was turned off"
    turn_off(way, key, user, client=client, message=sent[0])
    mail.outbox.clear()
    with capture(execute=True):
        perform()
    assert emails(key, user) == [], f"{key} was still emailed after turning it off ({way})"
