import pytest

from accounts.factories import UserFactory
from features.job_assignments.factories import JobAssignmentFactory


@pytest.fixture
def people(db):
    """lee is the learner, mia their manager; lou, sam and olive are colleagues."""
    users = {
        name: UserFactory(username=name, full_name=f"{name.title()} Person")
        for name in ["lee", "mia", "lou", "sam", "olive"]
    }
    JobAssignmentFactory(user=users["lee"], manager=users["mia"])
    return users
