import factory

from features.courses.factories import CourseFactory
from features.quizzes.models import Choice, Question, Quiz


class QuizFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Quiz

    course = factory.SubFactory(CourseFactory)
    name = factory.Sequence(lambda n: f"Quiz {n}")
    time_limit_minutes = 30
    grace_minutes = 10
    attempts_allowed = 1


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    quiz = factory.SubFactory(QuizFactory)
    text = factory.Sequence(lambda n: f"Question {n}?")
    kind = Question.Kind.MULTIPLE_CHOICE
    marks = 1


class ChoiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Choice

    question = factory.SubFactory(QuestionFactory)
    text = factory.Sequence(lambda n: f"Answer {n}")
    correct = False


def quiz_with_questions(**kwargs) -> tuple[Quiz, Question, Question]:
    """A quiz with one multiple-choice question (its second choice correct) and one essay."""
    quiz = QuizFactory(**kwargs)
    choice_question = QuestionFactory(quiz=quiz, text="Which sign means danger?", position=1)
    ChoiceFactory(question=choice_question, text="Green")
    ChoiceFactory(question=choice_question, text="Red", correct=True)
    essay = QuestionFactory(
        quiz=quiz, text="Describe a safe workplace.", kind=Question.Kind.ESSAY, position=2
    )
    return quiz, choice_question, essay
