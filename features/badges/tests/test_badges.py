"""Awarding a badge (by hand, or on course completion) tells the recipient and the creator."""

import pytest
from django.core import mail

from accounts.factories import AdminFactory, UserFactory
from features.badges import actions
from features.badges.factories import BadgeFactory
from features.badges.models import Award, Badge
from features.courses.actions import complete_course
from features.courses.factories import EnrolmentFactory
from features.courses.models import Enrolment
from features.courses.tests.helpers import (
    addresses,
    assert_turning_off_stops_email,
    emails,
    french_template,
    turned_off_ways,
)

RECIPIENT = "badges.recipient_notice"
CREATOR = "badges.creator_notice"


@pytest.fixture
def creator(db):
    return UserFactory(username="ada", full_name="Ada Admin")


@pytest.fixture
def badge(course, creator):
    return BadgeFactory(
        course=course,
        name="Safety champion",
        description="Spots hazards before they hurt.",
        issuer="The safety team",
        created_by=creator,
    )


def test_a_trainer_awards_a_badge_and_the_learner_and_creator_are_told(
    client, badge, trainer, learner, creator, capture
):
    EnrolmentFactory(course=badge.course)  # another learner: not told
    client.force_login(trainer)
    page = client.get(badge.get_absolute_url()).content.decode()
    assert f'<option value="{learner.pk}">Lee Learner</option>' in page
    with capture(execute=True):
        response = client.post(badge.get_absolute_url(), {"user": learner.pk})
    assert response.status_code == 302
    award = Award.objects.get()
    assert (award.badge, award.user, award.awarded_by) == (badge, learner, trainer)

    assert addresses(RECIPIENT) == [learner.email]
    [to_lee] = emails(RECIPIENT)
    assert to_lee.subject == "Congratulations! You have earned the badge Safety champion"
    assert "issued by The safety team" in to_lee.body
    assert "Spots hazards before they hurt." in to_lee.body
    assert award.get_absolute_url() in to_lee.body
    assert addresses(CREATOR) == [creator.email]
    [to_ada] = emails(CREATOR)
    assert to_ada.subject == "Lee Learner has earned the badge Safety champion"
    assert "The badge Safety champion that you created has been awarded to Lee Learner" in (
        to_ada.body
    )
    assert len(mail.outbox) == 2
    client.force_login(learner)
    assert "Safety champion" in client.get(award.get_absolute_url()).content.decode()


def test_the_notices_arrive_in_french(badge, trainer, learner, creator, capture):
    learner.language = creator.language = "fr"
    learner.save()
    creator.save()
    french_template(RECIPIENT, "Bravo ! Vous avez obtenu le badge {{ badge }}")
    french_template(CREATOR, "{{ learner }} a obtenu le badge {{ badge }}")
    with capture(execute=True):
        actions.award_badge(badge, learner, trainer)
    assert emails(RECIPIENT)[0].subject == "Bravo ! Vous avez obtenu le badge Safety champion"
    assert emails(CREATOR)[0].subject == "Lee Learner a obtenu le badge Safety champion"


def test_a_creator_who_awards_their_own_badge_is_not_told(badge, learner, creator, capture):
    with capture(execute=True):
        actions.award_badge(badge, learner, creator)
    assert addresses(RECIPIENT) == [learner.email]
    assert emails(CREATOR) == []


def test_completing_the_course_awards_its_completion_badges_once(course, learner, creator, capture):
    completion = BadgeFactory(
        course=course,
        name="Safety certified",
        criterion=Badge.Criterion.COURSE_COMPLETION,
        created_by=creator,
    )
    BadgeFactory(course=course, criterion=Badge.Criterion.COURSE_COMPLETION, active=False)
    BadgeFactory(course=course, criterion=Badge.Criterion.MANUAL)
    BadgeFactory(criterion=Badge.Criterion.COURSE_COMPLETION)  # another course's
    enrolment = Enrolment.objects.get(user=learner)
    with capture(execute=True):
        complete_course(enrolment)
        complete_course(enrolment)
    assert list(Award.objects.values_list("badge", "user")) == [(completion.pk, learner.pk)]
    assert addresses(RECIPIENT) == [learner.email]
    assert emails(RECIPIENT)[0].subject.endswith("Safety certified")
    assert addresses(CREATOR) == [creator.email]


def test_bad_awards_are_refused_and_change_nothing(client, badge, trainer, learner, capture):
    outsider = UserFactory()
    with pytest.raises(actions.BadgeError, match="may not award"):
        actions.award_badge(badge, learner, learner)
    with pytest.raises(actions.BadgeError, match="not a learner"):
        actions.award_badge(badge, outsider, trainer)
    completion = BadgeFactory(course=badge.course, criterion=Badge.Criterion.COURSE_COMPLETION)
    with pytest.raises(actions.BadgeError, match="completing"):
        actions.award_badge(completion, learner, trainer)
    inactive = BadgeFactory(course=badge.course, active=False)
    with pytest.raises(actions.BadgeError, match="not active"):
        actions.award_badge(inactive, learner, trainer)
    assert not Award.objects.exists()
    actions.award_badge(badge, learner, trainer)
    mail.outbox.clear()
    client.force_login(trainer)
    with capture(execute=True):
        response = client.post(badge.get_absolute_url(), {"user": learner.pk})
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert "has Safety champion already" in response.content.decode()
    assert Award.objects.count() == 1 and mail.outbox == []


def test_a_site_badge_is_awarded_by_username(client, db, capture):
    admin = AdminFactory()
    badge = BadgeFactory(course=None, name="Welcome", created_by=admin)
    sam = UserFactory(username="sam")
    client.force_login(admin)
    with capture(execute=True):
        assert client.post(badge.get_absolute_url(), {"username": "sam"}).status_code == 302
        assert client.post(badge.get_absolute_url(), {"username": "nobody"}).status_code == 400
    assert Award.objects.get().user == sam
    assert addresses(RECIPIENT) == [sam.email]


def test_others_cannot_see_a_badge_page_or_someone_elses_award(client, badge, trainer, learner):
    award = actions.award_badge(badge, learner, trainer)
    client.force_login(learner)
    assert client.get(badge.get_absolute_url()).status_code == 404
    client.force_login(UserFactory())
    assert client.get(award.get_absolute_url()).status_code == 404


def test_my_badges_lists_mine_in_constant_queries(
    client, course, learner, trainer, django_assert_num_queries
):
    actions.award_badge(BadgeFactory(course=course, name="First"), learner, trainer)
    BadgeFactory(course=course, name="Not mine")
    client.force_login(learner)
    client.get("/badges/")
    with django_assert_num_queries(4):  # session, user, counters (one query), awards with badges
        client.get("/badges/")
    for name in ("Second", "Third"):
        actions.award_badge(BadgeFactory(course=course, name=name), learner, trainer)
    with django_assert_num_queries(4):
        page = client.get("/badges/").content.decode()
    assert all(n in page for n in ("First", "Second", "Third")) and "Not mine" not in page


@turned_off_ways
def test_turning_the_recipient_notice_off_stops_its_email(
    way, course, trainer, learner, client, capture
):
    def perform():
        actions.award_badge(BadgeFactory(course=course), learner, trainer)

    assert_turning_off_stops_email(way, RECIPIENT, learner, perform, client=client, capture=capture)


@turned_off_ways
def test_turning_the_creator_notice_off_stops_its_email(
    way, course, trainer, learner, creator, client, capture
):
    def perform():
        actions.award_badge(BadgeFactory(course=course, created_by=creator), learner, trainer)

    assert_turning_off_stops_email(way, CREATOR, creator, perform, client=client, capture=capture)


def test_the_admin_pages_answer(client, badge):
    client.force_login(AdminFactory())
    for url in ("/admin/badges/badge/", f"/admin/badges/badge/{badge.pk}/change/"):
        assert client.get(url).status_code == 200
