from features.courses.tests.conftest import capture  # noqa: F401 (the on-commit fixture)
