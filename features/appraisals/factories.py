import factory

from accounts.factories import UserFactory
from features.appraisals.models import Appraisal, Role, Stage


class AppraisalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Appraisal

    name = factory.Sequence(lambda n: f"Annual review {n}")
    learner = factory.SubFactory(UserFactory)


class StageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Stage

    appraisal = factory.SubFactory(AppraisalFactory)
    name = factory.Sequence(lambda n: f"Stage {n}")
    position = factory.Sequence(lambda n: n)
    roles = factory.LazyFunction(lambda: [Role.LEARNER])
