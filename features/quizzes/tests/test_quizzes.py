"""Quiz attempts: submitting tells the learner and the trainers; an overdue attempt is warned."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from accounts.factories import UserFactory
from features.courses.factories import EnrolmentFactory
from features.courses.models import Enrolment
from features.courses.tests.helpers import (
    addresses,
    assert_turning_off_stops_email,
    emails,
    french_template,
    turned_off_ways,
)
from features.quizzes import actions
from features.quizzes.factories import quiz_with_questions
from features.quizzes.models import Answer, Attempt

CONFIRMATION = "quizzes.submission_confirmation"
NOTIFICATION = "quizzes.submission_notification"
OVERDUE = "quizzes.attempt_overdue"


@pytest.fixture
def quiz(course):
    quiz, choice_question, essay = quiz_with_questions(
        course=course, name="Safety signs", time_limit_minutes=30, grace_minutes=10
    )
    quiz.choice_question, quiz.essay = choice_question, essay
    return quiz


def red(quiz):
    return quiz.choice_question.choices.get(correct=True)


def answers(quiz, choice=None, essay="Clear exits."):
    return {quiz.choice_question.pk: str((choice or red(quiz)).pk), quiz.essay.pk: essay}


# Submitting


def test_a_learner_starts_answers_and_submits_and_everyone_concerned_is_told(
    client, quiz, trainer, learner, capture
):
    second = UserFactory(language="fr")
    EnrolmentFactory(course=quiz.course, user=second, role=Enrolment.Role.TRAINER)
    EnrolmentFactory(course=quiz.course)  # another learner: not told
    french_template(NOTIFICATION, "{{ learner }} a rendu {{ quiz }}")
    client.force_login(learner)
    response = client.post(f"/quizzes/{quiz.pk}/start/")
    attempt = Attempt.objects.get()
    assert response.url == attempt.get_absolute_url()
    assert attempt.deadline_at == attempt.started_at + timedelta(minutes=30)
    form = client.get(attempt.get_absolute_url()).content.decode()
    assert "Which sign means danger?" in form and 'name="action" value="submit"' in form

    fields = {f"q{k}": v for k, v in answers(quiz).items()}
    assert client.post(attempt.get_absolute_url(), {**fields, "action": "save"}).status_code == 302
    assert Answer.objects.filter(attempt=attempt).count() == 2
    with capture(execute=True):
        response = client.post(attempt.get_absolute_url(), {**fields, "action": "submit"})
    assert response.status_code == 302
    attempt.refresh_from_db()
    assert (attempt.state, attempt.score) == ("submitted", 1)

    assert addresses(CONFIRMATION) == [learner.email]
    [confirmation] = emails(CONFIRMATION)
    assert confirmation.subject == "Your attempt at Safety signs was submitted"
    assert "Thank you for submitting your answers to Safety signs in Workplace safety" in (
        confirmation.body
    )
    assert attempt.get_absolute_url() in confirmation.body
    assert addresses(NOTIFICATION) == sorted([trainer.email, second.email])
    [to_tara] = emails(NOTIFICATION, trainer)
    assert to_tara.subject == "Lee Learner submitted an attempt at Safety signs"
    assert emails(NOTIFICATION, second)[0].subject == "Lee Learner a rendu Safety signs"
    assert len(mail.outbox) == 3


def test_the_confirmation_arrives_in_french(quiz, learner, capture):
    learner.language = "fr"
    learner.save()
    french_template(CONFIRMATION, "Votre tentative au {{ quiz }} est envoyée")
    attempt = actions.start_attempt(quiz, learner)
    with capture(execute=True):
        actions.submit_attempt(attempt, learner, answers(quiz))
    assert emails(CONFIRMATION)[0].subject == "Votre tentative au Safety signs est envoyée"


def test_submitting_after_the_time_limit_is_refused_and_saved_answers_are_kept(
    client, quiz, trainer, learner, capture
):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        attempt = actions.start_attempt(quiz, learner)
        actions.save_answers(attempt, learner, {quiz.essay.pk: "Saved in time"})
    client.force_login(learner)
    late = start + timedelta(minutes=41)  # 30 minutes + 10 of grace, and one more
    with time_machine.travel(late, tick=False), capture(execute=True):
        fields = {f"q{k}": v for k, v in answers(quiz, essay="Too late").items()}
        response = client.post(attempt.get_absolute_url(), {**fields, "action": "submit"})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'role="alert"' in page and "The time limit of this attempt has passed" in page
    assert "The answers you saved before then are kept." in page
    attempt.refresh_from_db()
    assert attempt.state == "in_progress" and attempt.submitted_at is None
    assert [a.text for a in attempt.answers.all()] == ["Saved in time"]
    assert mail.outbox == []
    with time_machine.travel(late, tick=False), pytest.raises(actions.QuizError):
        actions.save_answers(attempt, learner, {quiz.essay.pk: "Still too late"})


def test_an_overdue_attempt_can_be_submitted_within_the_grace_period(quiz, learner, capture):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        attempt = actions.start_attempt(quiz, learner)
    with time_machine.travel(start + timedelta(minutes=35), tick=False), capture(execute=True):
        actions.submit_attempt(attempt, learner, answers(quiz))
    assert Attempt.objects.get().state == "submitted"
    assert addresses(CONFIRMATION) == [learner.email]


def test_an_answer_that_is_not_offered_is_refused_and_nothing_saved(quiz, learner):
    attempt = actions.start_attempt(quiz, learner)
    foreign = quiz_with_questions()[1].choices.first()
    with pytest.raises(actions.QuizError, match="Choose one of the answers"):
        actions.save_answers(attempt, learner, answers(quiz, choice=foreign))
    with pytest.raises(actions.QuizError, match="not in this quiz"):
        actions.save_answers(attempt, learner, {999999: "x"})
    assert not Answer.objects.exists()


def test_a_submitted_attempt_cannot_be_submitted_again(quiz, learner, capture):
    attempt = actions.start_attempt(quiz, learner)
    with capture(execute=True):
        actions.submit_attempt(attempt, learner, answers(quiz))
        with pytest.raises(actions.QuizError, match="submitted already"):
            actions.submit_attempt(attempt, learner, answers(quiz))
    assert len(emails(CONFIRMATION)) == 1


def test_attempts_are_limited_and_only_for_the_courses_learners(quiz, learner, trainer):
    with pytest.raises(actions.QuizError, match="learners"):
        actions.start_attempt(quiz, UserFactory())
    first = actions.start_attempt(quiz, learner)
    assert actions.start_attempt(quiz, learner) == first  # the open attempt, not a new one
    actions.submit_attempt(first, learner, answers(quiz))
    with pytest.raises(actions.QuizError, match="used all 1 attempt"):
        actions.start_attempt(quiz, learner)
    assert Attempt.objects.count() == 1


def test_others_cannot_see_or_change_an_attempt(client, quiz, learner, trainer):
    attempt = actions.start_attempt(quiz, learner)
    other = EnrolmentFactory(course=quiz.course).user
    client.force_login(other)
    assert client.get(attempt.get_absolute_url()).status_code == 404
    assert client.post(attempt.get_absolute_url(), {"action": "submit"}).status_code == 404
    with pytest.raises(actions.QuizError, match="not your attempt"):
        actions.submit_attempt(attempt, other, {})
    client.force_login(UserFactory())
    assert client.get(quiz.get_absolute_url()).status_code == 404
    client.force_login(trainer)
    assert client.get(attempt.get_absolute_url()).status_code == 200
    assert client.post(attempt.get_absolute_url(), {"action": "submit"}).status_code == 404
    assert Attempt.objects.get().state == "in_progress"


def test_the_trainers_quiz_page_lists_attempts_in_constant_queries(
    client, quiz, trainer, django_assert_num_queries
):
    def attempt_one():
        lee = EnrolmentFactory(course=quiz.course).user
        actions.start_attempt(quiz, lee)

    attempt_one()
    client.force_login(trainer)
    client.get(quiz.get_absolute_url())
    # session, user, counters (one query), quiz, roles, attempts with learners, question count
    with django_assert_num_queries(7):
        assert client.get(quiz.get_absolute_url()).status_code == 200
    for _ in range(3):
        attempt_one()
    with django_assert_num_queries(7):
        page = client.get(quiz.get_absolute_url()).content.decode()
    assert page.count("/quizzes/attempts/") == 4


@turned_off_ways
def test_turning_the_confirmation_off_stops_its_email(way, course, learner, client, capture):
    def perform():
        quiz, *_ = quiz_with_questions(course=course)
        actions.submit_attempt(actions.start_attempt(quiz, learner), learner)

    assert_turning_off_stops_email(
        way, CONFIRMATION, learner, perform, client=client, capture=capture
    )


@turned_off_ways
def test_turning_the_submission_notice_off_stops_its_email(
    way, course, trainer, learner, client, capture
):
    def perform():
        quiz, *_ = quiz_with_questions(course=course)
        actions.submit_attempt(actions.start_attempt(quiz, learner), learner)

    assert_turning_off_stops_email(
        way, NOTIFICATION, trainer, perform, client=client, capture=capture
    )


# Overdue attempts (scheduled)


def test_an_attempt_still_open_when_its_time_runs_out_is_warned_once(
    quiz, trainer, learner, capture
):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        attempt = actions.start_attempt(quiz, learner)
        done = EnrolmentFactory(course=quiz.course).user
        actions.submit_attempt(actions.start_attempt(quiz, done), done, answers(quiz))
    mail.outbox.clear()
    with time_machine.travel(start + timedelta(minutes=29), tick=False), capture(execute=True):
        assert actions.warn_overdue_attempts() == {"warned": 0, "closed": 0}
    with time_machine.travel(start + timedelta(minutes=31), tick=False), capture(execute=True):
        call_command("cron", "quizzes.overdue_attempts")
        call_command("cron", "quizzes.overdue_attempts")
    assert addresses(OVERDUE) == [learner.email]
    [message] = emails(OVERDUE)
    assert message.subject == "Your attempt at Safety signs is overdue"
    assert "The time limit of your attempt at Safety signs in Workplace safety" in message.body
    assert "You can still submit it until" in message.body
    assert attempt.get_absolute_url() in message.body
    assert Attempt.objects.get(pk=attempt.pk).state == "in_progress"
    # After the grace period the attempt is closed, its answers kept, and nobody warned again.
    with time_machine.travel(start + timedelta(minutes=45), tick=False), capture(execute=True):
        assert actions.warn_overdue_attempts() == {"warned": 0, "closed": 1}
    assert Attempt.objects.get(pk=attempt.pk).state == "abandoned"
    assert len(emails(OVERDUE)) == 1


def test_the_overdue_warning_arrives_in_french(quiz, learner, capture):
    learner.language = "fr"
    learner.save()
    french_template(OVERDUE, "Votre tentative au {{ quiz }} est en retard")
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        actions.start_attempt(quiz, learner)
    with time_machine.travel(start + timedelta(minutes=31), tick=False), capture(execute=True):
        actions.warn_overdue_attempts()
    assert emails(OVERDUE)[0].subject == "Votre tentative au Safety signs est en retard"


def test_an_untimed_quiz_is_never_overdue(course, learner, capture):
    quiz, *_ = quiz_with_questions(course=course, time_limit_minutes=None)
    actions.start_attempt(quiz, learner)
    with time_machine.travel(timezone.now() + timedelta(days=30)), capture(execute=True):
        assert actions.warn_overdue_attempts() == {"warned": 0, "closed": 0}
    assert mail.outbox == []


@turned_off_ways
def test_turning_the_overdue_warning_off_stops_its_email(way, course, learner, client, capture):
    def perform():
        quiz, *_ = quiz_with_questions(course=course, time_limit_minutes=1)
        attempt = actions.start_attempt(quiz, learner)
        actions.warn_overdue_attempts(now=attempt.deadline_at + timedelta(seconds=1))

    assert_turning_off_stops_email(way, OVERDUE, learner, perform, client=client, capture=capture)
