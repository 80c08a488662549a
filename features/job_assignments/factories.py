import factory

from accounts.factories import UserFactory
from features.job_assignments.models import JobAssignment


class JobAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = JobAssignment

    user = factory.SubFactory(UserFactory)
    title = "Learner"
    manager = factory.SubFactory(UserFactory)
