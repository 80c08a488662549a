"""Demo: lee's annual review, activated, so lee, mia (manager), the admin (team lead, as mia's
manager) and tara (appraiser) each have an appraisal task."""

from datetime import timedelta

from django.utils import timezone

from features.appraisals.actions import activate_appraisal
from features.appraisals.models import Appraisal, Role, Stage
from features.job_assignments.models import JobAssignment


def load(people) -> None:
    admin, mia, lee, tara = people["admin"], people["mia"], people["lee"], people["tara"]
    # The team lead is the manager's manager: the demo's mia reports to the admin.
    JobAssignment.objects.get_or_create(
        user=mia, defaults={"title": "Team manager", "manager": admin}
    )
    appraisal, created = Appraisal.objects.get_or_create(
        name="Annual review", learner=lee, defaults={"appraiser": tara}
    )
    if created:
        now = timezone.now()
        Stage.objects.bulk_create(
            [
                Stage(
                    appraisal=appraisal,
                    position=1,
                    name="Self review",
                    roles=[Role.LEARNER],
                    due_at=now + timedelta(days=14),
                ),
                Stage(
                    appraisal=appraisal,
                    position=2,
                    name="Manager review",
                    roles=[Role.MANAGER, Role.TEAM_LEAD],
                    due_at=now + timedelta(days=28),
                ),
                Stage(
                    appraisal=appraisal,
                    position=3,
                    name="Appraiser's conclusion",
                    roles=[Role.APPRAISER, Role.LEARNER],
                    due_at=now + timedelta(days=42),
                ),
            ]
        )
    if appraisal.status == Appraisal.Status.DRAFT:
        activate_appraisal(appraisal, admin)
