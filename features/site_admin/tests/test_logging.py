import datetime as dt
import logging
import uuid
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.utils.module_loading import import_string

import notifications
from features.courses.tests.helpers import french_template
from features.site_admin.logging import NotifyAdminsHandler

from .conftest import emails, told

# A window boundary (a multiple of the 300-second window), so bursts fall in one window.
START = dt.datetime(2026, 3, 10, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def logger():
    """A test logger with the handler, as settings.LOGGING would configure it."""
    log = logging.getLogger(f"tests.site_admin.{uuid.uuid4().hex[:8]}")
    handler = NotifyAdminsHandler()
    log.addHandler(handler)
    log.setLevel(logging.DEBUG)
    log.propagate = False
    yield log
    log.removeHandler(handler)


def at(seconds: float):
    return time_machine.travel(START + dt.timedelta(seconds=seconds), tick=False)


def flush(capture):
    with capture(execute=True):
        call_command("cron", "site_admin.flush_log_bursts", stdout=StringIO())


def test_the_logging_config_names_the_handler_class():
    handler = import_string("features.site_admin.logging.NotifyAdminsHandler")()
    assert isinstance(handler, logging.Handler)
    assert handler.level == logging.WARNING


def test_an_error_is_mailed_to_the_site_admins_at_once(
    admins, logger, django_capture_on_commit_callbacks
):
    with at(10), django_capture_on_commit_callbacks(execute=True):
        logger.error("Payment gateway %s is down", "north")
    assert told("site_admin.errors") == ["ada", "alan"]  # not the inactive one, not a learner
    message = emails("site_admin.errors")[0]
    assert message.subject == "Important error on Learning platform"
    assert "Payment gateway north is down" in message.body
    assert f"Logger: {logger.name}" in message.body
    assert "at March 10, 2026, 10 a.m." in message.body
    assert emails("site_admin.minor_problems") == []


def test_a_warning_becomes_a_minor_problem_and_info_is_ignored(
    admins, logger, django_capture_on_commit_callbacks
):
    with at(10), django_capture_on_commit_callbacks(execute=True):
        logger.info("All is well")
        logger.warning("Disk %d%% full", 91)
    assert told("site_admin.minor_problems") == ["ada", "alan"]
    assert "Disk 91% full" in emails("site_admin.minor_problems")[0].body
    assert emails("site_admin.errors") == []


def test_an_error_reaches_each_admin_in_their_language(
    admins, logger, django_capture_on_commit_callbacks
):
    ada, alan = admins
    alan.language = "fr"
    alan.save()
    french_template(
        "site_admin.errors",
        "Erreur importante sur {{ site_name }}",
        "Bonjour {{ recipient }}, erreur le {{ occurred_at }} :\n\n{{ error }}",
    )
    with at(10), django_capture_on_commit_callbacks(execute=True):
        logger.error("Payment gateway %s is down", "north")
    [to_ada] = emails("site_admin.errors", ada)
    assert to_ada.subject == "Important error on Learning platform"
    assert "A major error was recorded on Learning platform at March 10, 2026, 10 a.m." in (
        to_ada.body
    )
    [to_alan] = emails("site_admin.errors", alan)
    assert to_alan.subject == "Erreur importante sur Learning platform"
    assert "Bonjour Alan, erreur le 10 mars 2026 10:00 :\n\nPayment gateway north is down" in (
        to_alan.body
    )
    assert "A major error" not in to_alan.body


def test_a_minor_problem_reaches_each_admin_in_their_language(
    admins, logger, django_capture_on_commit_callbacks
):
    ada, alan = admins
    alan.language = "fr"
    alan.save()
    french_template(
        "site_admin.minor_problems",
        "Problème mineur sur {{ site_name }}",
        "Bonjour {{ recipient }}, un problème mineur :\n\n{{ problem }}",
    )
    with at(10), django_capture_on_commit_callbacks(execute=True):
        logger.warning("Disk %d%% full", 91)
    [to_ada] = emails("site_admin.minor_problems", ada)
    assert to_ada.subject == "Minor problem on Learning platform"
    assert "A minor problem was recorded on Learning platform:\n\nDisk 91% full" in to_ada.body
    [to_alan] = emails("site_admin.minor_problems", alan)
    assert to_alan.subject == "Problème mineur sur Learning platform"
    assert "Bonjour Alan, un problème mineur :\n\nDisk 91% full" in to_alan.body
    assert "A minor problem" not in to_alan.body


def test_a_burst_summary_reaches_each_admin_in_their_language(
    admins, logger, django_capture_on_commit_callbacks
):
    ada, alan = admins
    alan.language = "fr"
    alan.save()
    french_template(
        "site_admin.errors",
        "Erreur importante sur {{ site_name }}",
        "Bonjour {{ recipient }}, erreur le {{ occurred_at }} :\n\n{{ error }}"
        "{% if repeats %}\n\nC'est arrivé {{ repeats }} fois de plus en {{ window_minutes }} "
        "minutes.{% endif %}\n\nJournal : {{ logger }}\nOù : {{ location }} ({{ function }})",
    )
    capture = django_capture_on_commit_callbacks
    with at(10), capture(execute=True):
        for n in range(50):
            logger.error("Payment %s failed", n)
    with at(301):
        flush(capture)
    [_, to_ada] = emails("site_admin.errors", ada)
    assert "\n\nThis happened 49 more times within 5 minutes of the first report (the last " in (
        to_ada.body
    )
    assert f"\n\nDetails:\nLogger: {logger.name}\nWhere: " in to_ada.body
    assert " in test_a_burst_summary_reaches_each_admin_in_their_language" in to_ada.body
    [_, to_alan] = emails("site_admin.errors", alan)
    assert "Bonjour Alan, erreur le 10 mars 2026 10:00 :\n\nPayment 1 failed" in to_alan.body
    assert "\n\nC'est arrivé 49 fois de plus en 5 minutes.\n\n" in to_alan.body
    assert f"Journal : {logger.name}\nOù : " in to_alan.body
    assert "test_logging.py:" in to_alan.body
    assert "(test_a_burst_summary_reaches_each_admin_in_their_language)" in to_alan.body
    for english in ("This happened", "more times", "Logger:", "Where:", " in test_"):
        assert english not in to_alan.body


def test_a_single_repeat_reads_once_more(admins, logger, django_capture_on_commit_callbacks):
    with at(10), django_capture_on_commit_callbacks(execute=True):
        logger.warning("Disk %d%% full", 91)
        logger.warning("Disk %d%% full", 92)
    with at(301):
        flush(django_capture_on_commit_callbacks)
    summary = emails("site_admin.minor_problems")[-1]
    assert "Disk 92% full\n\nThis happened once more within 5 minutes" in summary.body


def test_an_exception_sends_its_traceback_in_the_details(
    admins, logger, django_capture_on_commit_callbacks
):
    with at(10), django_capture_on_commit_callbacks(execute=True):
        try:
            _ = 1 / 0
        except ZeroDivisionError:
            logger.exception("Report failed")
    body = emails("site_admin.errors")[0].body
    assert "Report failed" in body
    assert "ZeroDivisionError: division by zero" in body


def test_a_burst_of_one_error_is_one_message_and_then_one_with_the_count(
    admins, logger, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    with at(10), capture(execute=True):
        for n in range(50):
            logger.error("Payment %s failed", n)  # one template, different values
    assert told("site_admin.errors") == ["ada", "alan"]
    assert "Payment 0 failed" in emails("site_admin.errors")[0].body

    with at(299):
        flush(capture)
    assert len(emails("site_admin.errors")) == 2  # the window is not over yet
    with at(301):
        flush(capture)
        flush(capture)
    assert told("site_admin.errors") == ["ada", "ada", "alan", "alan"]
    summary = emails("site_admin.errors")[-1]
    assert "This happened 49 more times within 5 minutes of the first report" in summary.body

    mail.outbox.clear()
    with at(400), capture(execute=True):
        logger.error("Payment %s failed", 51)  # a new window: told at once again
    assert told("site_admin.errors") == ["ada", "alan"]


def test_different_problems_are_not_counted_together(
    admins, logger, django_capture_on_commit_callbacks
):
    with at(10), django_capture_on_commit_callbacks(execute=True):
        logger.error("Payment failed")
        logger.error("Export failed")
        logger.warning("Payment failed")  # a warning is another kind of notice
    assert len(emails("site_admin.errors")) == 4
    assert len(emails("site_admin.minor_problems")) == 2
    with at(301):
        flush(django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 6  # no repeats, no summaries


def test_it_never_raises_even_when_sending_fails(admins, logger, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("database is gone")

    monkeypatch.setattr(notifications, "send", broken)
    monkeypatch.setattr(logging, "raiseExceptions", False)  # keep handleError quiet
    with at(10):
        logger.error("Payment failed")  # does not raise
    assert mail.outbox == []


def test_it_never_recurses(admins, logger, monkeypatch, django_capture_on_commit_callbacks):
    real_send = notifications.send
    calls = []

    def logging_send(*args, **kwargs):
        calls.append(args[0])
        logger.error("Logged while sending")  # would loop without the guard
        logging.getLogger("notifications.email").error("The mail server is down")
        return real_send(*args, **kwargs)

    monkeypatch.setattr(notifications, "send", logging_send)
    with at(10), django_capture_on_commit_callbacks(execute=True):
        logger.error("Payment failed")
    assert calls == ["site_admin.errors"]
    assert len(emails("site_admin.errors")) == 2


def test_the_messaging_loggers_are_ignored(admins, django_capture_on_commit_callbacks):
    handler = NotifyAdminsHandler()
    with django_capture_on_commit_callbacks(execute=True):
        for name in ("notifications.email", "celery.app.trace", "features.site_admin.actions"):
            handler.handle(logging.makeLogRecord({"name": name, "levelno": 40, "msg": "x"}))
    assert mail.outbox == []
