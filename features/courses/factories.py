import factory

from accounts.factories import UserFactory
from features.courses.models import Course, Enrolment


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Course

    full_name = factory.Sequence(lambda n: f"Course {n}")
    short_name = factory.Sequence(lambda n: f"C{n}")


class EnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrolment

    course = factory.SubFactory(CourseFactory)
    user = factory.SubFactory(UserFactory)
    role = Enrolment.Role.LEARNER
