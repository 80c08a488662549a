import factory

from features.courses.factories import CourseFactory
from features.programs.models import CourseSet, Program


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program

    name = factory.Sequence(lambda n: f"Program {n}")


class CourseSetFactory(factory.django.DjangoModelFactory):
    """A course set of one new course, or of `courses=[...]`."""

    class Meta:
        model = CourseSet
        skip_postgeneration_save = True

    program = factory.SubFactory(ProgramFactory)
    name = factory.Sequence(lambda n: f"Course set {n}")
    position = factory.Sequence(lambda n: n)

    @factory.post_generation
    def courses(self, create, extracted, **kwargs):
        if create:
            self.courses.set(extracted if extracted is not None else [CourseFactory()])
