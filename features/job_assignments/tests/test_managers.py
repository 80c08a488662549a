from datetime import timedelta

from django.utils import timezone

from accounts.factories import UserFactory
from features.job_assignments.factories import JobAssignmentFactory
from features.job_assignments.models import managers_of, team_of


def test_it_answers_managers_and_current_temp_managers_for_many_users(
    db, django_assert_num_queries
):
    now = timezone.now()
    manager, second, temp, stale = UserFactory.create_batch(4)
    lee, lou, sam = UserFactory.create_batch(3)
    JobAssignmentFactory(user=lee, manager=manager)
    JobAssignmentFactory(user=lee, manager=second)
    JobAssignmentFactory(
        user=lou,
        manager=manager,
        temp_manager=temp,
        temp_manager_expires_at=now + timedelta(days=1),
    )
    JobAssignmentFactory(
        user=sam, manager=None, temp_manager=stale, temp_manager_expires_at=now - timedelta(days=1)
    )
    with django_assert_num_queries(1):
        result = managers_of([lee.pk, lou.pk, sam.pk], now=now)
    assert result == {lee.pk: {manager.pk, second.pk}, lou.pk: {manager.pk, temp.pk}, sam.pk: set()}
    assert team_of(manager.pk, now=now) == {lee.pk, lou.pk}
    assert team_of(temp.pk, now=now) == {lou.pk}
    assert team_of(stale.pk, now=now) == set()
