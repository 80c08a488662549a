from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import CommandError, call_command

from accounts.factories import AdminFactory, UserFactory
from alerts.models import Alert
from features.hr_import.actions import import_users
from features.hr_import.models import HrImportRun, HrImportSettings
from features.job_assignments.factories import JobAssignmentFactory
from features.job_assignments.models import JobAssignment, managers_of

User = get_user_model()
HEADER = "username,email,full_name,language,timezone,manager_username\n"


def told(key):
    return sorted(Alert.objects.filter(key=key).values_list("recipient__username", flat=True))


@pytest.fixture
def admin(db):
    return AdminFactory(username="ada")


def test_it_creates_and_updates_users_and_their_managers(admin, django_assert_max_num_queries):
    lee = UserFactory(username="lee", email="old@example.com", full_name="Lee Old")
    content = HEADER + (
        "lee,lee@example.com,Lee Learner,fr,Europe/Paris,mia\n"
        "mia,mia@example.com,Mia Manager,,,\n"
        "sam,sam@example.com,,,,mia\n"
    )
    with django_assert_max_num_queries(30):
        run = import_users(content, source="users.csv")
    assert (run.status, run.row_count, run.created_count, run.updated_count) == (
        "success",
        3,
        2,
        1,
    )
    assert (run.error_count, run.warning_count, run.rejected_count) == (0, 0, 0)
    lee.refresh_from_db()
    assert (lee.email, lee.full_name, lee.language, lee.timezone) == (
        "lee@example.com",
        "Lee Learner",
        "fr",
        "Europe/Paris",
    )
    mia, sam = User.objects.get(username="mia"), User.objects.get(username="sam")
    assert (sam.full_name, sam.language, sam.timezone, sam.has_usable_password()) == (
        "sam",
        "en",
        "UTC",
        False,
    )
    assert managers_of([lee.pk, sam.pk, mia.pk]) == {
        lee.pk: {mia.pk},
        sam.pk: {mia.pk},
        mia.pk: set(),
    }
    # A clean run tells nobody.
    assert not Alert.objects.exists()


def test_the_query_count_does_not_grow_with_the_rows(admin, django_assert_max_num_queries):
    def content(n, offset):
        return HEADER + "".join(
            f"u{i},u{i}@example.com,User {i},en,UTC,boss\n" for i in range(offset, offset + n)
        )

    UserFactory(username="boss")
    with django_assert_max_num_queries(40) as small:
        import_users(content(3, 0), source="a.csv")
    with django_assert_max_num_queries(len(small.captured_queries)):
        run = import_users(content(60, 100), source="b.csv")
    assert run.created_count == 60


def test_a_second_run_with_the_same_file_changes_nothing(admin):
    content = HEADER + "kim,kim@example.com,Kim,en,UTC,\n"
    import_users(content, source="a.csv")
    run = import_users(content, source="a.csv")
    assert (run.created_count, run.updated_count, run.unchanged_count) == (0, 0, 1)


def test_an_existing_job_assignments_manager_is_changed_not_duplicated(admin):
    lee, old, new = (UserFactory(username=u) for u in ("lee", "old", "new"))
    JobAssignmentFactory(user=lee, manager=old)
    run = import_users(HEADER + "lee,,,,,new\n", source="a.csv")
    assert run.updated_count == 1
    assert list(
        JobAssignment.objects.filter(user=lee).values_list("manager__username", flat=True)
    ) == ["new"]


def test_bad_rows_are_reported_by_line_and_field_and_good_rows_kept(
    admin, django_capture_on_commit_callbacks
):
    content = HEADER + (
        "good,good@example.com,Good,en,UTC,\n"
        ",nobody@example.com,,,,\n"
        "bad email,not-an-email,,xx,Mars/Base,\n"
        "new,,,,,\n"
        "good,again@example.com,,,,\n"
        "warned,warned@example.com,,,,ghost\n"
    )
    with django_capture_on_commit_callbacks(execute=True):
        run = import_users(content, source="users.csv")
    assert set(User.objects.values_list("username", flat=True)) == {"ada", "good", "warned"}
    assert (run.status, run.created_count, run.rejected_count) == ("errors", 2, 4)
    assert (run.error_count, run.warning_count) == (7, 1)
    report = run.report.splitlines()
    assert report == [
        "line 3, username: error: is required.",
        "line 4, username: error: 'bad email' may contain only letters, digits and @.+-_.",
        "line 4, email: error: 'not-an-email' is not a valid email address.",
        "line 4, language: error: 'xx' is not a site language (de, en, es, fr).",
        "line 4, timezone: error: 'Mars/Base' is not a known time zone (e.g. Europe/London).",
        "line 5, email: error: is required for a new user.",
        "line 6, username: error: 'good' appears again (first on line 2); this row is ignored.",
        "line 7, manager_username: warning: 'ghost' is not a user; the manager is unchanged.",
    ]
    # The run ends with both alerts to the site admins (no recipients configured).
    assert told("hr_import.errors") == ["ada"]
    assert told("hr_import.warnings") == ["ada"]
    assert Alert.objects.count() == 2
    errors = Alert.objects.get(key="hr_import.errors")
    assert errors.urgency == "urgent"
    assert errors.event.url == f"/admin/hr_import/hrimportrun/{run.pk}/change/"
    subjects = sorted(m.subject for m in mail.outbox)
    assert subjects == [
        "HR Import finished with 1 warning",
        "HR Import finished with 7 errors",
    ]


def test_warnings_alone_send_the_warnings_alert_to_the_configured_recipients(admin):
    hr = UserFactory(username="hr", is_staff=True, is_superuser=True)
    config = HrImportSettings.load()
    config.recipients.set([hr])
    run = import_users(HEADER + "kim,kim@example.com,,,,kim\n", source="a.csv")
    assert run.status == "warnings"
    assert run.report == (
        "line 2, manager_username: warning: a user cannot be their own manager; "
        "the manager is unchanged."
    )
    assert told("hr_import.warnings") == ["hr"]
    assert told("hr_import.errors") == []


def test_the_settings_can_turn_an_alert_off(admin):
    config = HrImportSettings.load()
    config.notify_warnings = False
    config.save()
    import_users(HEADER + "kim,kim@example.com,,,,ghost\n", source="a.csv")
    assert not Alert.objects.exists()


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "The file is empty"),
        (b"email,full_name\nx@example.com,X\n", "the header has no username column"),
        (b"username\n\xff\xfe\n", "not UTF-8"),
    ],
)
def test_an_unreadable_file_fails_the_run_and_imports_nothing(admin, content, message):
    run = import_users(content, source="bad.csv")
    assert run.status == "failed"
    assert run.error_count == 1
    assert message in run.report
    assert User.objects.count() == 1
    assert told("hr_import.errors") == ["ada"]


def test_unknown_columns_and_extra_values_are_warnings(admin):
    content = "username,email,department\nkim,kim@example.com,Sales,extra\n"
    run = import_users(content.encode("utf-8-sig"), source="a.csv")
    assert run.created_count == 1
    assert run.report.splitlines() == [
        "line 1, department: warning: unknown column, ignored.",
        "line 2: warning: has 4 values for 3 columns; extras ignored.",
    ]


def test_the_command_imports_a_file(admin, tmp_path):
    path = tmp_path / "users.csv"
    path.write_text(HEADER + "kim,kim@example.com,Kim,,,ghost\n")
    out = StringIO()
    call_command("hr_import", str(path), "--by", "ada", stdout=out)
    assert "1 created" in out.getvalue()
    assert "line 2, manager_username: warning" in out.getvalue()
    run = HrImportRun.objects.get()
    assert run.started_by == admin
    assert run.source == "users.csv"
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("hr_import", str(tmp_path / "missing.csv"))


def test_the_admin_uploads_a_file(admin, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(admin)
    form = client.get("/admin/hr_import/hrimportrun/add/")
    assert b'<label for="id_file" class="required">CSV file:</label>' in form.content
    upload = SimpleUploadedFile("people.csv", (HEADER + "kim,kim@example.com,,,,\n").encode())
    response = client.post("/admin/hr_import/hrimportrun/add/", {"file": upload}, follow=True)
    assert b"Success: 1 created" in response.content
    run = HrImportRun.objects.get()
    assert run.started_by == admin
    assert client.get("/admin/hr_import/hrimportrun/").status_code == 200
    settings_page = client.get("/admin/hr_import/hrimportsettings/", follow=True)
    assert settings_page.status_code == 200
    assert b"notify_errors" in settings_page.content
    missing = client.post("/admin/hr_import/hrimportrun/add/", {})
    assert b'role="alert"' in missing.content
    assert HrImportRun.objects.count() == 1
