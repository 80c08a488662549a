"""Every feature's pages, flash messages and errors in the user's language (issue #14).

One main page per feature app is fetched by a French-speaking user: it shows the app's own
catalogue's French and none of the English it replaces. Then a few flash messages and errors
that views and actions return, in French too.
"""

import html
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.factories import AdminFactory, UserFactory
from features.assignments.factories import AssignmentFactory
from features.courses.factories import CourseFactory, EnrolmentFactory
from features.feedback.factories import FeedbackActivityFactory, FeedbackQuestionFactory
from features.job_assignments.factories import JobAssignmentFactory
from features.programs import actions as program_actions
from features.programs.factories import ProgramFactory
from features.programs.models import Program
from features.quizzes.factories import quiz_with_questions


def _course_page(user):
    course = CourseFactory()
    EnrolmentFactory(course=course, user=user)
    return reverse("courses:course", args=[course.pk])


def _assignment(user):
    assignment = AssignmentFactory()
    EnrolmentFactory(course=assignment.course, user=user)
    return reverse("assignments:assignment", args=[assignment.pk])


def _quiz(user):
    quiz, _choice, _essay = quiz_with_questions()
    EnrolmentFactory(course=quiz.course, user=user)
    return reverse("quizzes:quiz", args=[quiz.pk])


def _feedback(user):
    activity = FeedbackActivityFactory()
    FeedbackQuestionFactory(activity=activity)
    EnrolmentFactory(course=activity.course, user=user)
    return reverse("feedback:activity", args=[activity.pk])


def _certification(user):
    program = ProgramFactory(kind=Program.Kind.CERTIFICATION)
    program_actions.assign_users(program, [user])
    return reverse("programs:my")


def _audiences(user):
    from features.audiences.models import Audience

    Audience.objects.create(name="Everyone in Lyon")
    return "/admin/audiences/audience/"


def _job_assignment(user):
    assignment = JobAssignmentFactory(user=user, manager=UserFactory(full_name="Mia Manager"))
    return reverse("job_assignments:detail", args=[assignment.pk])


def _main(page: str) -> str:
    """The page's own content: the site's header and menu come from the project catalogue."""
    return page[page.index("<main") : page.index("</main>")]


# (app, page for the user, French shown, English that must be gone, whether the user is staff)
PAGES = [
    (
        "programs",
        lambda u: reverse("programs:my"),
        ["Ma formation", "Vous n'avez aucun programme"],
        ["My learning", "You have no programs"],
        False,
    ),
    (
        "certifications",
        _certification,
        ["Pas encore certifié.", "Certification"],
        ["Not certified yet."],
        False,
    ),
    (
        "courses",
        _course_page,
        ["Devoirs", "Aucun test.", "Formateurs"],
        ["Assignments", "No quizzes."],
        False,
    ),
    (
        "courses",
        lambda u: reverse("courses:mine"),
        ["Mes cours", "Demander un nouveau cours"],
        ["My courses", "Request a new course"],
        False,
    ),
    (
        "plans",
        lambda u: reverse("plans:list"),
        ["Plans de formation", "Créer un plan", "Vos plans"],
        ["Learning plans", "Create a plan"],
        False,
    ),
    (
        "seminars",
        lambda u: reverse("seminars:list"),
        ["Séminaires", "Il n'y a pas encore de séminaires."],
        ["Seminars", "There are no seminars yet."],
        False,
    ),
    (
        "seminars",
        lambda u: reverse("seminars:my-bookings"),
        ["Mes réservations de séminaires", "Parcourir les séminaires"],
        ["My seminar bookings"],
        False,
    ),
    (
        "quizzes",
        _quiz,
        ["Commencer une tentative", "Vos tentatives", "2 questions"],
        ["Start an attempt", "Your attempts"],
        False,
    ),
    (
        "assignments",
        _assignment,
        ["Rendre votre travail", "Fichiers (facultatif)", "Jusqu'à 2 fichiers, 1 Mo chacun"],
        ["Submit your work", "Files (optional)"],
        False,
    ),
    ("feedback", _feedback, ["Envoyer mon retour", "(obligatoire)"], ["Send my feedback"], False),
    (
        "forums",
        lambda u: reverse("forums:list"),
        ["Forums", "Aucun de vos cours n'a de forum."],
        ["None of your courses has a forum."],
        False,
    ),
    (
        "badges",
        lambda u: reverse("badges:mine"),
        ["Mes badges", "Vous n'avez encore obtenu aucun badge."],
        ["My badges", "You have not earned"],
        False,
    ),
    (
        "appraisals",
        lambda u: reverse("appraisals:list"),
        ["Évaluations", "Vous ne participez à aucune évaluation."],
        ["Appraisals", "You take part in no appraisal."],
        False,
    ),
    (
        "feedback360",
        lambda u: reverse("feedback360:list"),
        ["Feedback à 360°", "Demander un retour", "Personne ne vous a demandé de retour."],
        ["360 feedback", "Ask for feedback"],
        False,
    ),
    (
        "job_assignments",
        _job_assignment,
        ["Responsable temporaire", "Responsable", "Aucun"],
        ["Temporary manager", "None"],
        False,
    ),
    (
        "hr_import",
        lambda u: "/admin/hr_import/hrimportrun/add/",
        ["Fichier CSV", "Chaque ligne crée ou met à jour un utilisateur", 'value="Importer"'],
        ["CSV file", "Each row creates"],
        True,
    ),
    (
        "audiences",
        _audiences,
        ["Appliquer maintenant les règles des audiences dynamiques sélectionnées"],
        ["Apply the rules of the selected"],
        True,
    ),
    (
        "site_admin",
        lambda u: "/admin/site_admin/backuprun/",
        ["Réussie", "Échouée"],
        ["Succeeded"],
        True,
    ),
]


@pytest.mark.parametrize(
    ("app", "page", "french", "english", "staff"),
    PAGES,
    ids=[f"{p[0]}-{i}" for i, p in enumerate(PAGES)],
)
def test_the_page_is_in_french_for_a_french_speaking_user(
    db, client, app, page, french, english, staff
):
    user = (AdminFactory if staff else UserFactory)(language="fr")
    url = page(user)
    client.force_login(user)
    content = _main(client.get(url).content.decode())
    for text in french:
        assert text in content, (app, text)
    for text in english:
        assert text not in content, (app, text)


@pytest.fixture
def french(db, client):
    user = UserFactory(language="fr")
    client.force_login(user)
    return user


def test_a_flash_message_is_in_french(client, french):
    response = client.post(reverse("plans:new"), {"name": "Mon plan"}, follow=True)
    page = response.content.decode()
    assert "Votre plan est créé. Ajoutez ce que vous voulez apprendre." in page
    assert "Your plan is created" not in page


def test_a_form_error_is_in_french_with_a_400(client, french):
    program = ProgramFactory()
    program_actions.assign_users(program, [french], due_at=timezone.now() + timedelta(days=10))
    assignment = program.assignments.get()
    response = client.post(reverse("programs:extension", args=[assignment.pk]), {})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Saisissez la date souhaitée." in page
    assert "Enter the date you need." not in page
    assert "Demander une prolongation" in page


def test_an_action_error_is_in_french(client, french):
    program = ProgramFactory()
    program_actions.assign_users(program, [french], due_at=timezone.now() + timedelta(days=10))
    assignment = program.assignments.get()
    prefix = f"extension-{assignment.pk}"
    day = (timezone.now() + timedelta(days=5)).date().isoformat()
    response = client.post(
        reverse("programs:extension", args=[assignment.pk]), {f"{prefix}-date": day}
    )
    assert response.status_code == 400
    page = html.unescape(response.content.decode())
    assert "Choisissez une date postérieure à l'échéance actuelle" in page
    assert "une prolongation repousse l'échéance." in page


def test_a_forum_preference_message_is_in_french(client, french):
    from features.forums.models import Forum

    course = CourseFactory()
    EnrolmentFactory(course=course, user=french)
    forum = Forum.objects.create(course=course, name="Entraide")
    response = client.post(
        reverse("forums:mail-preference", args=[forum.pk]), {"mode": "digest"}, follow=True
    )
    assert "Vous recevrez un e-mail récapitulatif par jour" in response.content.decode()


def test_plural_forms_follow_the_language(client, french):
    course = CourseFactory()
    EnrolmentFactory(course=course, user=french)
    quiz, _choice, _essay = quiz_with_questions(course=course, time_limit_minutes=1)
    page = client.get(reverse("quizzes:quiz", args=[quiz.pk])).content.decode()
    assert "temps imparti 1 minute" in page and "1 tentative autorisée" in page
