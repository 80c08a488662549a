"""Course feedback: responses, reminders (by a trainer, and scheduled), and their messages."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

import notifications
from features.courses import completion
from features.courses.models import Enrolment, trainers_of
from features.feedback.models import (
    FeedbackActivity,
    FeedbackAnswer,
    FeedbackQuestion,
    FeedbackResponse,
)

RATINGS = ("1", "2", "3", "4", "5")


class FeedbackError(ValueError):
    """A response or reminder that cannot be made; `field` names the input that is wrong."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def is_trainer(user, activity: FeedbackActivity) -> bool:
    if user.is_staff:
        return True
    return (
        Enrolment.objects.active()
        .trainers()
        .filter(course_id=activity.course_id, user=user)
        .exists()
    )


def can_see_responses(user, activity: FeedbackActivity) -> bool:
    """Trainers of the course, the activity's feedback administrators, and site staff."""
    return is_trainer(user, activity) or activity.administrators.filter(pk=user.pk).exists()


def non_respondents(activity: FeedbackActivity, now=None):
    """The course's active learners who have not answered: a user QuerySet (one query)."""
    User = get_user_model()
    learners = (
        Enrolment.objects.active(now).learners().filter(course_id=activity.course_id)
    ).values("user_id")
    answered = FeedbackResponse.objects.filter(activity=activity).values("respondent_id")
    return User.objects.filter(pk__in=learners, is_active=True).exclude(pk__in=answered)


def _clean_answers(activity: FeedbackActivity, answers: dict) -> list[tuple[FeedbackQuestion, str]]:
    cleaned = []
    for question in activity.questions.all():
        value = str(answers.get(question.pk, answers.get(str(question.pk), "")) or "").strip()
        if question.required and not value:
            raise FeedbackError(
                _("Answer the question: %(text)s") % {"text": question.text}, f"q{question.pk}"
            )
        if value and question.kind == FeedbackQuestion.Kind.RATING and value not in RATINGS:
            raise FeedbackError(
                _("Rate from 1 to 5: %(text)s") % {"text": question.text}, f"q{question.pk}"
            )
        cleaned.append((question, value))
    return cleaned


@transaction.atomic
def submit_feedback(activity: FeedbackActivity, learner, answers: dict, now=None):
    """Saves the learner's response and, when the activity says so, tells the course's trainers
    and its feedback administrators (without the learner's name if it is anonymous).

    Raises FeedbackError (nothing saved) when the user is not an active learner, the activity
    is not open, they answered already, or an answer is missing or out of range.
    """
    now = now or timezone.now()
    if not (
        Enrolment.objects.active(now)
        .learners()
        .filter(course_id=activity.course_id, user=learner)
        .exists()
    ):
        raise FeedbackError(_("Only the course's learners can answer this feedback."))
    if not activity.is_open(now):
        raise FeedbackError(_("%(activity)s is not open.") % {"activity": activity.name})
    if FeedbackResponse.objects.filter(activity=activity, respondent=learner).exists():
        raise FeedbackError(_("You have answered this feedback already."))
    cleaned = _clean_answers(activity, answers)
    response = FeedbackResponse.objects.create(
        activity=activity, respondent=learner, submitted_at=now
    )
    FeedbackAnswer.objects.bulk_create(
        [FeedbackAnswer(response=response, question=q, value=v) for q, v in cleaned]
    )
    if activity.notify_submissions:
        recipients = set(trainers_of(activity.course_id)) | set(
            activity.administrators.filter(is_active=True).values_list("pk", flat=True)
        )
        notifications.send(
            "feedback.submission_notice",
            sorted(recipients),
            context={
                "feedback": activity.name,
                "course": activity.course.full_name,
                "respondent": "" if activity.anonymous else learner.display_name,
            },
            sender=None if activity.anonymous else learner,
            url=f"{activity.get_absolute_url()}responses/",
            about=[activity.course],
        )
    completion.record(activity, [learner.pk], now=now)
    return response


@transaction.atomic
def remind_non_respondents(activity: FeedbackActivity, trainer, message: str = "") -> int:
    """A trainer emails the learners who have not answered, with their own words if given.

    Returns how many were reminded. Raises FeedbackError when `trainer` does not teach the
    course, the activity is not open, or everyone has answered.
    """
    if not is_trainer(trainer, activity):
        raise FeedbackError(_("Only the course's trainers can send reminders."))
    if not activity.is_open():
        raise FeedbackError(
            _("%(activity)s is not open; there is nothing to remind about.")
            % {"activity": activity.name}
        )
    recipients = non_respondents(activity)
    count = recipients.count()
    if not count:
        raise FeedbackError(_("Every learner has answered; nobody was reminded."))
    notifications.send(
        "feedback.non_respondent_reminder",
        recipients,
        context={
            "feedback": activity.name,
            "course": activity.course.full_name,
            "message": (message or "").strip(),
        },
        sender=trainer,
        url=activity.get_absolute_url(),
        about=[activity.course],
    )
    return count


def remind_to_complete(activity: FeedbackActivity, *, actor=None, scheduled=False, now=None):
    """Sends the "please complete the feedback" alert to the learners who have not answered.

    Scheduled reminders reach each learner once per activity (dedupe key); on demand (an admin
    or trainer asks) it goes to every non-respondent again. Returns send()'s result or None
    when nobody is left to remind.
    """
    recipients = non_respondents(activity, now)
    if not recipients.exists():
        return None
    return notifications.send(
        "feedback.completion_reminder",
        recipients,
        context={
            "feedback": activity.name,
            "course": activity.course.full_name,
            "due_date": activity.closes_at,
        },
        sender=actor,
        url=activity.get_absolute_url(),
        dedupe_key=f"feedback:{activity.pk}:completion_reminder" if scheduled else None,
        about=[activity.course],
    )


def send_due_completion_reminders(now=None) -> dict[str, int]:
    """Scheduled: reminds non-respondents of each open activity `remind_after_days` after it
    opened. Idempotent: once per learner and activity, however often it runs."""
    now = now or timezone.now()
    activities = (
        FeedbackActivity.objects.filter(remind_after_days__isnull=False, opens_at__lte=now)
        .filter(Q(closes_at__isnull=True) | Q(closes_at__gt=now))
        .select_related("course")
    )
    reminded = 0
    for activity in activities:
        if activity.opens_at + timedelta(days=activity.remind_after_days) > now:
            continue
        with transaction.atomic():
            result = remind_to_complete(activity, scheduled=True, now=now)
        if result is not None:
            reminded += result.recipients
    return {"reminded": reminded}
