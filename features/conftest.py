"""Set-up shared by the feature apps' tests."""

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english_between_tests():
    """Each test starts in the site's default language.

    The preferences middleware activates the requesting user's language for the thread and the
    test client runs requests in the test's own thread, so a French user's request would leave
    French active for the code the next test calls outside a request.
    """
    translation.activate("en")
    yield
    translation.activate("en")
