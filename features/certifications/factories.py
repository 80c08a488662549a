import factory

from features.certifications.models import Certification
from features.programs.factories import ProgramFactory
from features.programs.models import Program


class CertificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Certification

    program = factory.SubFactory(
        ProgramFactory,
        kind=Program.Kind.CERTIFICATION,
        name=factory.Sequence(lambda n: f"Certification {n}"),
    )
    active_days = 365
    window_days = 30
