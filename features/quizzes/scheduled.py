from features.quizzes.actions import warn_overdue_attempts
from notifications.jobs import periodic


@periodic("quizzes.overdue_attempts", every_seconds=60)
def overdue_attempts():
    """Warns learners whose timed attempt became overdue; closes those past their grace."""
    return warn_overdue_attempts()
