from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command

from accounts.factories import AdminFactory, UserFactory
from alerts.models import Alert
from features.audiences import actions
from features.audiences.models import Audience, AudienceMember, AudienceRule, members_of
from features.job_assignments.factories import JobAssignmentFactory

Field = AudienceRule.Field
User = get_user_model()


def told(key):
    return sorted(Alert.objects.filter(key=key).values_list("recipient__username", flat=True))


def cron():
    call_command("cron", "audiences.recompute", stdout=StringIO())


@pytest.fixture
def people(db):
    return {u: UserFactory(username=u) for u in ("lee", "lou", "sam", "kim")}


def dynamic(name="Team", **fields):
    return Audience.objects.create(
        name=name, type=Audience.Type.DYNAMIC, notify_added=True, notify_removed=True, **fields
    )


def test_a_set_audience_tells_who_joins_and_who_leaves(people, django_capture_on_commit_callbacks):
    audience = Audience.objects.create(name="Fire wardens", notify_added=True, notify_removed=True)
    with django_capture_on_commit_callbacks(execute=True):
        assert actions.set_members(audience, [people["lee"], people["lou"]]) == (2, 0)
    assert told("audiences.members_added") == ["lee", "lou"]
    assert sorted(m.to[0] for m in mail.outbox) == ["lee@example.com", "lou@example.com"]
    assert members_of(audience) == {people["lee"].pk, people["lou"].pk}
    assert actions.set_members(audience, [people["lou"], people["sam"]]) == (1, 1)
    assert told("audiences.members_added") == ["lee", "lou", "sam"]
    assert told("audiences.members_removed") == ["lee"]
    assert actions.add_members(audience, [people["kim"], people["sam"]]) == 1
    assert actions.remove_members(audience, [people["kim"]]) == 1
    assert members_of(audience.pk) == {people["lou"].pk, people["sam"].pk}


def test_an_audience_that_does_not_say_so_tells_nobody(people):
    audience = Audience.objects.create(name="Quiet")
    actions.set_members(audience, people.values())
    actions.set_members(audience, [])
    assert not Alert.objects.exists()


def test_bad_membership_changes_are_refused(people):
    audience = dynamic()
    with pytest.raises(actions.AudienceError, match="rules"):
        actions.set_members(audience, [people["lee"]])
    set_audience = Audience.objects.create(name="Set")
    with pytest.raises(actions.AudienceError, match="No such users: 999999"):
        actions.set_members(set_audience, [people["lee"].pk, 999999])
    assert not AudienceMember.objects.exists()
    with pytest.raises(actions.AudienceError, match="Only a dynamic"):
        actions.recompute(set_audience)


def test_a_dynamic_audience_follows_its_rules_on_each_run(people, django_assert_max_num_queries):
    mia = UserFactory(username="mia")
    for name in ("lee", "lou"):
        JobAssignmentFactory(user=people[name], manager=mia)
    audience = dynamic()
    AudienceRule.objects.create(audience=audience, field=Field.MANAGER, manager=mia)
    with django_assert_max_num_queries(25):
        cron()
    assert members_of(audience) == {people["lee"].pk, people["lou"].pk}
    assert told("audiences.members_added") == ["lee", "lou"]
    cron()
    assert Alert.objects.count() == 2  # nothing changed: nobody told again

    JobAssignmentFactory(user=people["sam"], manager=mia)
    people["lee"].job_assignments.all().delete()
    cron()
    assert told("audiences.members_added") == ["lee", "lou", "sam"]
    assert told("audiences.members_removed") == ["lee"]
    assert members_of(audience) == {people["lou"].pk, people["sam"].pk}


def test_rules_on_user_fields_combine_with_all_or_any(people):
    people["lee"].language = "fr"
    people["lee"].save()
    people["lou"].email = "lou@partner.org"
    people["lou"].save()
    UserFactory(username="sales_ann")
    audience = dynamic()
    AudienceRule.objects.create(audience=audience, field=Field.LANGUAGE, value="fr")
    AudienceRule.objects.create(audience=audience, field=Field.EMAIL_DOMAIN, value="partner.org")
    actions.recompute(audience)
    assert members_of(audience) == set()
    audience.match = Audience.Match.ANY
    audience.save()
    actions.recompute(audience)
    assert members_of(audience) == {people["lee"].pk, people["lou"].pk}

    prefixed = dynamic("Sales")
    AudienceRule.objects.create(audience=prefixed, field=Field.USERNAME_PREFIX, value="SALES_")
    AudienceRule.objects.create(audience=prefixed, field=Field.TIMEZONE, value="UTC")
    actions.recompute(prefixed)
    assert members_of(prefixed) == {UserFactory(username="sales_ann").pk}

    nested = dynamic("French partners")
    AudienceRule.objects.create(audience=nested, field=Field.MEMBER_OF, other_audience=audience)
    AudienceRule.objects.create(audience=nested, field=Field.LANGUAGE, value="fr")
    actions.recompute(nested)
    assert members_of(nested) == {people["lee"].pk}


def test_inactive_users_are_not_members_and_no_rules_means_no_members(people):
    audience = dynamic()
    AudienceRule.objects.create(audience=audience, field=Field.USERNAME_PREFIX, value="l")
    people["lou"].is_active = False
    people["lou"].save()
    actions.recompute(audience)
    assert members_of(audience) == {people["lee"].pk}
    audience.rules.all().delete()
    actions.recompute(audience)
    assert members_of(audience) == set()
    assert told("audiences.members_removed") == ["lee"]


def test_a_rule_whose_manager_was_deleted_is_reported_to_admins_once(people):
    admin = AdminFactory(username="ada")
    mia = UserFactory(username="mia", full_name="Mia Manager")
    JobAssignmentFactory(user=people["lee"], manager=mia)
    audience = dynamic()
    rule = AudienceRule.objects.create(audience=audience, field=Field.MANAGER, manager=mia)
    cron()
    assert members_of(audience) == {people["lee"].pk}
    mia.delete()
    cron()
    cron()
    assert told("audiences.broken_rules") == ["ada"]
    alert = Alert.objects.get(key="audiences.broken_rules")
    assert alert.urgency == "urgent"
    assert alert.event.context["rule"] == (
        "Manager is Mia Manager (deleted): the manager it names has been deleted."
    )
    assert alert.event.url == f"/admin/audiences/audience/{audience.pk}/change/"
    # The members stay as they were until the rule is fixed.
    assert members_of(audience) == {people["lee"].pk}
    assert told("audiences.members_removed") == []

    rule.manager = admin
    rule.save()
    cron()
    rule.refresh_from_db()
    assert rule.broken_at is None
    assert members_of(audience) == set()
    assert told("audiences.members_removed") == ["lee"]


def test_a_rule_on_a_deleted_audience_or_a_field_that_no_longer_exists_is_broken(people):
    AdminFactory(username="ada")
    other = Audience.objects.create(name="Old team")
    audience = dynamic()
    AudienceRule.objects.create(audience=audience, field=Field.MEMBER_OF, other_audience=other)
    legacy = dynamic("Legacy")
    rule = AudienceRule.objects.create(audience=legacy, field=Field.LANGUAGE, value="en")
    AudienceRule.objects.filter(pk=rule.pk).update(field="department", value="Sales")
    other.delete()
    result = actions.recompute_all()
    assert result["broken"] == 2
    rules = sorted(
        Alert.objects.filter(key="audiences.broken_rules").values_list("event__context", flat=True),
        key=lambda c: c["audience"],
    )
    assert [c["rule"] for c in rules] == [
        "department is 'Sales': the user field 'department' no longer exists.",
        "Member of the audience Old team (deleted): the audience it names has been deleted.",
    ]


def test_the_admin_edits_set_members_through_the_action(people, client):
    admin = AdminFactory()
    client.force_login(admin)
    audience = Audience.objects.create(name="Wardens", notify_added=True)
    url = f"/admin/audiences/audience/{audience.pk}/change/"
    form = {
        "name": "Wardens",
        "description": "",
        "match": "all",
        "notify_added": "on",
        "memberships-TOTAL_FORMS": "1",
        "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
        "memberships-0-user": people["kim"].pk,
        "memberships-0-audience": audience.pk,
    }
    response = client.post(url, form)
    assert response.status_code == 302
    assert told("audiences.members_added") == ["kim"]
    assert client.get("/admin/audiences/audience/").status_code == 200


def test_the_admin_saves_rules_and_they_apply_at_once(people, client):
    client.force_login(AdminFactory())
    audience = dynamic()
    url = f"/admin/audiences/audience/{audience.pk}/change/"
    form = {
        "name": "Team",
        "description": "",
        "match": "all",
        "notify_added": "on",
        "rules-TOTAL_FORMS": "1",
        "rules-INITIAL_FORMS": "0",
        "rules-MIN_NUM_FORMS": "0",
        "rules-MAX_NUM_FORMS": "1000",
        "rules-0-field": "language",
        "rules-0-value": "xx",
        "rules-0-audience": audience.pk,
    }
    assert b"Use one of the site&#x27;s languages" in client.post(url, form).content
    assert not AudienceRule.objects.exists()
    form["rules-0-value"] = "en"
    assert client.post(url, form).status_code == 302
    everyone = set(User.objects.filter(language="en").values_list("pk", flat=True))
    assert members_of(audience) == everyone
    assert len(everyone) == 5  # the four people and the admin
    assert told("audiences.members_added").count("lee") == 1
