import pytest

# The course apps' shared fixtures.
from features.courses.tests.fixtures import capture, course, learner, trainer  # noqa: F401


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploaded files go to a temporary MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
