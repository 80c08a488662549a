"""Manual and self enrolment, and the expiry notices sent before an enrolment ends."""

from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from accounts.factories import UserFactory
from features.courses import actions
from features.courses.factories import CourseFactory, EnrolmentFactory
from features.courses.models import Enrolment, EnrolmentMethod
from features.courses.tests.helpers import (
    addresses,
    assert_turning_off_stops_email,
    emails,
    french_template,
    turned_off_ways,
)

MANUAL = "courses.manual_enrolment_expiry"
SELF = "courses.self_enrolment_expiry"
Notify = EnrolmentMethod.ExpiryNotify


def method(course, method, notify, days=3, enrolment_days=None):
    return EnrolmentMethod.objects.create(
        course=course,
        method=method,
        expiry_notify=notify,
        notify_days_before=days,
        enrolment_days=enrolment_days,
    )


def run_job(capture):
    with capture(execute=True):
        return actions.notify_expiring_enrolments()


# Enrolling


def test_a_manual_enrolment_takes_the_methods_period_and_cannot_be_doubled(course):
    method(course, "manual", Notify.NONE, enrolment_days=30)
    lee = UserFactory()
    enrolment = actions.enrol_user(course, lee, enrolled_by=UserFactory())
    assert enrolment.method == "manual"
    assert enrolment.ends_at.date() == (timezone.now() + timedelta(days=30)).date()
    with pytest.raises(actions.CourseError, match="already enrolled"):
        actions.enrol_user(course, lee)
    assert Enrolment.objects.filter(user=lee).count() == 1


def test_an_end_date_in_the_past_is_refused(course):
    with pytest.raises(actions.CourseError, match="future"):
        actions.enrol_user(course, UserFactory(), ends_at=timezone.now() - timedelta(days=1))
    assert not Enrolment.objects.exists()


def test_self_enrolment_needs_the_method_open(course):
    lee = UserFactory()
    with pytest.raises(actions.CourseError, match="not open"):
        actions.self_enrol(course, lee)
    method(course, "self", Notify.NONE, enrolment_days=10)
    enrolment = actions.self_enrol(course, lee)
    assert (enrolment.method, enrolment.enrolled_by, enrolment.role) == ("self", lee, "learner")
    assert enrolment.ends_at > timezone.now() + timedelta(days=9)


def test_an_ended_enrolment_is_renewed_and_notified_again(course, trainer, capture):
    method(course, "manual", Notify.ENROLLER_AND_USER)
    lee = UserFactory()
    start = timezone.now()
    actions.enrol_user(course, lee, enrolled_by=trainer, ends_at=start + timedelta(days=2))
    run_job(capture)
    assert len(emails(MANUAL, lee)) == 1
    with time_machine.travel(start + timedelta(days=3), tick=False):
        renewed = actions.enrol_user(
            course, lee, enrolled_by=trainer, ends_at=start + timedelta(days=5)
        )
        assert renewed.expiry_notified_for is None
        run_job(capture)
    assert len(emails(MANUAL, lee)) == 2


# Manual enrolment expiry


def test_a_manual_enrolment_about_to_end_tells_the_enroller_and_the_learner(
    course, trainer, capture
):
    method(course, "manual", Notify.ENROLLER_AND_USER, days=3)
    french_template(MANUAL, "L'inscription de {{ learner }} à {{ course }} expire bientôt")
    trainer.language = "fr"
    trainer.save()
    start = timezone.now()
    lee = UserFactory(full_name="Lee Learner")
    actions.enrol_user(course, lee, enrolled_by=trainer, ends_at=start + timedelta(days=10))
    later = UserFactory()
    actions.enrol_user(course, later, enrolled_by=trainer, ends_at=start + timedelta(days=20))
    forever = UserFactory()
    actions.enrol_user(course, forever, enrolled_by=trainer)

    with time_machine.travel(start + timedelta(days=6), tick=False):
        assert run_job(capture) == {"notified": 0}
    with time_machine.travel(start + timedelta(days=8), tick=False):
        assert run_job(capture) == {"notified": 1}

    assert addresses(MANUAL) == sorted([lee.email, trainer.email])
    [to_lee] = emails(MANUAL, lee)
    assert to_lee.subject.startswith("Enrolment in Workplace safety expires on")
    assert "The enrolment of Lee Learner in the course Workplace safety" in to_lee.body
    [to_tara] = emails(MANUAL, trainer)
    assert to_tara.subject == "L'inscription de Lee Learner à Workplace safety expire bientôt"


def test_the_expiry_notice_goes_once_however_often_cron_runs(course, trainer, capture):
    method(course, "manual", Notify.ENROLLER_AND_USER, days=3)
    lee = UserFactory()
    enrolment = actions.enrol_user(
        course, lee, enrolled_by=trainer, ends_at=timezone.now() + timedelta(days=1)
    )
    with capture(execute=True):
        call_command("cron", "courses.enrolment_expiry_notices")
        call_command("cron", "courses.enrolment_expiry_notices")
    assert addresses(MANUAL) == sorted([lee.email, trainer.email])
    # Even if the marker were lost, the dedupe key keeps it from going twice.
    Enrolment.objects.filter(pk=enrolment.pk).update(expiry_notified_for=None)
    run_job(capture)
    assert len(emails(MANUAL)) == 2


def test_enroller_only_leaves_the_learner_out(course, trainer, capture):
    method(course, "manual", Notify.ENROLLER, days=3)
    admin = UserFactory()
    lee = UserFactory()
    actions.enrol_user(course, lee, enrolled_by=admin, ends_at=timezone.now() + timedelta(days=1))
    run_job(capture)
    assert addresses(MANUAL) == [admin.email]


def test_no_notice_when_the_method_says_nobody_or_is_disabled(course, trainer, capture):
    method(course, "manual", Notify.NONE, days=3)
    other = CourseFactory()
    EnrolmentMethod.objects.create(
        course=other, method="manual", enabled=False, expiry_notify=Notify.ENROLLER_AND_USER
    )
    soon = timezone.now() + timedelta(days=1)
    EnrolmentFactory(course=course, enrolled_by=trainer, ends_at=soon)
    EnrolmentFactory(course=other, enrolled_by=trainer, ends_at=soon)
    assert run_job(capture) == {"notified": 0}
    assert emails(MANUAL) == []


@turned_off_ways
def test_turning_the_manual_expiry_notice_off_stops_its_email(way, course, client, capture):
    method(course, "manual", Notify.ENROLLER, days=3)
    enroller = UserFactory()

    def perform():
        actions.enrol_user(
            course, UserFactory(), enrolled_by=enroller, ends_at=timezone.now() + timedelta(days=1)
        )
        actions.notify_expiring_enrolments()

    assert_turning_off_stops_email(way, MANUAL, enroller, perform, client=client, capture=capture)


# Self enrolment expiry


def test_a_self_enrolment_about_to_end_tells_the_trainers_only_by_default_setting(
    course, trainer, capture
):
    method(course, "self", Notify.ENROLLER, days=2, enrolment_days=7)
    second = UserFactory(language="fr")
    EnrolmentFactory(course=course, user=second, role=Enrolment.Role.TRAINER)
    french_template(SELF, "Auto-inscription à {{ course }} : fin proche")
    lee = UserFactory(full_name="Lee Learner")
    start = timezone.now()
    actions.self_enrol(course, lee)
    with time_machine.travel(start + timedelta(days=6), tick=False):
        run_job(capture)
        run_job(capture)
    assert addresses(SELF) == sorted([trainer.email, second.email])
    [to_tara] = emails(SELF, trainer)
    assert to_tara.subject.startswith("Self enrolment in Workplace safety expires on")
    assert "The self enrolment of Lee Learner" in to_tara.body
    assert emails(SELF, second)[0].subject == "Auto-inscription à Workplace safety : fin proche"


def test_a_self_enrolment_notice_can_tell_the_learner_too(course, trainer, capture):
    method(course, "self", Notify.ENROLLER_AND_USER, days=2, enrolment_days=1)
    lee = UserFactory()
    actions.self_enrol(course, lee)
    run_job(capture)
    assert addresses(SELF) == sorted([trainer.email, lee.email])
    assert emails(MANUAL) == []


@turned_off_ways
def test_turning_the_self_expiry_notice_off_stops_its_email(way, course, trainer, client, capture):
    method(course, "self", Notify.ENROLLER, days=2, enrolment_days=1)

    def perform():
        actions.self_enrol(course, UserFactory())
        actions.notify_expiring_enrolments()

    assert_turning_off_stops_email(way, SELF, trainer, perform, client=client, capture=capture)


def test_the_notice_links_a_page_the_former_learner_and_the_enroller_can_open(client, course):
    enroller = UserFactory()
    lee = UserFactory()
    enrolment = actions.enrol_user(course, lee, enrolled_by=enroller)
    enrolment.ends_at = timezone.now() - timedelta(minutes=1)
    enrolment.save()
    for person in (lee, enroller):
        client.force_login(person)
        page = client.get(course.get_absolute_url())
        assert page.status_code == 200
        assert "no longer enrolled" in page.content.decode() or person == enroller
    client.force_login(UserFactory())
    assert client.get(course.get_absolute_url()).status_code == 404
