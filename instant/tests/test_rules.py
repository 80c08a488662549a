"""Who may message whom: privacy settings, contacts, blocking, course membership, trainers."""

import pytest

from accounts.factories import AdminFactory, UserFactory
from features.courses.factories import CourseFactory, EnrolmentFactory
from instant import actions, rules
from instant.models import Conversation, Privacy


@pytest.fixture
def people(db):
    return {name: UserFactory(username=name) for name in ("ann", "bob", "cat", "dan")}


def test_by_default_people_who_share_a_course_may_message(people):
    course = CourseFactory()
    EnrolmentFactory(course=course, user=people["ann"])
    EnrolmentFactory(course=course, user=people["bob"])
    refused = rules.refusals(people["ann"], [people["bob"].pk, people["cat"].pk])
    assert set(refused) == {people["cat"].pk}
    assert "contacts and people in their courses" in refused[people["cat"].pk]


def test_contacts_only(people):
    ann, bob = people["ann"], people["bob"]
    course = CourseFactory()
    EnrolmentFactory(course=course, user=ann)
    EnrolmentFactory(course=course, user=bob)
    actions.set_privacy(bob, Privacy.CONTACTS)
    assert "contacts only" in rules.refusals(ann, [bob.pk])[bob.pk]
    assert actions.request_contact(ann, bob.pk) == "requested"
    actions.accept_contact(bob, ann.pk)
    assert rules.refusals(ann, [bob.pk]) == {}


def test_anyone_on_the_site(people):
    actions.set_privacy(people["bob"], Privacy.SITE)
    assert rules.refusals(people["ann"], [people["bob"].pk]) == {}


def test_blocking_beats_everything(people):
    ann, bob = people["ann"], people["bob"]
    actions.set_privacy(bob, Privacy.SITE)
    actions.block(bob, ann.pk)
    assert "does not accept messages from you" in rules.refusals(ann, [bob.pk])[bob.pk]
    assert "You have blocked" in rules.refusals(bob, [ann.pk])[ann.pk]
    assert rules.can_see_online(ann.pk, [bob.pk]) == set()
    with pytest.raises(actions.MessagingError, match="does not accept"):
        actions.request_contact(ann, bob.pk)
    actions.unblock(bob, ann.pk)
    assert rules.refusals(ann, [bob.pk]) == {}


def test_admins_and_trainers_may_always_message_their_participants(people):
    dan = people["dan"]
    actions.set_privacy(dan, Privacy.CONTACTS)
    assert rules.refusals(AdminFactory(), [dan.pk]) == {}
    course = CourseFactory()
    EnrolmentFactory(course=course, user=people["cat"], role="trainer")
    EnrolmentFactory(course=course, user=dan)
    assert rules.refusals(people["cat"], [dan.pk]) == {}
    assert dan.pk in rules.refusals(people["ann"], [dan.pk])


def test_an_unknown_user_is_refused_with_a_reason(people):
    assert rules.refusals(people["ann"], [999999]) == {999999: "There is no such user."}


def test_rules_cost_a_constant_number_of_queries(people, django_assert_max_num_queries):
    many = UserFactory.create_batch(30)
    with django_assert_max_num_queries(9):
        rules.refusals(people["ann"], [u.pk for u in many])


def test_managers_and_their_staff_may_message_each_other(people):
    from datetime import timedelta

    from django.utils import timezone

    from features.job_assignments.factories import JobAssignmentFactory

    ann, bob, cat, dan = people["ann"], people["bob"], people["cat"], people["dan"]
    JobAssignmentFactory(
        user=ann,
        manager=bob,
        temp_manager=cat,
        temp_manager_expires_at=timezone.now() + timedelta(1),
    )
    JobAssignmentFactory(
        user=dan,
        manager=None,
        temp_manager=cat,
        temp_manager_expires_at=timezone.now() - timedelta(1),
    )
    assert rules.refusals(bob, [ann.pk]) == {}
    assert rules.refusals(ann, [bob.pk, cat.pk]) == {}
    assert set(rules.refusals(cat, [ann.pk, dan.pk])) == {dan.pk}  # an expired temp manager


def test_each_recipient_is_judged_alone(people):
    """A colleague's temporary manager is no one's manager: asking about both at once changes
    nothing."""
    from datetime import timedelta

    from django.utils import timezone

    from features.job_assignments.factories import JobAssignmentFactory

    ann, bob, cat = people["ann"], people["bob"], people["cat"]
    JobAssignmentFactory(
        user=ann,
        manager=bob,
        temp_manager=cat,
        temp_manager_expires_at=timezone.now() + timedelta(1),
    )
    assert set(rules.refusals(bob, [cat.pk])) == {cat.pk}
    assert set(rules.refusals(bob, [ann.pk, cat.pk])) == {cat.pk}


def test_ended_enrolments_count_for_nothing(people):
    from datetime import timedelta

    from django.utils import timezone

    ann, bob, cat = people["ann"], people["bob"], people["cat"]
    ended = timezone.now() - timedelta(days=1)
    course = CourseFactory()
    EnrolmentFactory(course=course, user=ann, ends_at=ended)
    EnrolmentFactory(course=course, user=bob)
    EnrolmentFactory(course=course, user=cat, role="trainer", ends_at=ended)
    assert "people in their courses" in rules.refusals(bob, [ann.pk])[ann.pk]
    assert "people in their courses" in rules.refusals(cat, [bob.pk])[bob.pk]


def test_an_inactive_user_is_no_such_user(people):
    dan = people["dan"]
    dan.is_active = False
    dan.save()
    actions.set_privacy(dan, Privacy.SITE)
    assert rules.refusals(people["ann"], [dan.pk]) == {dan.pk: "There is no such user."}


def test_the_rules_are_one_query_for_any_number_of_recipients(people, django_assert_num_queries):
    many = UserFactory.create_batch(30)
    actions.block(many[0], people["ann"].pk)
    actions.set_privacy(many[1], Privacy.SITE)
    # the recipients, each with the rules as EXISTS subqueries and their privacy setting
    with django_assert_num_queries(1):
        refused = rules.refusals(people["ann"], [u.pk for u in many])
    assert len(refused) == 29 and "does not accept" in refused[many[0].pk]
    with django_assert_num_queries(0):
        assert rules.refusals(people["ann"], [people["ann"].pk]) == {}


def test_sending_judges_a_conversation_as_the_rules_judge_its_other_member(people):
    """send_message reads the members and the rules in one query of its own (for_message); it
    must refuse exactly what refusals() refuses, with the same reason."""
    ann, bob, cat, dan = (people[n] for n in ("ann", "bob", "cat", "dan"))
    course = CourseFactory()
    EnrolmentFactory(course=course, user=ann)
    EnrolmentFactory(course=course, user=bob)
    EnrolmentFactory(course=course, user=dan, role="trainer")
    admin = AdminFactory()
    actions.set_privacy(cat, Privacy.SITE)
    pairs = {}
    for sender, other in ((ann, bob), (ann, cat), (bob, cat), (dan, bob), (admin, ann)):
        pairs[sender, other] = actions.start_conversation(sender, [other.pk])[0]

    def agree():
        for (sender, other), conversation in pairs.items():
            kind, members, reason = rules.for_message(sender, conversation.pk)
            assert kind == "one_to_one" and sorted(members) == sorted([sender.pk, other.pk])
            assert reason == rules.refusals(sender, [other.pk]).get(other.pk), (sender, other)

    agree()
    actions.set_privacy(bob, Privacy.CONTACTS)  # ann: refused; dan (trainer): allowed
    actions.set_privacy(cat, Privacy.COURSES)  # ann and bob share no course with cat: refused
    actions.block(ann, admin.pk)
    agree()
    assert (
        rules.for_message(ann, pairs[ann, bob].pk)[2]
        == "Bob accepts messages from their contacts only."
    )
    bob.is_active = False
    bob.save()
    agree()
    assert rules.for_message(ann, pairs[ann, bob].pk)[2] == "There is no such user."


def test_sending_to_a_group_or_own_notes_skips_the_pair_rules(people, django_assert_num_queries):
    ann, bob, cat = people["ann"], people["bob"], people["cat"]
    actions.set_privacy(bob, Privacy.SITE)
    actions.set_privacy(cat, Privacy.SITE)
    group, _ = actions.start_conversation(ann, [bob.pk, cat.pk], name="Team")
    notes, _ = actions.start_conversation(ann, [])
    actions.block(bob, ann.pk)
    with django_assert_num_queries(1):
        kind, members, reason = rules.for_message(ann, group.pk)
    assert (kind, sorted(members), reason) == ("group", sorted([ann.pk, bob.pk, cat.pk]), None)
    assert rules.for_message(ann, notes.pk) == ("self", [ann.pk], None)
    with pytest.raises(Conversation.DoesNotExist):
        rules.for_message(people["dan"], group.pk)
