"""Assignments: submitting (text and files) and grading, and the emails they send."""

from __future__ import annotations

import os
import re
from decimal import Decimal

from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

import notifications
from features.assignments.models import Assignment, Submission, SubmissionFile
from features.courses import completion
from features.courses.models import Enrolment, trainers_of


class AssignmentError(ValueError):
    """A submission or grade that cannot be saved; `field` names the input that is wrong."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def check_files(assignment: Assignment, files) -> None:
    """Raises AssignmentError unless the files fit the assignment's count, size and type limits."""
    if len(files) > assignment.max_files:
        if assignment.max_files == 0:
            raise AssignmentError(_("This assignment accepts text only, no files."), "files")
        raise AssignmentError(
            _("Attach at most %(max_files)s files.") % {"max_files": assignment.max_files}, "files"
        )
    allowed = assignment.extensions
    for upload in files:
        extension = os.path.splitext(upload.name)[1].lower().lstrip(".")
        if allowed and extension not in allowed:
            raise AssignmentError(
                _("%(upload)s is not an accepted file type. Accepted: %(allowed)s.")
                % {"upload": upload.name, "allowed": ", ".join(allowed)},
                "files",
            )
        if upload.size > assignment.max_file_bytes:
            raise AssignmentError(
                _("%(upload)s is %(size)s; the limit is %(max_file_mb)s MB per file.")
                % {
                    "upload": upload.name,
                    "size": filesizeformat(upload.size),
                    "max_file_mb": assignment.max_file_mb,
                },
                "files",
            )


@transaction.atomic
def submit_assignment(assignment: Assignment, learner, text: str, files=()) -> Submission:
    """Saves the learner's submission (text and files) and tells the course's trainers.

    Raises AssignmentError, saving nothing, when the user is not an active learner of the
    course, has submitted already, sent neither text nor a file, or a file breaks a limit.
    """
    files = list(files)
    text = (text or "").strip()
    learners = Enrolment.objects.active().learners()
    if not learners.filter(course_id=assignment.course_id, user=learner).exists():
        raise AssignmentError(_("Only the course's learners can submit this assignment."))
    if Submission.objects.filter(assignment=assignment, learner=learner).exists():
        raise AssignmentError(_("You have submitted this assignment already."))
    if not text and not files:
        raise AssignmentError(_("Write your answer or attach a file."), "text")
    check_files(assignment, files)
    submission = Submission.objects.create(
        assignment=assignment, learner=learner, text=text, submitted_at=timezone.now()
    )
    for upload in files:
        SubmissionFile.objects.create(
            submission=submission, file=upload, name=os.path.basename(upload.name), size=upload.size
        )
    notifications.send(
        "assignments.submitted",
        trainers_of(assignment.course_id),
        context={
            "assignment": assignment.name,
            "course": assignment.course.full_name,
            "learner": learner.display_name,
            "submitted_at": submission.submitted_at,
        },
        sender=learner,
        url=submission.get_absolute_url(),
    )
    return submission


def can_grade(user, assignment: Assignment) -> bool:
    if user.is_staff:
        return True
    return (
        Enrolment.objects.active()
        .trainers()
        .filter(course_id=assignment.course_id, user=user)
        .exists()
    )


@transaction.atomic
def grade_submission(submission: Submission, trainer, grade: str, feedback: str = "") -> Submission:
    """Grades the learner's essay (their submission) and tells them. Grading again replaces the
    grade and tells them again.

    Raises AssignmentError when `trainer` does not teach the course or the grade is empty.
    """
    assignment = submission.assignment
    if not can_grade(trainer, assignment):
        raise AssignmentError(_("Only the course's trainers can grade this assignment."))
    grade = (grade or "").strip()
    if not grade:
        raise AssignmentError(_("Give a grade."), "grade")
    submission.grade = grade
    submission.feedback = (feedback or "").strip()
    submission.status = Submission.Status.GRADED
    submission.graded_by = trainer
    submission.graded_at = timezone.now()
    submission.save(update_fields=["grade", "feedback", "status", "graded_by", "graded_at"])
    notifications.send(
        "assignments.essay_graded",
        [submission.learner],
        context={
            "activity": assignment.name,
            "course": assignment.course.full_name,
            "grade": grade,
        },
        sender=trainer,
        url=assignment.get_absolute_url(),
        about=[assignment.course],
    )
    if passes(assignment, grade):
        completion.record(assignment, [submission.learner_id])
    return submission


_NUMBER = re.compile(r"^\s*(\d+(?:[.,]\d+)?)")


def passes(assignment: Assignment, grade: str) -> bool:
    """Whether `grade` passes: any grade when the assignment sets no grade to pass, else a
    grade that starts with a number at least that high ("72", "72%", "7.5/10" reads 7.5)."""
    if assignment.grade_to_pass is None:
        return bool(grade.strip())
    match = _NUMBER.match(grade)
    return bool(match) and Decimal(match.group(1).replace(",", ".")) >= assignment.grade_to_pass
