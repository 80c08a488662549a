import factory

from features.courses.factories import CourseFactory
from features.feedback.models import FeedbackActivity, FeedbackQuestion


class FeedbackActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FeedbackActivity

    course = factory.SubFactory(CourseFactory)
    name = factory.Sequence(lambda n: f"Course feedback {n}")


class FeedbackQuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FeedbackQuestion

    activity = factory.SubFactory(FeedbackActivityFactory)
    text = factory.Sequence(lambda n: f"How was part {n}?")
    kind = FeedbackQuestion.Kind.RATING
