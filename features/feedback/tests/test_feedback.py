"""Course feedback: responses notify trainers and feedback admins; reminders reach those who
have not answered, by a trainer's hand (email) or on a schedule (alert)."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from accounts.factories import AdminFactory, UserFactory
from alerts.models import Alert
from features.courses.factories import EnrolmentFactory
from features.courses.tests.helpers import (
    addresses,
    assert_turning_off_stops_email,
    emails,
    french_template,
    turned_off_ways,
)
from features.feedback import actions
from features.feedback.factories import FeedbackActivityFactory, FeedbackQuestionFactory
from features.feedback.models import FeedbackQuestion, FeedbackResponse

SUBMISSION = "feedback.submission_notice"
NON_RESPONDENT = "feedback.non_respondent_reminder"
COMPLETION = "feedback.completion_reminder"


def make_activity(course, **values):
    activity = FeedbackActivityFactory(course=course, **values)
    rating = FeedbackQuestionFactory(activity=activity, text="How useful was it?", position=1)
    comment = FeedbackQuestionFactory(
        activity=activity,
        text="Anything to add?",
        kind=FeedbackQuestion.Kind.TEXT,
        required=False,
        position=2,
    )
    activity.rating, activity.comment = rating, comment
    return activity


@pytest.fixture
def activity(course):
    return make_activity(course, name="Safety feedback", notify_submissions=True)


def good_answers(activity):
    return {activity.rating.pk: "4", activity.comment.pk: "More examples please"}


# Submissions


def test_a_response_tells_the_trainers_and_the_feedback_administrators(
    client, activity, trainer, learner, capture
):
    chloe = UserFactory(full_name="Chloé Admin", language="fr")
    activity.administrators.add(chloe, trainer)  # a trainer who is also an admin: told once
    EnrolmentFactory(course=activity.course)  # another learner: not told
    french_template(SUBMISSION, "Nouvelle réponse à {{ feedback }} de {{ respondent }}")
    client.force_login(learner)
    page = client.get(activity.get_absolute_url()).content.decode()
    assert "How useful was it? (required)" in page
    with capture(execute=True):
        response = client.post(
            activity.get_absolute_url(),
            {f"q{activity.rating.pk}": "4", f"q{activity.comment.pk}": "More examples"},
        )
    assert response.status_code == 302
    saved = FeedbackResponse.objects.get()
    assert sorted(saved.answers.values_list("value", flat=True)) == ["4", "More examples"]
    assert addresses(SUBMISSION) == sorted([trainer.email, chloe.email])
    [to_tara] = emails(SUBMISSION, trainer)
    assert to_tara.subject == "New response to Safety feedback"
    assert "Lee Learner has submitted a response to the feedback Safety feedback in" in (
        to_tara.body
    )
    assert f"/feedback/{activity.pk}/responses/" in to_tara.body
    assert emails(SUBMISSION, chloe)[0].subject == (
        "Nouvelle réponse à Safety feedback de Lee Learner"
    )
    assert "You answered this feedback" in client.get(activity.get_absolute_url()).content.decode()


def test_an_anonymous_response_does_not_name_the_learner(activity, trainer, learner, capture):
    activity.anonymous = True
    activity.save()
    with capture(execute=True):
        actions.submit_feedback(activity, learner, good_answers(activity))
    [message] = emails(SUBMISSION)
    assert "Someone has anonymously submitted a response" in message.body
    assert "Lee" not in message.body


def test_no_notice_unless_the_activity_asks_for_it(course, trainer, learner, capture):
    quiet = make_activity(course, notify_submissions=False)
    with capture(execute=True):
        actions.submit_feedback(quiet, learner, good_answers(quiet))
    assert FeedbackResponse.objects.count() == 1
    assert mail.outbox == []


def test_a_missing_or_bad_answer_is_refused_keeping_what_was_typed(
    client, activity, trainer, learner, capture
):
    client.force_login(learner)
    with capture(execute=True):
        response = client.post(
            activity.get_absolute_url(),
            {f"q{activity.rating.pk}": "", f"q{activity.comment.pk}": "Kept text"},
        )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'role="alert"' in page and "Answer the question: How useful was it?" in page
    assert "Kept text</textarea>" in page
    with pytest.raises(actions.FeedbackError, match="Rate from 1 to 5"):
        actions.submit_feedback(activity, learner, {activity.rating.pk: "9"})
    assert not FeedbackResponse.objects.exists()
    assert mail.outbox == []


def test_a_learner_answers_once_and_only_while_it_is_open(course, activity, learner):
    actions.submit_feedback(activity, learner, good_answers(activity))
    with pytest.raises(actions.FeedbackError, match="already"):
        actions.submit_feedback(activity, learner, good_answers(activity))
    closed = make_activity(course, closes_at=timezone.now() - timedelta(days=1))
    with pytest.raises(actions.FeedbackError, match="not open"):
        actions.submit_feedback(closed, learner, good_answers(closed))
    with pytest.raises(actions.FeedbackError, match="learners"):
        actions.submit_feedback(activity, UserFactory(), good_answers(activity))
    assert FeedbackResponse.objects.count() == 1


@turned_off_ways
def test_turning_the_submission_notice_off_stops_its_email(
    way, course, trainer, learner, client, capture
):
    def perform():
        activity = make_activity(course, notify_submissions=True)
        actions.submit_feedback(activity, learner, good_answers(activity))

    assert_turning_off_stops_email(
        way, SUBMISSION, trainer, perform, client=client, capture=capture
    )


# Responses page


def test_the_responses_page_costs_the_same_queries_however_many_responses(
    client, activity, trainer, django_assert_num_queries
):
    def respond():
        lee = EnrolmentFactory(course=activity.course).user
        actions.submit_feedback(activity, lee, good_answers(activity))

    respond()
    client.force_login(trainer)
    url = f"/feedback/{activity.pk}/responses/"
    client.get(url)
    # session, user, counters (one query), activity, trainer check, responses, answers, questions
    with django_assert_num_queries(8):
        assert client.get(url).status_code == 200
    for _ in range(3):
        respond()
    with django_assert_num_queries(8):
        page = client.get(url).content.decode()
    assert page.count("More examples please") == 4


def test_responses_are_for_trainers_and_feedback_admins_and_hide_names_when_anonymous(
    client, activity, learner
):
    activity.anonymous = True
    activity.save()
    actions.submit_feedback(activity, learner, good_answers(activity))
    url = f"/feedback/{activity.pk}/responses/"
    client.force_login(learner)
    assert client.get(url).status_code == 404
    client.force_login(UserFactory())
    assert client.get(activity.get_absolute_url()).status_code == 404
    admin = UserFactory()
    activity.administrators.add(admin)
    client.force_login(admin)
    page = client.get(url).content.decode()
    assert "Anonymous response" in page and "Lee Learner" not in page


# A trainer reminds non-respondents (email)


def test_a_trainer_reminds_those_who_have_not_answered(client, activity, trainer, capture):
    answered = EnrolmentFactory(course=activity.course).user
    actions.submit_feedback(activity, answered, good_answers(activity))
    waiting = EnrolmentFactory(course=activity.course, user=UserFactory(full_name="Sam")).user
    french = EnrolmentFactory(course=activity.course, user=UserFactory(language="fr")).user
    EnrolmentFactory(course=activity.course, ends_at=timezone.now() - timedelta(days=1))
    french_template(NON_RESPONDENT, "Rappel : {{ feedback }}", "{{ message }}")
    mail.outbox.clear()
    client.force_login(trainer)
    page = client.get(activity.get_absolute_url()).content.decode()
    assert "1 response, 2 learners yet to answer" in page
    with capture(execute=True):
        response = client.post(
            f"/feedback/{activity.pk}/remind/", {"message": "Please answer by Friday."}, follow=True
        )
    assert "2 learner(s) reminded." in response.content.decode()
    assert addresses(NON_RESPONDENT) == sorted([waiting.email, french.email])
    [to_sam] = emails(NON_RESPONDENT, waiting)
    assert to_sam.subject == "Reminder: Safety feedback in Workplace safety"
    assert "Please answer by Friday." in to_sam.body
    [to_french] = emails(NON_RESPONDENT, french)
    assert to_french.subject == "Rappel : Safety feedback"


def test_the_default_reminder_text_is_used_without_a_message(activity, trainer, learner, capture):
    with capture(execute=True):
        assert actions.remind_non_respondents(activity, trainer) == 1
    assert (
        "You have not yet answered the feedback Safety feedback" in emails(NON_RESPONDENT)[0].body
    )


def test_reminding_is_refused_when_everyone_answered_or_for_non_trainers(
    client, activity, trainer, learner, capture
):
    admin = UserFactory()
    activity.administrators.add(admin)
    with pytest.raises(actions.FeedbackError, match="trainers"):
        actions.remind_non_respondents(activity, admin)
    client.force_login(learner)
    assert client.post(f"/feedback/{activity.pk}/remind/").status_code == 404
    actions.submit_feedback(activity, learner, good_answers(activity))
    client.force_login(trainer)
    with capture(execute=True):
        response = client.post(f"/feedback/{activity.pk}/remind/", follow=True)
    assert "Every learner has answered; nobody was reminded." in response.content.decode()
    assert emails(NON_RESPONDENT) == []


@turned_off_ways
def test_turning_the_trainers_reminder_off_stops_its_email(
    way, course, trainer, learner, client, capture
):
    def perform():
        actions.remind_non_respondents(make_activity(course), trainer)

    assert_turning_off_stops_email(
        way, NON_RESPONDENT, learner, perform, client=client, capture=capture
    )


# Completion reminders (alert), on a schedule and on demand


def test_learners_are_reminded_to_complete_it_days_after_it_opens_once(
    course, activity, trainer, learner, capture
):
    opened = timezone.now()
    activity.opens_at = opened
    activity.remind_after_days = 3
    activity.closes_at = opened + timedelta(days=10)
    activity.save()
    answered = EnrolmentFactory(course=course).user
    actions.submit_feedback(activity, answered, good_answers(activity))
    mail.outbox.clear()
    with time_machine.travel(opened + timedelta(days=2), tick=False), capture(execute=True):
        assert actions.send_due_completion_reminders() == {"reminded": 0}
    with time_machine.travel(opened + timedelta(days=3, hours=1), tick=False):
        with capture(execute=True):
            call_command("cron", "feedback.completion_reminders")
            call_command("cron", "feedback.completion_reminders")
        late = EnrolmentFactory(course=course).user  # enrolled later: reminded at the next run
        with capture(execute=True):
            assert actions.send_due_completion_reminders() == {"reminded": 1}
    alerts = Alert.objects.filter(key=COMPLETION)
    assert sorted(alerts.values_list("recipient", "kind")) == sorted(
        [(learner.pk, "alert"), (late.pk, "alert")]
    )
    assert addresses(COMPLETION) == sorted([learner.email, late.email])
    [to_lee] = emails(COMPLETION, learner)
    assert to_lee.subject == "Please complete the feedback Safety feedback"
    assert "You have not yet completed the feedback Safety feedback in Workplace safety" in (
        to_lee.body
    )
    assert "The feedback closes on" in to_lee.body


def test_no_scheduled_reminder_after_it_closes(course, learner, capture):
    make_activity(
        course,
        opens_at=timezone.now() - timedelta(days=10),
        closes_at=timezone.now() - timedelta(days=1),
        remind_after_days=1,
    )
    with capture(execute=True):
        assert actions.send_due_completion_reminders() == {"reminded": 0}
    assert not Alert.objects.exists()


def test_an_admin_sends_the_completion_reminder_on_demand_in_french(
    client, activity, learner, capture
):
    learner.language = "fr"
    learner.save()
    french_template(COMPLETION, "Merci de compléter {{ feedback }}")
    client.force_login(AdminFactory())
    with capture(execute=True):
        for _ in range(2):  # on demand, it goes again each time
            response = client.post(
                "/admin/feedback/feedbackactivity/",
                {"action": "send_completion_reminder", "_selected_action": [activity.pk]},
            )
            assert response.status_code == 302
    assert Alert.objects.filter(key=COMPLETION, recipient=learner).count() == 2
    assert [m.subject for m in emails(COMPLETION)] == ["Merci de compléter Safety feedback"] * 2


@turned_off_ways
def test_turning_the_completion_reminder_off_stops_its_email(way, course, learner, client, capture):
    def perform():
        make_activity(course, opens_at=timezone.now() - timedelta(days=2), remind_after_days=1)
        actions.send_due_completion_reminders()

    assert_turning_off_stops_email(
        way, COMPLETION, learner, perform, client=client, capture=capture
    )
