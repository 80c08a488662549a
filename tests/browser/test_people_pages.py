"""In Chromium: the notification centre pages, profiles, a course's People block, appraisals,
360 feedback, learning plans and seminars, each used as a person would, with what it changes in
the database and who is told."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.factories import UserFactory
from alerts import actions as inbox
from alerts.models import Alert
from features.appraisals import actions as appraisals
from features.appraisals.factories import AppraisalFactory, StageFactory
from features.appraisals.models import Answer, Role
from features.courses.factories import CourseFactory, EnrolmentFactory
from features.feedback360.models import FeedbackRequest
from features.job_assignments.factories import JobAssignmentFactory
from features.plans import actions as plans
from features.plans.models import Plan
from features.seminars.models import Booking, Seminar, Session
from instant.models import Conversation, Message
from notifications import send
from notifications.factories import context_for
from notifications.live import counts_for

from .conftest import CHROMIUM, log_in, log_out

pytestmark = pytest.mark.browser

# Steps that wait for a server round trip which sends mail (Celery runs eagerly): allow more
# than expect()'s 5 seconds on a busy machine.
SLOW = 20_000


@pytest.fixture(scope="module")
def browser():
    """One Chromium for this module's tests, each in a context (cookies, storage) of its own:
    starting Playwright and Chromium costs about as much as one of these tests."""
    if not CHROMIUM:
        pytest.skip("no Chromium: install Debian's chromium (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with pytest.MonkeyPatch.context() as patch, sync_api.sync_playwright() as playwright:
        # Playwright runs an event loop in this thread; the tests' ORM calls stay synchronous.
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"],
        )
        yield browser
        browser.close()


def web_alert(user, key, **context):
    """An alert or task in the web inbox only (no email), for setting the scene quickly."""
    send(key, [user], context=context_for(key, **context), outputs=["web"])
    return Alert.objects.filter(recipient=user).latest("id")


def test_the_alerts_page_filters_pages_and_dismisses_the_selected(page):
    lee = UserFactory(username="lee", full_name="Lee Learner")
    web_alert(lee, "plans.plan_approved", plan="Become a team lead")
    web_alert(lee, "programs.exception_report", program="Safety basics")  # urgent by type
    due = [
        web_alert(lee, "programs.due", program=f"Course {n:02}", due_date="1 June")
        for n in range(1, 22)
    ]
    due[-1].read_at = timezone.now()
    due[-1].save(update_fields=["read_at"])

    log_in(page, "lee")
    expect(page.locator('[data-count="alerts"]')).to_have_text("22")
    page.get_by_role("link", name="Alerts 22").click()
    rows = page.locator("tbody tr")
    expect(page.get_by_role("navigation", name="Pages")).to_contain_text("Page 1 of 2")
    expect(rows).to_have_count(20)
    expect(rows.first).to_contain_text("Course 21 is due on 1 June")
    expect(rows.first).to_contain_text("Read")
    page.get_by_role("link", name="Older").click()
    expect(page.get_by_role("navigation", name="Pages")).to_contain_text("Page 2 of 2")
    expect(rows).to_have_count(3)
    expect(rows.last).to_contain_text("Your plan Become a team lead was approved")

    page.get_by_label("Urgency").select_option("urgent")
    page.get_by_role("button", name="Filter").click()
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("Urgent: Assignment exception in Safety basics")

    page.get_by_label("Urgency").select_option("")
    page.get_by_label("Feature").select_option("plans")
    page.get_by_role("button", name="Filter").click()
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("Your plan Become a team lead was approved")

    page.get_by_label("Feature").select_option("programs")
    page.get_by_label("Unread only").check()
    page.get_by_role("button", name="Filter").click()
    expect(rows.first).to_contain_text("Course 20 is due")  # the read one is left out
    page.get_by_label("Select: Course 20 is due").check()
    page.get_by_label("Select: Course 19 is due").check()
    page.get_by_role("button", name="Dismiss selected").click()
    expect(page.get_by_role("status")).to_contain_text("2 alerts dismissed.")
    expect(page.get_by_label("Unread only")).to_be_checked()  # back on the same filters
    expect(rows.first).to_contain_text("Course 18 is due")
    expect(page.locator('[data-count="alerts"]')).to_have_text("20")
    assert set(
        Alert.objects.filter(recipient=lee, read_at__isnull=False).values_list("pk", flat=True)
    ) == {due[-1].pk, due[-2].pk, due[-3].pk}


def test_the_tasks_page_filters_by_state_urgency_and_feature(page, asgi_server):
    lee = UserFactory(username="lee", full_name="Lee Learner")
    done = web_alert(lee, "appraisals.activation", appraisal="Annual review")
    asgi_server.run_as_request(inbox.act_on_task, lee, done.pk, "dismiss")
    web_alert(lee, "programs.extension_request", program="Safety basics", learner="Ann Author")
    send(
        "plans.plan_requested",
        [lee],
        context=context_for("plans.plan_requested", plan="Become a team lead", learner="Bob"),
        urgency="urgent",
        outputs=["web"],
    )

    log_in(page, "lee")
    page.get_by_role("link", name="Tasks 2").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tasks")
    tasks = page.locator("main .items > li")
    expect(tasks).to_have_count(3)
    expect(page.locator(f"#task-{done.pk}")).to_contain_text("Marked done by Lee Learner")

    page.get_by_label("Open only").check()
    page.get_by_role("button", name="Filter").click()
    expect(tasks).to_have_count(2)
    expect(page.locator("main")).not_to_contain_text("Annual review")

    page.get_by_label("Urgency").select_option("urgent")
    page.get_by_role("button", name="Filter").click()
    expect(tasks).to_have_count(1)
    expect(tasks).to_contain_text("Urgent: Bob asks you to approve the plan Become a team lead")

    page.get_by_label("Urgency").select_option("")
    page.get_by_label("Feature").select_option("programs")
    page.get_by_role("button", name="Filter").click()
    expect(tasks).to_have_count(1)
    expect(tasks).to_contain_text("Ann Author asks for an extension of Safety basics")
    expect(page.get_by_label("Open only")).to_be_checked()


def test_a_task_is_marked_done_from_the_tasks_page(page):
    lee = UserFactory(username="lee", full_name="Lee Learner")
    task = web_alert(lee, "appraisals.activation", appraisal="Annual review")

    log_in(page, "lee")
    page.goto("/tasks/")
    page.locator(f"#task-{task.pk}").get_by_role("button", name="Mark done").click()
    expect(page.get_by_role("status")).to_contain_text("Marked done: the task is closed.")
    expect(page.locator('[data-count="tasks"]')).to_have_text("0")
    task.refresh_from_db()
    assert task.done_at is not None and task.action == "dismiss"


def test_the_message_button_of_a_profile_opens_the_conversation(page):
    ann = UserFactory(username="ann", full_name="Ann Author")
    bob = UserFactory(username="bob", full_name="Bob Reader")
    course = CourseFactory(full_name="Leading meetings")
    EnrolmentFactory(course=course, user=ann)
    EnrolmentFactory(course=course, user=bob)

    log_in(page, "ann")
    page.goto(f"/users/{bob.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Bob Reader")
    page.get_by_role("button", name="Message", exact=True).click()
    conversation = Conversation.objects.get()
    expect(page).to_have_url(re.compile(rf"/messages/{conversation.pk}/$"))
    expect(page.locator("#thread h2")).to_have_text("Bob Reader")
    box = page.get_by_label("Message", exact=True)
    box.fill("Are you free on Monday?")
    box.press("Enter")
    expect(page.locator("#thread")).to_contain_text("Are you free on Monday?")
    assert conversation.kind == Conversation.Kind.ONE_TO_ONE
    assert set(conversation.memberships.values_list("user__username", flat=True)) == {
        "ann",
        "bob",
    }
    assert counts_for(bob)["messages"] == 1


def test_a_trainer_messages_two_chosen_participants_from_the_people_block(page):
    tina = UserFactory(username="tina", full_name="Tina Trainer")
    course = CourseFactory(full_name="Leading meetings")
    EnrolmentFactory(course=course, user=tina, role="trainer")
    lee, mia, olive = (
        EnrolmentFactory(course=course, user=UserFactory(username=name, full_name=full)).user
        for name, full in [("lee", "Lee Learner"), ("mia", "Mia Member"), ("olive", "Olive")]
    )

    log_in(page, "tina")
    page.goto(f"/people/{course.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("People in Leading meetings")
    page.get_by_label("Lee Learner").check()
    page.get_by_label("Mia Member").check()
    page.get_by_label("Message to each selected person").fill("The room has changed to B2.")
    page.get_by_role("button", name="Send a message to selected").click()
    expect(page.get_by_role("status")).to_contain_text("Message sent to 2 people.")

    page.get_by_role("link", name="Messages").click()
    conversations = page.get_by_role("navigation", name="Conversations")
    expect(conversations.get_by_role("link")).to_have_count(2)
    expect(conversations).to_contain_text("The room has changed to B2.")
    sent = Message.objects.filter(body="The room has changed to B2.", sender=tina)
    assert sorted(
        member
        for message in sent.select_related("conversation")
        for member in message.conversation.memberships.exclude(user=tina).values_list(
            "user__username", flat=True
        )
    ) == ["lee", "mia"]
    assert all(c.kind == Conversation.Kind.ONE_TO_ONE for c in Conversation.objects.all())
    assert [counts_for(u)["messages"] for u in (lee, mia, olive)] == [1, 1, 0]


def test_a_learner_completes_their_stage_and_the_manager_gets_the_task(page):
    lee = UserFactory(username="lee", full_name="Lee Learner")
    mia = UserFactory(username="mia", full_name="Mia Manager")
    JobAssignmentFactory(user=lee, manager=mia)
    appraisal = AppraisalFactory(name="Annual review", learner=lee)
    StageFactory(appraisal=appraisal, name="Self review", position=1, roles=[Role.LEARNER])
    StageFactory(appraisal=appraisal, name="Manager review", position=2, roles=[Role.MANAGER])
    appraisals.activate_appraisal(appraisal)

    log_in(page, "lee")
    page.get_by_role("link", name="Appraisals").click()
    page.get_by_role("link", name="Annual review").click()
    page.get_by_label("Your answer as learner").fill("A good year: I ran the team meetings.")
    page.get_by_role("button", name="Complete my part as learner").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Your part of this stage is complete.", timeout=SLOW
    )
    manager_stage = page.get_by_role("region", name="Manager review")
    expect(manager_stage).to_contain_text("Current stage")
    expect(page.get_by_label("Your answer as learner")).to_have_count(0)
    assert Answer.objects.get().text == "A good year: I ran the team meetings."
    assert not Alert.objects.filter(recipient=lee, kind="task", done_at__isnull=True).exists()
    log_out(page)

    log_in(page, "mia")
    tasks = page.locator("#block-tasks")
    expect(tasks).to_contain_text("Annual review: Manager review is ready for you", timeout=SLOW)
    tasks.get_by_role(
        "link", name="Annual review: Manager review is ready for you", exact=True
    ).click()
    expect(page.get_by_label("Your answer as manager")).to_be_visible()
    assert Alert.objects.filter(
        recipient=mia, key="appraisals.stage_completion", kind="task", done_at__isnull=True
    ).exists()


def test_an_external_responder_answers_360_feedback_by_the_link_in_the_email(
    browser, page, asgi_server, settings, mailoutbox
):
    settings.SITE_URL = asgi_server.url  # the link in the email leads to this test's server
    lee = UserFactory(username="lee", full_name="Lee Learner")
    olive = UserFactory(username="olive", full_name="Olive Colleague")

    log_in(page, "lee")
    page.get_by_role("link", name="360 feedback").click()
    page.get_by_role("link", name="Ask for feedback").click()
    expect(page.get_by_label("Feedback on")).to_have_value(str(lee.pk))
    page.get_by_label("What is the feedback about?").fill("Running meetings")
    people = page.get_by_label("People on the site to ask")
    expect(people).to_have_accessible_description("Hold Ctrl (or Cmd) to choose several.")
    people.select_option(label="Olive Colleague")
    page.get_by_label("Other people to ask, by email address").fill("Partner@Example.org")
    page.get_by_role("button", name="Send the request").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Your request for feedback has been sent.", timeout=SLOW
    )
    answers = page.get_by_role("region", name="Answers")
    expect(answers).to_contain_text("partner@example.org (by email)")
    feedback = FeedbackRequest.objects.get()
    assert sorted(str(r.user_id or r.email) for r in feedback.responders.all()) == sorted(
        [str(olive.pk), "partner@example.org"]
    )
    assert Alert.objects.filter(recipient=olive, key="feedback360.request", kind="task").exists()
    (email,) = [m for m in mailoutbox if m.to == ["partner@example.org"]]
    link = re.search(rf"{re.escape(asgi_server.url)}/feedback360/external/\S+", email.body)
    assert link, email.body

    # Someone without an account, in a browser of their own.
    outsider = browser.new_context()
    external = outsider.new_page()
    external.goto(link.group())
    expect(external.get_by_role("heading", level=1)).to_have_text("Feedback on Lee Learner")
    external.get_by_label("Your feedback").fill("Clear agendas, and the meetings end on time.")
    external.get_by_role("button", name="Send my feedback").click()
    expect(external.get_by_role("status")).to_contain_text("Thank you: your feedback was received")
    outsider.close()
    answered = feedback.responders.get(email="partner@example.org")
    assert answered.answered_at is not None
    assert answered.answer == "Clear agendas, and the meetings end on time."

    # The requester sees the answer on the request (no message tells them: see the report).
    page.reload()
    expect(answers).to_contain_text("Clear agendas, and the meetings end on time.")


def test_a_plan_is_approved_from_the_managers_tasks_and_the_learner_is_told(page):
    lee = UserFactory(username="lee", full_name="Lee Learner")
    mia = UserFactory(username="mia", full_name="Mia Manager")
    JobAssignmentFactory(user=lee, manager=mia)
    plan = plans.create_plan(lee, "Become a team lead")
    plans.add_item(plan, lee, kind="objective", name="Run the weekly meeting")

    log_in(page, "lee")
    page.get_by_role("link", name="Plans").click()
    page.get_by_role("link", name="Become a team lead").click()
    the_plan = page.get_by_role("region", name="The plan", exact=True)
    expect(the_plan.get_by_label("Plan name")).to_have_value("Become a team lead")
    # The add form has a comment of its own: each label says which it is.
    page.get_by_label("Comment on the plan for your manager (optional)").fill("Ready for review")
    the_plan.get_by_role("button", name="Ask my manager to approve the plan").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Your manager has been asked to approve the plan.", timeout=SLOW
    )
    expect(page.locator(".banner")).to_contain_text("awaits the manager's approval")
    log_out(page)

    log_in(page, "mia")
    tasks = page.locator("#block-tasks")
    expect(tasks).to_contain_text(
        "Lee Learner asks you to approve the plan Become a team lead", timeout=SLOW
    )
    tasks.get_by_label("Comment (optional)").fill("Good plan")
    tasks.get_by_role("button", name="Approve").click()
    expect(tasks).to_contain_text("You have no open tasks", timeout=SLOW)
    plan.refresh_from_db()
    assert plan.status == Plan.Status.APPROVED
    assert Alert.objects.filter(recipient=lee, key="plans.plan_approved").exists()
    log_out(page)

    log_in(page, "lee")
    expect(page.locator("#block-alerts")).to_contain_text(
        "Your plan Become a team lead was approved", timeout=SLOW
    )
    page.goto(f"/plans/{plan.pk}/")
    expect(page.locator("main .meta").first).to_contain_text("Approved")


def test_booking_a_session_that_has_just_filled_up_is_refused_with_the_reason(page):
    lee = UserFactory(username="lee", full_name="Lee Learner")
    olive = UserFactory(username="olive", full_name="Olive Other")
    seminar = Seminar.objects.create(name="Fire safety workshop")
    start = timezone.now() + timedelta(days=7)
    session = Session.objects.create(
        seminar=seminar,
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        room="Training room 2",
        capacity=1,
        allow_waitlist=False,
    )

    log_in(page, "lee")
    page.get_by_role("navigation", name="Learning").get_by_role("link", name="Seminars").click()
    expect(page.locator("main")).to_contain_text("1 upcoming session")
    page.get_by_role("link", name="Fire safety workshop").click()
    row = page.locator(f"#session-{session.pk}")
    expect(row).to_contain_text("1 of 1")
    # Someone else takes the last place while the page is open.
    Booking.objects.create(session=session, user=olive, status=Booking.Status.CONFIRMED)
    row.get_by_role("button", name="Book").click()
    expect(page.get_by_role("alert")).to_have_text("This session is full.")
    expect(row).to_contain_text("0 of 1")
    assert not Booking.objects.filter(user=lee).exists()
    assert not Alert.objects.filter(recipient=lee).exists()
