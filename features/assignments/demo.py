"""Demo: an assignment in "Workplace safety", submitted by Lee and graded by Tara."""

from features.assignments import actions
from features.assignments.models import Assignment, Submission
from features.courses.models import Course


def load(people) -> None:
    course = Course.objects.filter(short_name="SAFETY").first()
    if course is None:
        return
    assignment, _ = Assignment.objects.get_or_create(
        course=course,
        name="Hazard report",
        defaults={
            "description": "Walk around your workplace and report three hazards you find, "
            "with a photo or a document if you like.",
        },
    )
    if not Submission.objects.filter(assignment=assignment, learner=people["lee"]).exists():
        submission = actions.submit_assignment(
            assignment,
            people["lee"],
            "1. A cable across the corridor.\n2. A blocked fire exit.\n3. A wet floor, no sign.",
        )
        actions.grade_submission(submission, people["tara"], "9/10", "Well spotted, all three.")
