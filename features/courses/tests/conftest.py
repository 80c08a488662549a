import pytest


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    """Runs on-commit callbacks (the email tasks) so mail.outbox is filled."""
    return django_capture_on_commit_callbacks
