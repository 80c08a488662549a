from features.plans.actions import complete_courses_done_elsewhere
from notifications.jobs import periodic


@periodic("plans.complete_courses", every_seconds=300)
def complete_courses():
    """Completes plan courses that their learners completed in the courses app."""
    return {"completed": complete_courses_done_elsewhere()}
