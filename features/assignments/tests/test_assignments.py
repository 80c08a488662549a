"""Submitting an assignment (text and files) tells the trainers; grading it tells the learner."""

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.factories import UserFactory
from features.assignments import actions
from features.assignments.factories import AssignmentFactory
from features.assignments.models import Submission, SubmissionFile
from features.courses.factories import EnrolmentFactory
from features.courses.models import Enrolment
from features.courses.tests.helpers import (
    addresses,
    assert_turning_off_stops_email,
    emails,
    french_template,
    turned_off_ways,
)

SUBMITTED = "assignments.submitted"
GRADED = "assignments.essay_graded"


@pytest.fixture
def assignment(course):
    return AssignmentFactory(course=course, name="Hazard report", max_files=2, max_file_mb=1)


def pdf(name="report.pdf", size=100):
    return SimpleUploadedFile(name, b"%" * size, content_type="application/pdf")


# Submitting


def test_a_learner_submits_text_and_a_file_and_the_trainers_are_told(
    client, assignment, trainer, learner, capture, media_root
):
    second = UserFactory(full_name="Théo Formateur", language="fr")
    EnrolmentFactory(course=assignment.course, user=second, role=Enrolment.Role.TRAINER)
    EnrolmentFactory(role=Enrolment.Role.TRAINER)  # another course's trainer
    french_template(SUBMITTED, "{{ learner }} a rendu {{ assignment }}")
    client.force_login(learner)
    with capture(execute=True):
        response = client.post(
            assignment.get_absolute_url(), {"text": "The stairs are unsafe.", "files": [pdf()]}
        )
    assert response.status_code == 302
    submission = Submission.objects.get()
    assert (submission.learner, submission.text) == (learner, "The stairs are unsafe.")
    stored = submission.files.get()
    assert (stored.name, stored.size) == ("report.pdf", 100)
    assert (media_root / stored.file.name).exists()
    assert addresses(SUBMITTED) == sorted([trainer.email, second.email])
    [to_tara] = emails(SUBMITTED, trainer)
    assert to_tara.subject == "Lee Learner submitted Hazard report"
    assert "Lee Learner has submitted the assignment Hazard report in Workplace safety" in (
        to_tara.body
    )
    assert f"/assignments/submissions/{submission.pk}/" in to_tara.body
    assert emails(SUBMITTED, second)[0].subject == "Lee Learner a rendu Hazard report"
    page = client.get(assignment.get_absolute_url()).content.decode()
    assert "Your submission" in page and "report.pdf" in page


@pytest.mark.parametrize(
    "upload, problem",
    [
        (lambda: [pdf("virus.exe")], "virus.exe is not an accepted file type. Accepted: pdf, txt."),
        (lambda: [pdf(size=1024 * 1024 + 1)], "the limit is 1 MB per file"),
        (lambda: [pdf("a.pdf"), pdf("b.pdf"), pdf("c.pdf")], "Attach at most 2 files."),
    ],
    ids=["type", "size", "count"],
)
def test_a_bad_file_is_refused_keeping_the_text_and_saving_nothing(
    client, assignment, trainer, learner, capture, media_root, upload, problem
):
    client.force_login(learner)
    with capture(execute=True):
        response = client.post(
            assignment.get_absolute_url(), {"text": "My careful answer", "files": upload()}
        )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'role="alert"' in page and problem in page
    assert "My careful answer</textarea>" in page
    assert not Submission.objects.exists() and not SubmissionFile.objects.exists()
    assert not media_root.exists() or not any(media_root.rglob("*.*"))
    assert mail.outbox == []


def test_an_empty_submission_is_refused(client, assignment, learner):
    client.force_login(learner)
    response = client.post(assignment.get_absolute_url(), {"text": "  "})
    assert response.status_code == 400
    assert "Write your answer or attach a file." in response.content.decode()
    assert not Submission.objects.exists()


def test_a_learner_submits_once(assignment, learner, capture):
    actions.submit_assignment(assignment, learner, "First")
    with pytest.raises(actions.AssignmentError, match="already"):
        actions.submit_assignment(assignment, learner, "Second")
    assert Submission.objects.get().text == "First"


def test_only_the_courses_learners_can_submit_or_see_it(client, assignment, trainer):
    outsider = UserFactory()
    with pytest.raises(actions.AssignmentError):
        actions.submit_assignment(assignment, outsider, "Hello")
    with pytest.raises(actions.AssignmentError):
        actions.submit_assignment(assignment, trainer, "Hello")
    client.force_login(outsider)
    assert client.get(assignment.get_absolute_url()).status_code == 404
    assert client.post(assignment.get_absolute_url(), {"text": "x"}).status_code == 404
    assert not Submission.objects.exists()


@turned_off_ways
def test_turning_the_submission_notice_off_stops_its_email(
    way, course, trainer, learner, client, capture
):
    def perform():
        actions.submit_assignment(AssignmentFactory(course=course), learner, "Done")

    assert_turning_off_stops_email(way, SUBMITTED, trainer, perform, client=client, capture=capture)


# Grading


def test_the_grading_page_lists_submissions_in_constant_queries(
    client, assignment, trainer, django_assert_num_queries
):
    def submit_one():
        lee = UserFactory()
        EnrolmentFactory(course=assignment.course, user=lee)
        actions.submit_assignment(assignment, lee, "An answer")

    submit_one()
    client.force_login(trainer)
    url = f"/assignments/{assignment.pk}/grading/"
    client.get(url)
    # session, user, counters (one query), assignment, trainer check, submissions with learners
    with django_assert_num_queries(6):
        assert client.get(url).status_code == 200
    for _ in range(3):
        submit_one()
    with django_assert_num_queries(6):
        page = client.get(url).content.decode()
    assert page.count("/assignments/submissions/") == 4


def test_a_trainer_grades_the_essay_and_the_learner_is_told(
    client, assignment, trainer, learner, capture
):
    submission = actions.submit_assignment(assignment, learner, "The stairs are unsafe.")
    mail.outbox.clear()
    client.force_login(trainer)
    page = client.get(submission.get_absolute_url()).content.decode()
    assert "The stairs are unsafe." in page
    with capture(execute=True):
        response = client.post(
            submission.get_absolute_url(), {"grade": "8/10", "feedback": "Well spotted."}
        )
    assert response.status_code == 302
    submission.refresh_from_db()
    assert (submission.status, submission.grade, submission.graded_by) == (
        "graded",
        "8/10",
        trainer,
    )
    assert addresses(GRADED) == [learner.email]
    [message] = emails(GRADED)
    assert message.subject == "Your essay in Hazard report has been graded"
    assert "in Hazard report (Workplace safety) has been graded by Tara Trainer." in message.body
    assert "Grade: 8/10" in message.body
    assert assignment.get_absolute_url() in message.body
    client.force_login(learner)
    page = client.get(assignment.get_absolute_url()).content.decode()
    assert "Grade: 8/10" in page and "Well spotted." in page


def test_the_grade_email_arrives_in_french(assignment, trainer, learner, capture):
    learner.language = "fr"
    learner.save()
    french_template(GRADED, "Votre devoir {{ activity }} est noté", "Note : {{ grade }}")
    submission = actions.submit_assignment(assignment, learner, "Answer")
    with capture(execute=True):
        actions.grade_submission(submission, trainer, "B")
    [message] = emails(GRADED)
    assert message.subject == "Votre devoir Hazard report est noté"
    assert "Note : B" in message.body


def test_an_empty_grade_is_refused_and_nothing_is_sent(
    client, assignment, trainer, learner, capture
):
    submission = actions.submit_assignment(assignment, learner, "Answer")
    mail.outbox.clear()
    client.force_login(trainer)
    with capture(execute=True):
        response = client.post(submission.get_absolute_url(), {"grade": " "})
    assert response.status_code == 400 and 'role="alert"' in response.content.decode()
    assert Submission.objects.get().status == "submitted"
    assert mail.outbox == []


def test_only_the_courses_trainers_grade(client, assignment, learner):
    submission = actions.submit_assignment(assignment, learner, "Answer")
    other_trainer = EnrolmentFactory(role=Enrolment.Role.TRAINER).user
    with pytest.raises(actions.AssignmentError):
        actions.grade_submission(submission, other_trainer, "A")
    for user in (other_trainer, learner):
        client.force_login(user)
        assert client.get(submission.get_absolute_url()).status_code == 404
        assert client.post(submission.get_absolute_url(), {"grade": "A"}).status_code == 404
        assert client.get(f"/assignments/{assignment.pk}/grading/").status_code == 404
    assert Submission.objects.get().grade == ""


def test_a_file_is_served_to_its_learner_and_the_trainers_only(
    client, assignment, trainer, learner
):
    submission = actions.submit_assignment(assignment, learner, "", [pdf()])
    url = submission.files.get().get_absolute_url()
    for user in (learner, trainer):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == b"%" * 100
        assert 'filename="report.pdf"' in response["Content-Disposition"]
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404


@turned_off_ways
def test_turning_the_grade_notice_off_stops_its_email(
    way, course, trainer, learner, client, capture
):
    def perform():
        submission = actions.submit_assignment(AssignmentFactory(course=course), learner, "x")
        actions.grade_submission(submission, trainer, "Pass")

    assert_turning_off_stops_email(way, GRADED, learner, perform, client=client, capture=capture)
