"""Appraisal pages and admin: who sees what, answering from the page, closing, activation."""

from alerts.models import Alert
from features.appraisals import actions
from features.appraisals.factories import AppraisalFactory, StageFactory
from features.appraisals.models import Answer, Appraisal, Role


def test_each_participant_sees_the_current_stage_and_answers_their_part(client, appraisal, people):
    actions.activate_appraisal(appraisal, people["admin"])
    url = f"/appraisals/{appraisal.pk}/"
    client.force_login(people["mia"])
    page = client.get(url).content.decode()
    assert "Self review" in page and "Current stage" in page
    assert 'name="answer"' not in page  # the first stage does not ask the manager
    client.force_login(people["lee"])
    page = client.get(url).content.decode()
    assert '<label for="answer-learner">' in page
    response = client.post(f"{url}complete/", {"role": "learner", "answer": "A good year."})
    assert response.status_code == 302 and response.url == url
    assert Answer.objects.get().text == "A good year."
    assert "Your part of this stage is complete." in client.get(url).content.decode()
    assert set(
        Alert.objects.filter(key="appraisals.stage_completion").values_list(
            "recipient__username", flat=True
        )
    ) == {"mia", "ada"}


def test_a_bad_answer_shows_the_error_and_keeps_the_text(client, appraisal, people):
    actions.activate_appraisal(appraisal, people["admin"])
    client.force_login(people["mia"])
    response = client.post(
        f"/appraisals/{appraisal.pk}/complete/", {"role": "manager", "answer": "Too early"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'role="alert"' in page and "does not ask the manager" in page
    assert not Answer.objects.exists()


def test_outsiders_and_drafts_answer_404(client, appraisal, people):
    url = f"/appraisals/{appraisal.pk}/"
    client.force_login(people["lee"])
    assert client.get(url).status_code == 404  # still a draft
    actions.activate_appraisal(appraisal, people["admin"])
    client.force_login(people["olive"])
    assert client.get(url).status_code == 404
    response = client.post(f"{url}complete/", {"role": "learner", "answer": "x"})
    assert response.status_code == 404
    assert client.post(f"{url}close/").status_code == 404
    assert not Answer.objects.exists()


def test_the_list_shows_my_appraisals_in_a_constant_number_of_queries(
    client, people, django_assert_num_queries
):
    for _ in range(3):
        appraisal = AppraisalFactory(learner=people["lee"])
        StageFactory(appraisal=appraisal, roles=[Role.LEARNER, Role.MANAGER])
        actions.activate_appraisal(appraisal, people["admin"])
    AppraisalFactory(learner=people["lee"])  # a draft: not shown
    client.force_login(people["mia"])
    # session, user, counters (one query), appraisals, my roles
    with django_assert_num_queries(5):
        page = client.get("/appraisals/").content.decode()
    assert page.count("<tr>") == 4
    assert "Manager" in page


def test_staff_close_from_the_page_with_a_message(client, appraisal, people):
    actions.activate_appraisal(appraisal, people["admin"])
    client.force_login(people["lee"])
    assert client.post(f"/appraisals/{appraisal.pk}/close/").status_code == 404
    client.force_login(people["admin"])
    assert "Close the appraisal" in client.get(f"/appraisals/{appraisal.pk}/").content.decode()
    response = client.post(f"/appraisals/{appraisal.pk}/close/", {"comment": "See you next year"})
    assert response.status_code == 302
    appraisal.refresh_from_db()
    assert appraisal.status == Appraisal.Status.CLOSED
    assert Alert.objects.filter(key="appraisals.closed").count() == 4
    response = client.post(f"/appraisals/{appraisal.pk}/close/")
    assert response.status_code == 400 and "already closed" in response.content.decode()


def test_the_admin_sets_up_and_activates_an_appraisal(client, people):
    client.force_login(people["admin"])
    response = client.post(
        "/admin/appraisals/appraisal/add/",
        {
            "name": "Mid-year",
            "learner": people["lee"].pk,
            "appraiser": people["tara"].pk,
            "stages-TOTAL_FORMS": "1",
            "stages-INITIAL_FORMS": "0",
            "stages-0-position": "1",
            "stages-0-name": "Self review",
            "stages-0-roles": ["learner", "appraiser"],
            "participants-TOTAL_FORMS": "0",
            "participants-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    appraisal = Appraisal.objects.get(name="Mid-year")
    assert appraisal.stages.get().roles == ["learner", "appraiser"]
    response = client.post(
        "/admin/appraisals/appraisal/",
        {"action": "activate", "_selected_action": [appraisal.pk]},
        follow=True,
    )
    assert "1 appraisal(s) activated." in response.content.decode()
    assert Alert.objects.filter(key="appraisals.activation").count() == 4
    response = client.post(
        "/admin/appraisals/appraisal/",
        {"action": "activate", "_selected_action": [appraisal.pk]},
        follow=True,
    )
    assert "Only a draft appraisal can be activated" in response.content.decode()
    for url in (
        "/admin/appraisals/appraisal/",
        f"/admin/appraisals/appraisal/{appraisal.pk}/change/",
        "/admin/appraisals/answer/",
    ):
        assert client.get(url).status_code == 200, url


def test_the_admin_refuses_the_learner_as_appraiser(client, people):
    client.force_login(people["admin"])
    response = client.post(
        "/admin/appraisals/appraisal/add/",
        {
            "name": "Mid-year",
            "learner": people["lee"].pk,
            "appraiser": people["lee"].pk,
            "stages-TOTAL_FORMS": "0",
            "stages-INITIAL_FORMS": "0",
            "participants-TOTAL_FORMS": "0",
            "participants-INITIAL_FORMS": "0",
        },
    )
    assert "cannot be their own appraiser" in response.content.decode()
    assert not Appraisal.objects.exists()
