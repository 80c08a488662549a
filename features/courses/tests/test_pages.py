"""The course page, self enrolment from it, my courses, and course completion."""

import pytest

from accounts.factories import UserFactory
from features.assignments.factories import AssignmentFactory
from features.courses import actions
from features.courses.factories import CourseFactory, EnrolmentFactory
from features.courses.models import Enrolment, EnrolmentMethod
from features.feedback.factories import FeedbackActivityFactory
from features.quizzes.factories import QuizFactory


def add_activities(course, count):
    for _ in range(count):
        AssignmentFactory(course=course)
        QuizFactory(course=course)
        FeedbackActivityFactory(course=course)


def test_a_learner_sees_the_courses_activities(client, course):
    lee = EnrolmentFactory(course=course).user
    EnrolmentFactory(
        course=course, role=Enrolment.Role.TRAINER, user=UserFactory(full_name="Tara Trainer")
    )
    assignment = AssignmentFactory(course=course, name="Hazard report")
    quiz = QuizFactory(course=course, name="Safety signs")
    feedback = FeedbackActivityFactory(course=course, name="How was it?")
    AssignmentFactory(name="Elsewhere")
    client.force_login(lee)
    page = client.get(f"/courses/{course.pk}/").content.decode()
    for text in (
        "Workplace safety",
        "Hazard report",
        "Safety signs",
        "How was it?",
        "Tara Trainer",
    ):
        assert text in page
    for url in (
        assignment.get_absolute_url(),
        quiz.get_absolute_url(),
        feedback.get_absolute_url(),
    ):
        assert f'href="{url}"' in page
    assert "Elsewhere" not in page
    assert "Enrol me" not in page
    assert f'href="/people/{course.pk}/"' in page  # the People block


def test_the_course_page_costs_the_same_queries_however_many_activities(
    client, course, django_assert_num_queries
):
    lee = EnrolmentFactory(course=course).user
    client.force_login(lee)
    add_activities(course, 1)
    client.get(f"/courses/{course.pk}/")  # warm the session and counters
    # session, user, counters (one query), course, roles, self method, assignments, quizzes,
    # feedback, trainers, forums
    with django_assert_num_queries(11):
        assert client.get(f"/courses/{course.pk}/").status_code == 200
    add_activities(course, 4)
    with django_assert_num_queries(11):
        assert client.get(f"/courses/{course.pk}/").status_code == 200


def test_an_outsider_gets_404_unless_self_enrolment_is_open(client, course):
    client.force_login(UserFactory())
    assert client.get(f"/courses/{course.pk}/").status_code == 404
    assert client.get("/courses/9999/").status_code == 404
    EnrolmentMethod.objects.create(course=course, method="self", enrolment_days=30)
    page = client.get(f"/courses/{course.pk}/").content.decode()
    assert "Enrol me" in page and "for 30 days" in page
    assert "Assignments" not in page


def test_a_user_enrols_themselves_from_the_course_page(client, course):
    EnrolmentMethod.objects.create(course=course, method="self")
    sam = UserFactory()
    client.force_login(sam)
    response = client.post(f"/courses/{course.pk}/enrol/", follow=True)
    assert response.status_code == 200
    assert "You are enrolled in Workplace safety." in response.content.decode()
    enrolment = Enrolment.objects.get(user=sam)
    assert (enrolment.method, enrolment.role) == ("self", "learner")
    assert "Enrol me" not in response.content.decode()


def test_self_enrolment_closed_answers_404_and_enrols_nobody(client, course):
    EnrolmentMethod.objects.create(course=course, method="self", enabled=False)
    sam = UserFactory()
    client.force_login(sam)
    assert client.post(f"/courses/{course.pk}/enrol/").status_code == 404
    assert not Enrolment.objects.filter(user=sam).exists()


def test_enrolling_twice_is_refused_with_a_message(client, course):
    EnrolmentMethod.objects.create(course=course, method="self")
    lee = EnrolmentFactory(course=course).user
    client.force_login(lee)
    response = client.post(f"/courses/{course.pk}/enrol/", follow=True)
    assert "already enrolled" in response.content.decode()
    assert Enrolment.objects.filter(user=lee).count() == 1


def test_my_courses_lists_my_active_enrolments(client, course, django_assert_num_queries):
    lee = EnrolmentFactory(course=course).user
    EnrolmentFactory(user=lee, course=CourseFactory(full_name="Fire drill"))
    EnrolmentFactory(course=CourseFactory(full_name="Not mine"))
    client.force_login(lee)
    client.get("/courses/")
    with django_assert_num_queries(
        4
    ):  # session, user, counters (one query), enrolments with courses
        page = client.get("/courses/").content.decode()
    assert "Workplace safety" in page and "Fire drill" in page and "Not mine" not in page


def test_completing_a_course_records_it_once(course):
    enrolment = EnrolmentFactory(course=course)
    actions.complete_course(enrolment)
    first = Enrolment.objects.get(pk=enrolment.pk).completed_at
    assert first is not None
    actions.complete_course(enrolment)
    assert Enrolment.objects.get(pk=enrolment.pk).completed_at == first
    trainer = EnrolmentFactory(course=course, role=Enrolment.Role.TRAINER)
    with pytest.raises(actions.CourseError):
        actions.complete_course(trainer)


def test_pages_need_a_login(client, course):
    for url in ("/courses/", f"/courses/{course.pk}/", "/courses/request/"):
        assert client.get(url).status_code == 302
