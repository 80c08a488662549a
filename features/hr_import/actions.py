"""HR Import: create and update users and their managers from a CSV file, then tell the admins.

The command line (`manage.py hr_import users.csv`) and the admin's upload both call
import_users(). Bad rows are reported by line and field and skipped; good rows are imported.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

import notifications
from features.hr_import import parsing
from features.hr_import.models import HrImportRun, HrImportSettings
from features.job_assignments.models import JobAssignment

Status = HrImportRun.Status
USER_FIELDS = ("email", "full_name", "language", "timezone")
CHUNK = 1000


def _users_by_username(usernames) -> dict:
    User = get_user_model()
    usernames = list(usernames)
    found = {}
    for start in range(0, len(usernames), CHUNK):
        chunk = usernames[start : start + CHUNK]
        found.update({u.username: u for u in User.objects.filter(username__in=chunk)})
    return found


@transaction.atomic
def import_users(content: bytes | str, *, source: str, actor=None) -> HrImportRun:
    """Imports users from CSV `content` and records the run (HrImportRun).

    Columns: username (required), email (required for a new user), full_name, language,
    timezone, manager_username; a blank value leaves the field as it is. A row with an error is
    skipped and reported; a warning reports something the row could not do (e.g. an unknown
    manager) while the rest of the row is imported. A file that cannot be read at all makes a
    failed run. Ends with the errors and/or warnings alert to the configured recipients.
    Costs a constant number of queries per 1,000 rows.
    """
    run = HrImportRun(source=source[:255], started_by=actor, status=Status.SUCCESS)
    try:
        rows, issues = parsing.read(content)
    except parsing.UnreadableFile as error:
        issues = [parsing.Issue(0, "", parsing.ERROR, str(error))]
        rows = []
        run.status = Status.FAILED
    _apply(run, rows)
    issues = issues + [issue for row in rows for issue in row.issues]
    issues.sort(key=lambda i: (i.line, i.level != parsing.ERROR))
    run.issues = [i.as_dict() for i in issues]
    run.row_count = len(rows)
    run.rejected_count = sum(1 for row in rows if row.rejected)
    run.error_count = sum(1 for i in issues if i.level == parsing.ERROR)
    run.warning_count = sum(1 for i in issues if i.level == parsing.WARNING)
    if run.status != Status.FAILED:
        if run.error_count:
            run.status = Status.ERRORS
        elif run.warning_count:
            run.status = Status.WARNINGS
    run.finished_at = timezone.now()
    run.save()
    _tell(run)
    return run


def _apply(run: HrImportRun, rows: list[parsing.Row]) -> None:
    """Creates and updates the users of the good rows, then their managers."""
    User = get_user_model()
    good = [row for row in rows if not row.rejected]
    existing = _users_by_username(row.values["username"] for row in good)
    to_create, to_update, changed_fields = [], [], set()
    touched: set[str] = set()
    for row in good:
        values = row.values
        username = values["username"]
        user = existing.get(username)
        if user is None:
            if not values.get("email"):
                row.error("email", _("is required for a new user."))
                continue
            user = User(
                username=username,
                email=values["email"],
                full_name=values.get("full_name") or username,
                language=values.get("language") or "en",
                timezone=values.get("timezone") or "UTC",
            )
            user.set_unusable_password()
            to_create.append(user)
            continue
        changed = [
            name for name in USER_FIELDS if values.get(name) and getattr(user, name) != values[name]
        ]
        for name in changed:
            setattr(user, name, values[name])
        if changed:
            to_update.append(user)
            changed_fields.update(changed)
            touched.add(username)
    User.objects.bulk_create(to_create, batch_size=CHUNK)
    if to_update:
        User.objects.bulk_update(to_update, sorted(changed_fields), batch_size=CHUNK)
    created = {u.username for u in to_create}
    touched |= _set_managers([row for row in good if not row.rejected])
    run.created_count = len(created)
    run.updated_count = len(touched - created)
    run.unchanged_count = sum(1 for row in good if not row.rejected) - len(created | touched)


def _set_managers(rows: list[parsing.Row]) -> set[str]:
    """Sets each row's manager on the user's first job assignment (made if there is none).

    Returns the usernames whose manager changed. An unknown manager is a warning: the user is
    imported, their manager left as it was.
    """
    wanted = {
        row.values["username"]: (row, row.values["manager_username"])
        for row in rows
        if row.values.get("manager_username")
        and row.values["manager_username"] != row.values["username"]
    }
    if not wanted:
        return set()
    people = _users_by_username(set(wanted) | {m for _row, m in wanted.values()})
    user_ids = [people[u].pk for u in wanted if u in people]
    assignments = {}
    for assignment in JobAssignment.objects.filter(user_id__in=user_ids).order_by("-id"):
        assignments[assignment.user_id] = assignment  # the first (lowest id) wins
    to_create, to_update, changed = [], [], set()
    for username, (row, manager_username) in wanted.items():
        manager = people.get(manager_username)
        if manager is None:
            row.warn(
                "manager_username",
                _("%(username)s is not a user; the manager is unchanged.")
                % {"username": repr(manager_username)},
            )
            continue
        user = people[username]
        assignment = assignments.get(user.pk)
        if assignment is None:
            to_create.append(JobAssignment(user=user, manager=manager))
        elif assignment.manager_id != manager.pk:
            assignment.manager = manager
            to_update.append(assignment)
        else:
            continue
        changed.add(username)
    JobAssignment.objects.bulk_create(to_create, batch_size=CHUNK)
    JobAssignment.objects.bulk_update(to_update, ["manager"], batch_size=CHUNK)
    return changed


def _tell(run: HrImportRun) -> None:
    """The errors alert and/or the warnings alert, as the settings say, once per run."""
    config = HrImportSettings.load()
    sends = []
    if run.error_count and config.notify_errors:
        sends.append(("hr_import.errors", {"error_count": run.error_count}))
    if run.warning_count and config.notify_warnings:
        sends.append(("hr_import.warnings", {"warning_count": run.warning_count}))
    if not sends:
        return
    recipients = config.recipients_queryset()
    for key, counts in sends:
        notifications.send(
            key,
            recipients,
            context={"finished_at": run.finished_at, "elements": "users", **counts},
            url=f"/admin/hr_import/hrimportrun/{run.pk}/change/",
            dedupe_key=f"hr_import:run:{run.pk}",
        )
