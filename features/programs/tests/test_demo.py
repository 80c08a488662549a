"""The demo shows programs and certifications working, and loads twice without change."""

from alerts.models import Alert
from features.certifications import demo as certifications_demo
from features.certifications.models import LearnerCertification
from features.programs import demo as programs_demo
from features.programs.models import Assignment, ExtensionRequest


def test_the_demo_loads_once_and_shows_the_feature(people):
    for _ in range(2):
        programs_demo.load(people)
        certifications_demo.load(people)
    assert Assignment.objects.filter(program__name="New starter induction").count() == 3
    assert Assignment.objects.filter(program__name="First aid certificate").count() == 3
    assert ExtensionRequest.objects.get().status == "pending"
    tasks = Alert.objects.filter(key="programs.extension_request", kind="task", done_at=None)
    assert set(tasks.values_list("recipient__username", flat=True)) == {"mia", "tom"}
    due = set(
        Alert.objects.filter(key="programs.due").values_list("recipient__username", flat=True)
    )
    assert due == {"lee", "sam", "mia"}
    assert Alert.objects.filter(
        key="programs.courseset_completed", recipient__username="lee"
    ).exists()
    assert LearnerCertification.objects.get().assignment.user.username == "sam"
    assert Alert.objects.filter(key="certifications.completed").count() == 1
