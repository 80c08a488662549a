"""The My learning page: programs and certifications, progress, extension requests."""

from alerts.models import Alert
from features.programs import actions
from features.programs.models import Assignment, ExtensionRequest, Program
from features.programs.tests.conftest import courses_of, in_days, make_program


def test_it_lists_the_learners_programs_and_certifications(people, client):
    program = make_program(Program.Kind.PROGRAM, "Induction")
    certification = make_program(Program.Kind.CERTIFICATION, "First aid")
    actions.assign_users(program, [people["lee"]], due_at=in_days(10))
    actions.assign_users(certification, [people["lee"]], due_at=in_days(20))
    actions.assign_users(make_program(name="Not mine"), [people["lou"]], due_at=in_days(5))
    actions.complete_course(people["lee"], courses_of(program)[2])
    client.force_login(people["lee"])
    page = client.get("/programs/my/").content.decode()
    assert "Induction" in page and "First aid" in page and "Not mine" not in page
    assert "1 of 2 course sets complete" in page
    assert "Not certified yet." in page
    assert page.count("Ask for an extension") == 2
    assert '<label for="id_extension-' in page


def test_anonymous_visitors_are_sent_to_log_in(client, db):
    assert client.get("/programs/my/").status_code == 302


def test_asking_for_an_extension_from_the_page(people, client):
    program = make_program()
    actions.assign_users(program, [people["lou"]], due_at=in_days(10))
    assignment = Assignment.objects.get()
    client.force_login(people["lou"])
    prefix = f"extension-{assignment.pk}"
    response = client.post(
        f"/programs/my/{assignment.pk}/extension/",
        {f"{prefix}-date": in_days(20).date().isoformat(), f"{prefix}-reason": "On leave"},
        follow=True,
    )
    page = response.content.decode()
    assert "was sent to your manager" in page
    assert "your manager has not answered yet" in page
    assert "Ask for an extension" not in page
    assert set(Alert.objects.filter(kind="task").values_list("recipient__username", flat=True)) == {
        "mia",
        "tom",
    }


def test_a_bad_date_is_shown_as_an_error_and_nothing_is_asked(people, client):
    program = make_program()
    actions.assign_users(program, [people["lou"]], due_at=in_days(10))
    assignment = Assignment.objects.get()
    client.force_login(people["lou"])
    prefix = f"extension-{assignment.pk}"
    url = f"/programs/my/{assignment.pk}/extension/"
    for value, error in [
        (in_days(-2).date().isoformat(), "already passed"),
        (in_days(3).date().isoformat(), "after the current due date"),
        ("", "Enter the date you need."),
        ("soon", "Enter a date."),
    ]:
        response = client.post(url, {f"{prefix}-date": value})
        assert response.status_code == 400
        page = response.content.decode()
        assert 'role="alert"' in page and error in page
        assert "<details open>" in page
    assert not ExtensionRequest.objects.exists()
    assert not Alert.objects.filter(kind="task").exists()


def test_another_learners_assignment_is_not_found(people, client):
    program = make_program()
    actions.assign_users(program, [people["lou"]], due_at=in_days(10))
    assignment = Assignment.objects.get()
    client.force_login(people["lee"])
    prefix = f"extension-{assignment.pk}"
    response = client.post(
        f"/programs/my/{assignment.pk}/extension/",
        {f"{prefix}-date": in_days(20).date().isoformat()},
    )
    assert response.status_code == 404
    assert not ExtensionRequest.objects.exists()


def test_the_page_runs_a_constant_number_of_queries(people, client, django_assert_num_queries):
    client.force_login(people["lee"])
    actions.assign_users(
        make_program(Program.Kind.CERTIFICATION), [people["lee"]], due_at=in_days(9)
    )
    for n in range(4):
        program = make_program(name=f"More {n}")
        actions.assign_users(program, [people["lee"]], due_at=in_days(10 + n))
        actions.complete_course(people["lee"], courses_of(program)[0])
    actions.request_extension(
        Assignment.objects.get(program__name="More 0"), people["lee"], in_days(30).date()
    )
    # Session, user; assignments with programs and certification states, their course set
    # progress, the course sets' courses, extension requests; completions (programs' records,
    # enrolments); the header's the counters (one query).
    with django_assert_num_queries(9):
        page = client.get("/programs/my/").content.decode()
    assert page.count("<section") == 5
