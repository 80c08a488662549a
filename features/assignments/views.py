"""Assignment pages: submit (learners), grade (trainers), and the files of a submission."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from features.assignments import actions
from features.assignments.forms import GradeForm, SubmissionForm
from features.assignments.models import Assignment, Submission, SubmissionFile
from features.courses.models import Enrolment


def _roles(user, course_id: int) -> set[str]:
    return set(
        Enrolment.objects.active()
        .filter(course_id=course_id, user=user)
        .values_list("role", flat=True)
    )


@login_required
def assignment_page(request, assignment_id: int):
    """Learners see their submission or the form to submit; trainers a link to grading."""
    assignment = get_object_or_404(Assignment.objects.select_related("course"), pk=assignment_id)
    roles = _roles(request.user, assignment.course_id)
    is_trainer = Enrolment.Role.TRAINER in roles or request.user.is_staff
    is_learner = Enrolment.Role.LEARNER in roles
    if not (is_trainer or is_learner):
        raise Http404("No such assignment.")
    submission = (
        Submission.objects.filter(assignment=assignment, learner=request.user)
        .prefetch_related("files")
        .first()
    )
    form = SubmissionForm(request.POST or None)
    files_error = None
    status = 200
    if request.method == "POST" and is_learner and submission is None:
        files = request.FILES.getlist("files")
        if form.is_valid():
            try:
                actions.submit_assignment(
                    assignment, request.user, form.cleaned_data["text"], files
                )
            except actions.AssignmentError as error:
                if error.field == "files":
                    files_error = str(error)
                else:
                    form.add_error(error.field if error.field in form.fields else None, str(error))
            else:
                messages.success(
                    request,
                    _("Your submission to %(assignment)s is saved.")
                    % {"assignment": assignment.name},
                )
                return redirect(assignment.get_absolute_url())
        status = 400
    return render(
        request,
        "assignments/assignment.html",
        {
            "assignment": assignment,
            "submission": submission,
            "form": form,
            "files_error": files_error,
            "is_trainer": is_trainer,
            "is_learner": is_learner,
        },
        status=status,
    )


@login_required
def grading_page(request, assignment_id: int):
    """A trainer's list of the submissions to grade. Constant queries for any number."""
    assignment = get_object_or_404(Assignment.objects.select_related("course"), pk=assignment_id)
    if not actions.can_grade(request.user, assignment):
        raise Http404("No such assignment.")
    submissions = assignment.submissions.select_related("learner").order_by(
        "status", "submitted_at"
    )
    return render(
        request,
        "assignments/grading.html",
        {"assignment": assignment, "submissions": submissions},
    )


@login_required
def submission_page(request, submission_id: int):
    """A trainer reads one submission and grades it."""
    submission = get_object_or_404(
        Submission.objects.select_related("assignment", "assignment__course", "learner"),
        pk=submission_id,
    )
    if not actions.can_grade(request.user, submission.assignment):
        raise Http404("No such submission.")
    initial = {"grade": submission.grade, "feedback": submission.feedback}
    form = GradeForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                actions.grade_submission(
                    submission,
                    request.user,
                    form.cleaned_data["grade"],
                    form.cleaned_data["feedback"],
                )
            except actions.AssignmentError as error:
                form.add_error(error.field if error.field in form.fields else None, str(error))
            else:
                messages.success(
                    request,
                    _("%(learner)s is graded and told.")
                    % {"learner": submission.learner.display_name},
                )
                return redirect("assignments:grading", submission.assignment_id)
        status = 400
    return render(
        request,
        "assignments/submission.html",
        {"submission": submission, "form": form, "files": submission.files.all()},
        status=status,
    )


@login_required
def download(request, file_id: int):
    """A submission's file, for its learner and the course's trainers; 404 for anyone else."""
    stored = get_object_or_404(
        SubmissionFile.objects.select_related("submission", "submission__assignment"), pk=file_id
    )
    submission = stored.submission
    if submission.learner_id != request.user.pk and not actions.can_grade(
        request.user, submission.assignment
    ):
        raise Http404("No such file.")
    return FileResponse(stored.file.open("rb"), as_attachment=True, filename=stored.name)
