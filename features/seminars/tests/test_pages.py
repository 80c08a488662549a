from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.factories import AdminFactory, UserFactory
from alerts.models import Alert
from features.seminars import actions
from features.seminars.models import Booking, Seminar, Session, SessionTrainer

from .conftest import make_session, told


@pytest.fixture
def logged_in(client, lee):
    client.force_login(lee)
    return client


def test_the_seminar_page_lists_sessions_in_a_constant_number_of_queries(
    logged_in, seminar, lee, tara, django_assert_max_num_queries
):
    def add_session():
        session = make_session(seminar)
        SessionTrainer.objects.create(session=session, trainer=tara)
        actions.book(session, UserFactory())
        return session

    add_session()
    with django_assert_max_num_queries(20) as few:
        assert logged_in.get(f"/seminars/{seminar.pk}/").status_code == 200
    for _ in range(4):
        actions.book(add_session(), lee)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = logged_in.get(f"/seminars/{seminar.pk}/")
    html = response.content.decode()
    assert html.count("Tara Trainer") == 5
    assert html.count("Booked</span>") == 4
    assert html.count("8 of 10") == 4  # a learner and lee on each new session


def test_a_learner_books_from_the_page(logged_in, session):
    response = logged_in.post(f"/seminars/sessions/{session.pk}/book", follow=True)
    assert "You are booked" in response.content.decode()
    assert told("seminars.booking_confirmation") == ["lee"]


def test_a_request_for_approval_is_made_from_the_page_with_a_note(logged_in, approval_session):
    response = logged_in.post(
        f"/seminars/sessions/{approval_session.pk}/book", {"note": "Please"}, follow=True
    )
    assert "sent to your manager for approval" in response.content.decode()
    assert Booking.objects.get().note == "Please"
    assert told("seminars.approval_request") == ["mia"]


def test_a_bad_booking_shows_the_error_and_changes_nothing(logged_in, seminar, lee):
    session = make_session(seminar, capacity=0, allow_waitlist=False)
    response = logged_in.post(f"/seminars/sessions/{session.pk}/book")
    assert response.status_code == 400
    assert '<p class="error" role="alert">This session is full.</p>' in response.content.decode()
    assert not Booking.objects.exists()
    assert logged_in.post("/seminars/sessions/999999/book").status_code == 404


def test_the_page_offers_the_wait_list_when_full(logged_in, seminar):
    make_session(seminar, capacity=0)
    assert "Join the wait-list" in logged_in.get(f"/seminars/{seminar.pk}/").content.decode()


def test_a_full_session_without_a_wait_list_offers_no_button(logged_in, seminar):
    make_session(seminar, capacity=0, allow_waitlist=False)
    page = logged_in.get(f"/seminars/{seminar.pk}/").content.decode()
    assert "Join the wait-list" not in page and ">Book<" not in page
    assert '<span class="meta">Full</span>' in page


def test_my_bookings_lists_mine_and_cancels_them(
    logged_in, seminar, lee, django_assert_max_num_queries
):
    bookings = [actions.book(make_session(seminar, days=d), lee) for d in (3, 4, 5)]
    actions.book(make_session(seminar), UserFactory(username="sam"))
    with django_assert_max_num_queries(12):
        response = logged_in.get("/seminars/bookings/")
    html = response.content.decode()
    assert html.count("Cancel booking") == 3
    response = logged_in.post(
        f"/seminars/bookings/{bookings[0].pk}/cancel", {"reason": "Ill"}, follow=True
    )
    assert "Your booking is cancelled." in response.content.decode()
    bookings[0].refresh_from_db()
    assert (bookings[0].status, bookings[0].reason) == ("cancelled", "Ill")
    assert told("seminars.booking_cancellation") == ["lee"]
    again = logged_in.post(f"/seminars/bookings/{bookings[0].pk}/cancel")
    assert again.status_code == 400
    assert 'role="alert">This booking is already cancelled.' in again.content.decode()


def test_someone_elses_booking_cannot_be_cancelled(logged_in, session):
    theirs = actions.book(session, UserFactory(username="sam"))
    assert logged_in.post(f"/seminars/bookings/{theirs.pk}/cancel").status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "confirmed"


def test_pages_need_a_login(client, seminar):
    assert client.get(f"/seminars/{seminar.pk}/").status_code == 302
    assert client.get("/seminars/bookings/").status_code == 302


def test_the_list_shows_upcoming_sessions_in_a_constant_number_of_queries(
    logged_in, seminar, django_assert_max_num_queries
):
    make_session(seminar)
    with django_assert_max_num_queries(20) as few:
        assert "1 upcoming session" in logged_in.get("/seminars/").content.decode()
    for n in range(3):
        make_session(Seminar.objects.create(name=f"Seminar {n}"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = logged_in.get("/seminars/").content.decode()
    assert html.count("1 upcoming session") == 4


# Admin ----------------------------------------------------------------------------------------


@pytest.fixture
def admin_client(client, db):
    client.force_login(AdminFactory())
    return client


def _session_form(session, **changes):
    starts = timezone.localtime(session.starts_at)
    ends = timezone.localtime(session.ends_at)
    form = {
        "seminar": session.seminar_id,
        "starts_at_0": starts.strftime("%Y-%m-%d"),
        "starts_at_1": starts.strftime("%H:%M:%S"),
        "ends_at_0": ends.strftime("%Y-%m-%d"),
        "ends_at_1": ends.strftime("%H:%M:%S"),
        "room": session.room,
        "capacity": session.capacity,
        "allow_waitlist": "on",
        "trainer_links-TOTAL_FORMS": "0",
        "trainer_links-INITIAL_FORMS": "0",
        "trainer_links-MIN_NUM_FORMS": "0",
        "trainer_links-MAX_NUM_FORMS": "1000",
    }
    form.update(changes)
    return form


def test_the_admin_assigns_trainers_through_the_actions(admin_client, session, tara):
    url = f"/admin/seminars/session/{session.pk}/change/"
    form = _session_form(
        session,
        **{
            "trainer_links-TOTAL_FORMS": "1",
            "trainer_links-0-trainer": tara.pk,
            "trainer_links-0-session": session.pk,
        },
    )
    assert admin_client.post(url, form).status_code == 302
    assert told("seminars.trainer_confirmation") == ["tara"]
    link = SessionTrainer.objects.get()
    form = _session_form(
        session,
        **{
            "trainer_links-TOTAL_FORMS": "1",
            "trainer_links-INITIAL_FORMS": "1",
            "trainer_links-0-id": link.pk,
            "trainer_links-0-trainer": tara.pk,
            "trainer_links-0-session": session.pk,
            "trainer_links-0-DELETE": "on",
        },
    )
    assert admin_client.post(url, form).status_code == 302
    assert told("seminars.trainer_unassigned") == ["tara"]
    assert not SessionTrainer.objects.exists()


def test_the_admin_moves_a_session_through_the_action(admin_client, session, lee):
    actions.book(session, lee)
    url = f"/admin/seminars/session/{session.pk}/change/"
    past = _session_form(session, starts_at_0="2020-01-01")
    assert b"The new start must be in the future" in admin_client.post(url, past).content
    assert told("seminars.booking_datetime_changed") == []
    later = timezone.localtime(session.starts_at + timedelta(days=1))
    moved = _session_form(session, starts_at_0=later.strftime("%Y-%m-%d"))
    moved["ends_at_0"] = timezone.localtime(session.ends_at + timedelta(days=1)).strftime(
        "%Y-%m-%d"
    )
    assert admin_client.post(url, moved).status_code == 302
    session.refresh_from_db()
    assert session.starts_at == later
    assert told("seminars.booking_datetime_changed") == ["lee"]


def test_the_admin_cancels_sessions_with_an_action(admin_client, session, lee, tara):
    actions.assign_trainer(session, tara)
    actions.book(session, lee)
    response = admin_client.post(
        "/admin/seminars/session/",
        {"action": "cancel_sessions", "_selected_action": [session.pk]},
        follow=True,
    )
    assert "Cancelled 1 session" in response.content.decode()
    assert told("seminars.trainer_session_cancellation") == ["tara"]
    assert told("seminars.booking_cancellation") == ["lee"]
    assert Session.objects.get().is_cancelled


def test_admin_lists_render(admin_client, session, lee):
    actions.book(session, lee)
    for url in ("/admin/seminars/seminar/", "/admin/seminars/session/", "/admin/seminars/booking/"):
        assert admin_client.get(url).status_code == 200
    assert Alert.objects.exists()
