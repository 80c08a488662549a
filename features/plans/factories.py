import factory

from accounts.factories import UserFactory
from features.plans.models import Competency, ObjectiveScale, ObjectiveStatus, Plan


class ObjectiveScaleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ObjectiveScale

    name = factory.Sequence(lambda n: f"Scale {n}")


class ObjectiveStatusFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ObjectiveStatus

    scale = factory.SubFactory(ObjectiveScaleFactory)
    name = factory.Sequence(lambda n: f"Status {n}")
    position = factory.Sequence(lambda n: n)


class CompetencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Competency

    name = factory.Sequence(lambda n: f"Competency {n}")


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan

    learner = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"Plan {n}")
