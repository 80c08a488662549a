"""Plan courses completed in the courses app complete in the plan, once, from cron."""

from datetime import timedelta
from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from alerts.models import Alert
from features.courses.models import Enrolment
from features.plans.models import Plan


def run_cron():
    call_command("cron", "plans.complete_courses", stdout=StringIO())


def test_a_course_completed_in_its_course_completes_the_plan_item_once(approved, people, course):
    run_cron()
    assert not Alert.objects.exists()
    Enrolment.objects.create(
        course=course, user=people["lee"], completed_at=timezone.now() - timedelta(hours=1)
    )
    Enrolment.objects.create(course=course, user=people["olive"], completed_at=timezone.now())
    run_cron()
    run_cron()
    rows = Alert.objects.filter(key="plans.course_completed")
    assert set(rows.values_list("recipient__username", flat=True)) == {"mia", "tom"}
    assert rows.count() == 2
    item = approved.items.get(kind="course")
    assert item.completed_at is not None


def test_completing_the_last_item_from_cron_completes_the_plan(approved, people, course):
    for item in approved.items.exclude(kind="course"):
        item.completed_at = timezone.now()
        item.save()
    Enrolment.objects.create(course=course, user=people["lee"], completed_at=timezone.now())
    run_cron()
    approved.refresh_from_db()
    assert approved.status == Plan.Status.COMPLETED
    assert set(
        Alert.objects.filter(key="plans.plan_completed").values_list(
            "recipient__username", flat=True
        )
    ) == {"lee", "mia", "tom"}


def test_courses_of_plans_not_approved_wait(draft, people, course):
    Enrolment.objects.create(course=course, user=people["lee"], completed_at=timezone.now())
    run_cron()
    assert draft.items.get(kind="course").completed_at is None
    assert not Alert.objects.exists()
