"""Quizzes: attempts (start, save, submit) and the emails they send; the overdue scan."""

from __future__ import annotations

import zoneinfo
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

import notifications
from features.courses import completion
from features.courses.models import Enrolment, trainers_of
from features.quizzes.models import Answer, Attempt, Question, Quiz


def _zone(name: str):
    try:
        return zoneinfo.ZoneInfo(name or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


class QuizError(ValueError):
    """An attempt change that cannot be made; the message says why. Nothing was changed."""


def is_trainer(user, quiz: Quiz) -> bool:
    if user.is_staff:
        return True
    return (
        Enrolment.objects.active().trainers().filter(course_id=quiz.course_id, user=user).exists()
    )


@transaction.atomic
def start_attempt(quiz: Quiz, learner, now=None) -> Attempt:
    """Starts an attempt, or returns the learner's attempt still in progress.

    Raises QuizError when the user is not an active learner of the course, or has used all
    the attempts allowed.
    """
    now = now or timezone.now()
    if not (
        Enrolment.objects.active(now)
        .learners()
        .filter(course_id=quiz.course_id, user=learner)
        .exists()
    ):
        raise QuizError(_("Only the course's learners can attempt this quiz."))
    attempts = list(Attempt.objects.select_for_update().filter(quiz=quiz, learner=learner))
    for attempt in attempts:
        if attempt.state == Attempt.State.IN_PROGRESS and not attempt.is_closed_at(now):
            return attempt
    if quiz.attempts_allowed and len(attempts) >= quiz.attempts_allowed:
        raise QuizError(
            _("You have used all %(attempts_allowed)s attempt(s) allowed at %(quiz)s.")
            % {"attempts_allowed": quiz.attempts_allowed, "quiz": quiz.name}
        )
    # An attempt whose time ran out while nobody looked is closed before a new one starts.
    Attempt.objects.filter(
        pk__in=[a.pk for a in attempts if a.state == Attempt.State.IN_PROGRESS]
    ).update(state=Attempt.State.ABANDONED)
    deadline = closes = None
    if quiz.time_limit_minutes:
        deadline = now + timedelta(minutes=quiz.time_limit_minutes)
        closes = deadline + timedelta(minutes=quiz.grace_minutes)
    return Attempt.objects.create(
        quiz=quiz, learner=learner, started_at=now, deadline_at=deadline, closes_at=closes
    )


def _open_attempt(attempt: Attempt, learner, now) -> Attempt:
    """The attempt, locked, if `learner` may still change it; raises QuizError otherwise."""
    attempt = Attempt.objects.select_for_update().select_related("quiz__course").get(pk=attempt.pk)
    if attempt.learner_id != learner.pk:
        raise QuizError(_("This is not your attempt."))
    if attempt.state == Attempt.State.SUBMITTED:
        raise QuizError(_("This attempt was submitted already."))
    if attempt.state == Attempt.State.ABANDONED or attempt.is_closed_at(now):
        zone = _zone(learner.timezone)
        closes = timezone.localtime(attempt.closes_at, zone).strftime("%d %B %Y, %H:%M %Z")
        raise QuizError(
            _(
                "The time limit of this attempt has passed (it closed at %(closes)s), so it "
                "can no longer be changed or submitted. The answers you saved before then are "
                "kept."
            )
            % {"closes": closes}
        )
    return attempt


def _save_answers(attempt: Attempt, answers: dict, now) -> None:
    """Validates every answer first, then writes them in bulk. `answers` maps question ids to
    a choice id (multiple choice) or text (essay); questions left out keep their answer."""
    questions = {
        q.pk: q
        for q in Question.objects.filter(quiz_id=attempt.quiz_id).prefetch_related("choices")
    }
    chosen: dict[int, tuple[int | None, str]] = {}
    for raw_id, value in answers.items():
        try:
            question = questions[int(raw_id)]
        except (KeyError, TypeError, ValueError):
            raise QuizError(
                _("Question %(raw_id)s is not in this quiz.") % {"raw_id": raw_id}
            ) from None
        value = "" if value is None else str(value).strip()
        if question.kind == Question.Kind.ESSAY:
            chosen[question.pk] = (None, value)
        elif not value:
            chosen[question.pk] = (None, "")
        else:
            valid = {str(c.pk): c.pk for c in question.choices.all()}
            if value not in valid:
                raise QuizError(
                    _("Choose one of the answers offered to question %(text)s.")
                    % {"text": repr(question.text)}
                )
            chosen[question.pk] = (valid[value], "")
    existing = {a.question_id: a for a in Answer.objects.filter(attempt=attempt)}
    changed, new = [], []
    for question_id, (choice_id, text) in chosen.items():
        answer = existing.get(question_id)
        if answer is None:
            new.append(
                Answer(
                    attempt=attempt,
                    question_id=question_id,
                    choice_id=choice_id,
                    text=text,
                    saved_at=now,
                )
            )
        else:
            answer.choice_id, answer.text, answer.saved_at = choice_id, text, now
            changed.append(answer)
    Answer.objects.bulk_create(new)
    Answer.objects.bulk_update(changed, ["choice_id", "text", "saved_at"])


@transaction.atomic
def save_answers(attempt: Attempt, learner, answers: dict, now=None) -> Attempt:
    """Saves answers without submitting. Raises QuizError (nothing saved) for someone else's,
    a submitted or a timed-out attempt, or an answer that is not one of the question's."""
    now = now or timezone.now()
    attempt = _open_attempt(attempt, learner, now)
    _save_answers(attempt, answers, now)
    return attempt


@transaction.atomic
def submit_attempt(attempt: Attempt, learner, answers: dict | None = None, now=None) -> Attempt:
    """Saves the last answers, submits the attempt, grades its multiple-choice questions, and
    tells the learner (confirmation) and the course's trainers (notification).

    Raises QuizError, changing nothing, as save_answers does: in particular after the
    attempt's time (and grace period) ran out; the answers saved before are kept.
    """
    now = now or timezone.now()
    attempt = _open_attempt(attempt, learner, now)
    if answers:
        _save_answers(attempt, answers, now)
    score = sum(
        a.question.marks
        for a in Answer.objects.filter(attempt=attempt, choice__correct=True).select_related(
            "question"
        )
    )
    attempt.state = Attempt.State.SUBMITTED
    attempt.submitted_at = now
    attempt.score = score
    attempt.save(update_fields=["state", "submitted_at", "score"])
    quiz = attempt.quiz
    context = {"quiz": quiz.name, "course": quiz.course.full_name, "submitted_at": now}
    notifications.send(
        "quizzes.submission_confirmation",
        [learner],
        context=context,
        url=attempt.get_absolute_url(),
        dedupe_key=f"quizzes:attempt:{attempt.pk}:submitted",
        about=[quiz.course],
    )
    notifications.send(
        "quizzes.submission_notification",
        trainers_of(quiz.course_id),
        context={**context, "learner": learner.display_name},
        sender=learner,
        url=attempt.get_absolute_url(),
        dedupe_key=f"quizzes:attempt:{attempt.pk}:submitted",
        about=[quiz.course],
    )
    if quiz.pass_mark is None or score >= quiz.pass_mark:
        completion.record(quiz, [learner.pk], now=now)
    return attempt


def warn_overdue_attempts(now=None) -> dict[str, int]:
    """Scheduled: warns each learner whose attempt passed its time limit unsubmitted (once),
    then closes the attempts whose grace period is over too (their saved answers are kept).

    Idempotent: an attempt is warned once (overdue_notified_at and the dedupe key).
    """
    now = now or timezone.now()
    overdue = list(
        Attempt.objects.filter(
            state=Attempt.State.IN_PROGRESS,
            deadline_at__lte=now,
            overdue_notified_at__isnull=True,
        ).select_related("quiz__course", "learner")
    )
    for attempt in overdue:
        with transaction.atomic():
            notifications.send(
                "quizzes.attempt_overdue",
                [attempt.learner],
                context={
                    "quiz": attempt.quiz.name,
                    "course": attempt.quiz.course.full_name,
                    "submit_by": attempt.closes_at if attempt.closes_at > now else None,
                },
                url=attempt.get_absolute_url(),
                dedupe_key=f"quizzes:attempt:{attempt.pk}:overdue",
                about=[attempt.quiz.course],
            )
            Attempt.objects.filter(pk=attempt.pk).update(overdue_notified_at=now)
    closed = Attempt.objects.filter(
        state=Attempt.State.IN_PROGRESS, closes_at__lt=now, overdue_notified_at__isnull=False
    ).update(state=Attempt.State.ABANDONED)
    return {"warned": len(overdue), "closed": closed}
