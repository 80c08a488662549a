"""Demo: a timed quiz in "Workplace safety"; Lou submits an attempt, Sam has one open."""

from features.courses.models import Course
from features.quizzes import actions
from features.quizzes.models import Attempt, Choice, Question, Quiz


def load(people) -> None:
    course = Course.objects.filter(short_name="SAFETY").first()
    if course is None:
        return
    quiz, created = Quiz.objects.get_or_create(
        course=course,
        name="Safety signs",
        defaults={
            "description": "Five minutes on the signs you see every day.",
            "time_limit_minutes": 10,
            "grace_minutes": 5,
            "attempts_allowed": 2,
            # The course completes when its quiz is passed and its feedback submitted.
            "completion_required": True,
            "pass_mark": 1,
        },
    )
    if created:
        signs = Question.objects.create(quiz=quiz, text="Which colour means danger?", position=1)
        Choice.objects.bulk_create(
            [
                Choice(question=signs, text="Green"),
                Choice(question=signs, text="Red", correct=True),
                Choice(question=signs, text="Blue"),
            ]
        )
        Question.objects.create(
            quiz=quiz,
            text="What do you do when the fire alarm sounds?",
            kind=Question.Kind.ESSAY,
            position=2,
        )
    if not Attempt.objects.filter(quiz=quiz).exists():
        signs, essay = quiz.questions.all()
        red = signs.choices.get(correct=True)
        attempt = actions.start_attempt(quiz, people["lou"])
        actions.submit_attempt(
            attempt,
            people["lou"],
            {
                signs.pk: str(red.pk),
                essay.pk: "Leave by the nearest exit and go to the meeting point.",
            },
        )
        actions.start_attempt(quiz, people["sam"])
