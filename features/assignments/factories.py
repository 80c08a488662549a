import factory

from features.assignments.models import Assignment
from features.courses.factories import CourseFactory


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assignment

    course = factory.SubFactory(CourseFactory)
    name = factory.Sequence(lambda n: f"Essay {n}")
    description = "Write about what you learned."
    max_files = 2
    max_file_mb = 1
    allowed_extensions = "pdf,txt"
