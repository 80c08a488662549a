import pytest

from accounts.factories import AdminFactory, UserFactory
from features.appraisals.factories import AppraisalFactory, StageFactory
from features.appraisals.models import Role
from features.job_assignments.factories import JobAssignmentFactory


@pytest.fixture
def people(db):
    """lee reports to mia, mia to ada (lee's team lead); tara appraises; admin runs it."""
    names = ["lee", "mia", "ada", "tara", "olive"]
    users = {name: UserFactory(username=name, full_name=f"{name.title()} Person") for name in names}
    users["admin"] = AdminFactory(username="admin")
    JobAssignmentFactory(user=users["lee"], manager=users["mia"])
    JobAssignmentFactory(user=users["mia"], manager=users["ada"])
    return users


@pytest.fixture
def appraisal(people):
    appraisal = AppraisalFactory(
        name="Annual review", learner=people["lee"], appraiser=people["tara"]
    )
    StageFactory(appraisal=appraisal, name="Self review", position=1, roles=[Role.LEARNER])
    StageFactory(
        appraisal=appraisal,
        name="Manager review",
        position=2,
        roles=[Role.MANAGER, Role.TEAM_LEAD],
    )
    StageFactory(
        appraisal=appraisal, name="Wrap-up", position=3, roles=[Role.APPRAISER, Role.LEARNER]
    )
    return appraisal
