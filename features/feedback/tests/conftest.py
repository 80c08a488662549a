# The course apps' shared fixtures.
from features.courses.tests.fixtures import capture, course, learner, trainer  # noqa: F401
