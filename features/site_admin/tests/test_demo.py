from django.core import mail

from accounts.factories import AdminFactory, UserFactory
from features.site_admin import demo
from features.site_admin.models import Rule

from .conftest import told


def test_the_demo_shows_a_rule_at_work_and_loads_once(db, django_capture_on_commit_callbacks):
    people = {"admin": AdminFactory(username="admin")}
    for name in ("mia", "tom", "tara", "lee", "lou", "sam"):
        people[name] = UserFactory(username=name)
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            demo.load(people)
    assert Rule.objects.get().subscribers.get() == people["admin"]
    assert told("site_admin.rule_subscription") == ["admin"]
    assert len(mail.outbox) == 1
