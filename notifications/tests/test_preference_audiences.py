"""Who sees which message types on the preferences page and in the API: one rule for both, the
user's roles read in one query, and "all on / all off" per feature and output."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission as AuthPermission
from django.utils import timezone

from accounts.factories import AdminFactory, UserFactory
from features.courses.factories import EnrolmentFactory
from features.courses.models import Enrolment
from features.job_assignments.factories import JobAssignmentFactory
from notifications import catalogue
from notifications.catalogue import Audience, Permission
from notifications.models import MessageType, OutputSetting, Preference
from notifications.preferences import user_audiences, visible_keys

ADMIN_ONLY = {t.key for t in catalogue.all_types() if t.audiences == {Audience.ADMIN}}
SWITCH = "/preferences/messaging/switch/"


def keys_for(user) -> frozenset[str]:
    return visible_keys(user_audiences(user))


def api_keys(client, user) -> set[str]:
    client.force_login(user)
    response = client.get("/api/preferences/")
    assert response.status_code == 200
    return {row["key"] for row in response.json()}


def trainer(**fields):
    return EnrolmentFactory(user=UserFactory(**fields), role=Enrolment.Role.TRAINER).user


def manager(**fields):
    return JobAssignmentFactory(manager=UserFactory(**fields)).manager


def staff_with_rule_permission():
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(
        AuthPermission.objects.get(content_type__app_label="site_admin", codename="view_rule")
    )
    return staff


# The rule ---------------------------------------------------------------------------------------


def test_every_type_is_for_someone_and_site_admin_types_are_for_admins_alone():
    for message_type in catalogue.all_types():
        assert message_type.audiences, message_type.key
    assert {t.key for t in catalogue.all_types() if t.feature in ("site_admin", "hr_import")} <= (
        ADMIN_ONLY
    )
    assert "programs.exception_report" in ADMIN_ONLY
    assert "audiences.broken_rules" in ADMIN_ONLY


def test_a_manager_copy_makes_a_type_a_managers_type_too():
    for key in ("programs.due", "seminars.booking_confirmation"):
        assert catalogue.get(key).audiences == {Audience.LEARNER, Audience.MANAGER}


def test_a_learner_sees_the_learners_types_and_never_an_admins(user):
    assert user_audiences(user) == {Audience.LEARNER}
    keys = keys_for(user)
    assert "programs.due" in keys and "messaging.personal" in keys
    assert not keys & ADMIN_ONLY
    assert "site_admin.errors" not in keys and "site_admin.backup_completed" not in keys
    assert "assignments.submitted" not in keys  # for trainers
    assert "programs.extension_request" not in keys  # for managers


def test_a_trainer_sees_trainer_types(db):
    keys = keys_for(trainer())
    assert {"assignments.submitted", "quizzes.submission_notification"} <= keys
    assert {"seminars.trainer_confirmation", "programs.due"} <= keys
    assert not keys & ADMIN_ONLY
    assert "programs.extension_request" not in keys


def test_a_learner_enrolment_does_not_make_a_trainer(db):
    learner = EnrolmentFactory(role=Enrolment.Role.LEARNER).user
    assert user_audiences(learner) == {Audience.LEARNER}


def test_a_manager_or_current_temporary_manager_sees_manager_types(db):
    assert Audience.MANAGER in user_audiences(manager())
    stand_in = UserFactory()
    JobAssignmentFactory(
        temp_manager=stand_in, temp_manager_expires_at=timezone.now() + timedelta(days=1)
    )
    keys = keys_for(stand_in)
    assert {"programs.extension_request", "plans.plan_requested"} <= keys
    assert not keys & ADMIN_ONLY
    assert "assignments.submitted" not in keys


def test_an_expired_temporary_manager_is_no_longer_a_manager(db):
    former = UserFactory()
    JobAssignmentFactory(
        temp_manager=former, temp_manager_expires_at=timezone.now() - timedelta(days=1)
    )
    assert user_audiences(former) == {Audience.LEARNER}


def test_site_admins_see_admin_types(db):
    for admin in (AdminFactory(), staff_with_rule_permission()):
        assert Audience.ADMIN in user_audiences(admin)
        keys = keys_for(admin)
        assert keys >= ADMIN_ONLY
        assert "programs.due" in keys


def test_staff_without_the_permission_and_inactive_superusers_are_not_admins(db):
    assert Audience.ADMIN not in user_audiences(UserFactory(is_staff=True))
    assert Audience.ADMIN not in user_audiences(AdminFactory(is_active=False))


def test_the_roles_cost_one_query_whatever_they_are(db, django_assert_num_queries):
    for person in (UserFactory(), trainer(), manager(), AdminFactory()):
        with django_assert_num_queries(1):
            user_audiences(person)


# The API and the page follow it -----------------------------------------------------------------


@pytest.mark.parametrize("make", [UserFactory, trainer, manager, AdminFactory])
def test_the_api_lists_exactly_the_types_the_rule_shows(client, db, make):
    person = make()
    assert api_keys(client, person) == keys_for(person)


def test_the_api_gives_a_learner_no_admin_type_and_an_admin_all_of_them(client, db):
    assert not api_keys(client, UserFactory()) & ADMIN_ONLY
    assert api_keys(client, AdminFactory()) >= ADMIN_ONLY


def test_the_page_shows_a_learner_no_admin_type(client, user):
    client.force_login(user)
    page = client.get("/preferences/messaging/").content.decode()
    assert "Important errors with the site" not in page
    assert "Backup notifications" not in page
    assert "<h2>Program management</h2>" in page
    shown = len(keys_for(user))
    assert f"{shown} message types shown" in page


def test_a_learner_cannot_change_a_type_they_do_not_receive(client, user):
    client.force_login(user)
    change = [
        {"key": "site_admin.errors", "output": "email", "logged_in": False, "logged_off": False}
    ]
    response = client.patch("/api/preferences/", change, content_type="application/json")
    assert response.status_code == 400
    assert "not a message type you can receive" in response.json()["errors"]["0"]["key"]
    assert not Preference.objects.exists()


def test_saved_choices_for_types_no_longer_shown_are_kept(client, user):
    hidden = MessageType.objects.get(key="assignments.submitted")  # the user taught once
    Preference.objects.create(
        user=user, message_type=hidden, output="email", logged_in=False, logged_off=False
    )
    client.force_login(user)
    client.post("/preferences/messaging/", {})  # every box it shows unticked
    assert Preference.objects.filter(user=user, message_type=hidden).exists()
    client.post(SWITCH, {"switch": "assignments:email:on"})
    assert Preference.objects.filter(user=user, message_type=hidden, logged_in=False).exists()


def test_the_page_costs_the_same_queries_for_few_and_many_preferences_and_roles(
    client, db, django_assert_num_queries
):
    newcomer = UserFactory()
    busy = AdminFactory()
    EnrolmentFactory(user=busy, role=Enrolment.Role.TRAINER)
    JobAssignmentFactory(manager=busy)
    settings = OutputSetting.objects.filter(permission=Permission.PERMITTED)
    Preference.objects.bulk_create(
        Preference(
            user=busy,
            message_type_id=s.message_type_id,
            output=s.output,
            logged_in=not s.logged_in,
            logged_off=not s.logged_off,
        )
        for s in settings
    )
    assert Preference.objects.filter(user=busy).count() > 100
    # session, user, roles, site switches, preferences, "no email at all", the output settings
    # shown, the suppressed address, the user's switches ("no email at all" and quiet hours),
    # the user's mutes, the user's email cadences (with the site's default), the header's counts.
    for person in (newcomer, busy):
        client.force_login(person)
        client.get("/preferences/messaging/")  # the first request warms per-process caches
        with django_assert_num_queries(12):
            page = client.get("/preferences/messaging/").content.decode()
    assert "Important errors with the site" in page


# All on / all off ---------------------------------------------------------------------------


def test_all_off_for_a_feature_turns_off_every_choosable_cell_and_says_so(client, user):
    forced = OutputSetting.objects.get(message_type__key="programs.completed", output="email")
    forced.permission = Permission.FORCED
    forced.save()
    programs = [t.key for t in catalogue.all_types() if t.feature == "programs"]
    shown = [k for k in programs if k in keys_for(user)]
    client.force_login(user)
    response = client.post(SWITCH, {"switch": "programs:email:off"}, follow=True)
    assert response.redirect_chain[-1][0].startswith("/preferences/messaging/")
    page = response.content.decode()
    assert f"Program management by email: {len(shown) - 1} message types turned off." in page
    assert "1 is set by the site and was left as it is." in page
    saved = Preference.objects.filter(user=user, output="email")
    assert set(saved.values_list("message_type__key", flat=True)) == set(shown) - {
        "programs.completed"
    }
    assert not saved.filter(logged_in=True).exists()
    assert not saved.filter(logged_off=True).exists()
    assert not Preference.objects.filter(output="web").exists()


def test_all_on_stores_only_what_differs_from_the_default(client, user):
    client.force_login(user)
    client.post(SWITCH, {"switch": "quizzes:email:off"})
    assert Preference.objects.filter(user=user).count() == 2  # the learner's two quiz emails
    client.post(SWITCH, {"switch": "quizzes:email:on"})
    assert not Preference.objects.exists()  # on/on is their default


def test_all_on_for_forced_cells_changes_nothing(client, user):
    client.force_login(user)
    response = client.post(SWITCH, {"switch": "programs:web:off"}, follow=True)
    assert response.status_code == 200
    assert "0 message types turned off" in response.content.decode()
    assert not Preference.objects.exists()


@pytest.mark.parametrize(
    "value, field",
    [
        ("nothing:email:off", "feature"),
        ("site_admin:email:off", "feature"),  # not a feature the learner receives
        ("programs:pigeon:off", "output"),
        ("programs:email:maybe", "switch"),
        ("", "switch"),
    ],
)
def test_a_bad_switch_answers_400_and_changes_nothing(client, user, value, field):
    client.force_login(user)
    response = client.post(SWITCH, {"switch": value})
    assert response.status_code == 400
    assert response.content.decode().startswith(f"{field}:")
    assert not Preference.objects.exists()


def test_the_switch_is_a_post_for_logged_in_users(client, user):
    assert client.post(SWITCH, {"switch": "programs:email:off"}).status_code == 302
    assert not Preference.objects.exists()
    client.force_login(user)
    assert client.get(SWITCH).status_code == 405
