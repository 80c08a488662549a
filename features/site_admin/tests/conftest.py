import pytest
from django.core import mail

from accounts.factories import AdminFactory, UserFactory


@pytest.fixture
def admins(db):
    """Two active site admins; an inactive superuser and a learner who must never be told."""
    AdminFactory(username="retired", is_active=False)
    UserFactory(username="lee")
    return [AdminFactory(username="ada"), AdminFactory(username="alan")]


def emails(key: str, to=None) -> list:
    """The sent emails of this message type (to this user, if given)."""
    return [
        m
        for m in mail.outbox
        if m.extra_headers.get("X-Notification-Type") == key and (to is None or m.to == [to.email])
    ]


def told(key: str) -> list[str]:
    """Who got an email of this type, by user name, sorted."""
    return sorted(m.to[0].split("@")[0] for m in emails(key))
