import factory

from accounts.factories import UserFactory
from features.badges.models import Badge
from features.courses.factories import CourseFactory


class BadgeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Badge

    name = factory.Sequence(lambda n: f"Badge {n}")
    description = "For doing well."
    issuer = "The training team"
    course = factory.SubFactory(CourseFactory)
    criterion = Badge.Criterion.MANUAL
    created_by = factory.SubFactory(UserFactory)
