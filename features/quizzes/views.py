"""Quiz pages: the quiz (start, see attempts) and an attempt (answer, submit, review)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from features.courses.models import Enrolment
from features.quizzes import actions
from features.quizzes.models import Attempt, Question, Quiz


@login_required
def quiz_page(request, quiz_id: int):
    """Learners see their attempts and a start button; trainers every learner's attempts."""
    quiz = get_object_or_404(Quiz.objects.select_related("course"), pk=quiz_id)
    roles = set(
        Enrolment.objects.active()
        .filter(course_id=quiz.course_id, user=request.user)
        .values_list("role", flat=True)
    )
    is_trainer = Enrolment.Role.TRAINER in roles or request.user.is_staff
    is_learner = Enrolment.Role.LEARNER in roles
    if not (is_trainer or is_learner):
        raise Http404("No such quiz.")
    attempts = quiz.attempts.select_related("learner")
    if not is_trainer:
        attempts = attempts.filter(learner=request.user)
    attempts = list(attempts)
    now = timezone.now()
    mine = [a for a in attempts if a.learner_id == request.user.pk]
    open_attempt = next(
        (a for a in mine if a.state == Attempt.State.IN_PROGRESS and not a.is_closed_at(now)),
        None,
    )
    used = len(mine)
    can_start = (
        is_learner
        and open_attempt is None
        and (not quiz.attempts_allowed or used < quiz.attempts_allowed)
    )
    return render(
        request,
        "quizzes/quiz.html",
        {
            "quiz": quiz,
            "attempts": attempts,
            "is_trainer": is_trainer,
            "is_learner": is_learner,
            "open_attempt": open_attempt,
            "can_start": can_start,
            "question_count": quiz.questions.count(),
        },
    )


@login_required
@require_POST
def start(request, quiz_id: int):
    quiz = get_object_or_404(Quiz, pk=quiz_id)
    try:
        attempt = actions.start_attempt(quiz, request.user)
    except actions.QuizError as error:
        messages.error(request, str(error))
        return redirect(quiz.get_absolute_url())
    return redirect(attempt.get_absolute_url())


def _posted_answers(request, questions) -> dict:
    return {q.pk: request.POST.get(f"q{q.pk}", "") for q in questions}


@login_required
def attempt_page(request, attempt_id: int):
    """The learner answers (Save or Submit) while the attempt is open, and reviews it after;
    the course's trainers review it. 404 for anyone else."""
    attempt = get_object_or_404(
        Attempt.objects.select_related("quiz", "quiz__course", "learner"), pk=attempt_id
    )
    own = attempt.learner_id == request.user.pk
    if not own and not actions.is_trainer(request.user, attempt.quiz):
        raise Http404("No such attempt.")
    questions = list(Question.objects.filter(quiz=attempt.quiz_id).prefetch_related("choices"))
    error = None
    status = 200
    if request.method == "POST":
        if not own:
            raise Http404("No such attempt.")
        answers = _posted_answers(request, questions)
        try:
            if request.POST.get("action") == "submit":
                actions.submit_attempt(attempt, request.user, answers)
                messages.success(
                    request, _("Your attempt is submitted. A confirmation is on its way.")
                )
            else:
                actions.save_answers(attempt, request.user, answers)
                messages.success(request, _("Your answers are saved."))
        except actions.QuizError as problem:
            error, status = str(problem), 400
        else:
            return redirect(attempt.get_absolute_url())
    answers = {a.question_id: a for a in attempt.answers.select_related("choice")}
    items = [{"question": q, "answer": answers.get(q.pk)} for q in questions]
    now = timezone.now()
    editable = own and attempt.state == Attempt.State.IN_PROGRESS and not attempt.is_closed_at(now)
    return render(
        request,
        "quizzes/attempt.html",
        {
            "attempt": attempt,
            "items": items,
            "editable": editable,
            "overdue": attempt.deadline_at is not None and now > attempt.deadline_at,
            "error": error,
            "max_score": sum(q.marks for q in questions if q.kind == Question.Kind.MULTIPLE_CHOICE),
        },
        status=status,
    )
