from features.programs.tests.conftest import people  # noqa: F401  (shared fixture)
