from features.courses.tests.fixtures import capture, course, trainer  # noqa: F401 (shared fixtures)
