"""Demo: one HR Import run of the learners that warns about an unknown manager."""

from features.hr_import.actions import import_users
from features.hr_import.models import HrImportRun

CSV = """username,email,full_name,language,timezone,manager_username
lee,lee@example.com,Lee Learner,en,UTC,mia
lou,lou@example.com,Lou Learner,en,,mia
sam,sam@example.com,Sam Student,en,,ghost
"""


def load(people) -> None:
    if HrImportRun.objects.exists():
        return
    import_users(CSV.encode(), source="demo-users.csv", actor=people["admin"])
