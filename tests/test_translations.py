"""The language pack (locale/): the catalogue's texts and the email layout in French, German
and Spanish, complete, renderable, and used when a message is sent."""

import re
from datetime import UTC, datetime, timedelta
from io import StringIO
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.utils import translation

from accounts.factories import UserFactory
from features.courses.tests.helpers import emails
from features.job_assignments.factories import JobAssignmentFactory
from features.programs import actions
from features.programs.models import MessageSetting
from features.programs.tests.conftest import make_program, setting
from notifications import catalogue
from notifications.catalogue import TemplateProblem
from notifications.management.commands.catalogue import STRINGS_MODULE, strings_module

LANGUAGES = [code for code, _ in settings.LANGUAGES if code != "en"]
LOCALE = Path(settings.LOCALE_PATHS[0])

UPDATE = (
    "make messages, translate the new or changed msgids in locale/*/LC_MESSAGES/django.po "
    "(and features/<app>/locale/, no empty or fuzzy entries), then make compilemessages"
)

# Texts that rightly read the same as the English in a language: (language, English text).
SAME_AS_ENGLISH: set[tuple[str, str]] = {
    # A product name.
    *((language, "Totara Core") for language in ("fr", "de", "es")),
    # The same word in French and German.
    ("fr", "Feedback"),
    ("de", "Feedback"),
    ("fr", "Forum"),
    ("de", "Forum"),
    ("de", "Seminar"),
    ("fr", "Certifications"),
    ("fr", "Audiences"),
    ("fr", "Badges"),
}

# The names a template uses: {{ name }} (with or without filters) and {% if/elif/for name %}.
_NAMES = re.compile(r"{{\s*([A-Za-z_]\w*)|{%\s*(?:if|elif|for \w+ in)\s+(?:not\s+)?([A-Za-z_]\w*)")


def names(source: str) -> set[str]:
    return {a or b for a, b in _NAMES.findall(source)}


def test_the_catalogue_strings_module_is_up_to_date():
    assert STRINGS_MODULE.read_text(encoding="utf-8") == strings_module(), (
        "notifications/catalogue_strings.py does not match the catalogue. Update the "
        f"translations: {UPDATE}."
    )


def test_the_strings_command_writes_the_module(tmp_path, monkeypatch):
    from notifications.management.commands import catalogue as command

    target = tmp_path / "catalogue_strings.py"
    monkeypatch.setattr(command, "STRINGS_MODULE", target)
    out = StringIO()
    call_command("catalogue", "--strings", stdout=out)
    assert target.read_text(encoding="utf-8") == strings_module()
    assert "gettext_noop(" in target.read_text(encoding="utf-8")
    assert "Wrote" in out.getvalue()


def test_the_strings_module_marks_every_text_of_the_catalogue_exactly():
    from notifications.catalogue_strings import STRINGS

    texts = {
        text
        for t in catalogue.all_types()
        for text in (t.subject, t.body, t.html)
        if text  # the module lists each distinct text once
    }
    assert len(STRINGS) == len(texts)
    assert set(STRINGS) == texts


def test_the_strings_module_marks_every_word_pages_show_of_the_catalogue():
    from notifications.catalogue_strings import NAMES
    from notifications.management.commands.catalogue import NAME_PARTS

    words = {getattr(t, part) for t in catalogue.all_types() for part in NAME_PARTS} - {""}
    assert set(NAMES) == words and len(NAMES) == len(words)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_name_and_description_of_the_catalogue_is_translated(language):
    from notifications.catalogue_strings import NAMES

    with translation.override(language):
        untranslated = [
            word
            for word in NAMES
            if catalogue.shown(word) == word and (language, word) not in SAME_AS_ENGLISH
        ]
    assert untranslated == [], f"In locale/{language}/ ({UPDATE}): " + "; ".join(untranslated)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_default_text_is_translated_into_a_template_of_its_type(language):
    problems = []
    with translation.override(language):
        for message_type in catalogue.all_types():
            for part in ("subject", "body", "html"):
                english = getattr(message_type, part)
                if not english:
                    continue
                translated = translation.gettext(english)
                where = f"{message_type.key} {part}"
                if translated == english and (language, english) not in SAME_AS_ENGLISH:
                    problems.append(f"{where}: not translated")
                    continue
                try:
                    message_type.check_template(translated)
                except TemplateProblem as problem:
                    problems.append(f"{where}: {problem}")
                if names(translated) != names(english):
                    problems.append(
                        f"{where}: uses {sorted(names(translated))}, "
                        f"the English uses {sorted(names(english))}"
                    )
    assert problems == [], f"In locale/{language}/ (to update: {UPDATE}):\n" + "\n".join(problems)


@pytest.fixture
def due_program(db):
    """Induction, due on 31 March 2026 for a French learner whose manager reads German; the
    due message goes out 7 days before, with a copy to the manager."""
    start = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
    french = UserFactory(full_name="Camille Martin", language="fr", timezone="Europe/Paris")
    german = UserFactory(full_name="Jonas Weber", language="de", timezone="Europe/Berlin")
    JobAssignmentFactory(user=french, manager=german)
    program = make_program(name="Induction")
    for message in MessageSetting.Message.values:
        setting(program, message, enabled=message == MessageSetting.Message.DUE)
    setting(program, MessageSetting.Message.DUE, offset_days=7, notify_manager=True)
    with time_machine.travel(start, tick=False):
        actions.assign_users(program, [french], due_at=start + timedelta(days=30))
    return program, french, german, start


def test_a_due_program_is_emailed_in_each_recipients_language(
    due_program, django_capture_on_commit_callbacks
):
    program, french, german, start = due_program
    key = program.key("due")
    with (
        time_machine.travel(start + timedelta(days=23, hours=1), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        call_command("cron", "programs.send_scheduled_messages", stdout=StringIO())

    [to_learner] = emails(key, french)
    assert to_learner.subject == "Induction : échéance le 31 mars 2026 12:00"
    assert "Le programme Induction arrive à échéance le 31 mars 2026" in to_learner.body
    assert "En tant que responsable" not in to_learner.body
    assert "Ne plus recevoir ces e-mails :" in to_learner.body
    assert "Modifier vos préférences de messagerie :" in to_learner.body
    html = to_learner.alternatives[0][0]
    assert "Ne plus recevoir ces e-mails</a>" in html

    [to_manager] = emails(key, german)
    assert to_manager.subject == "Induction ist am 31. März 2026 12:00 fällig"
    assert (
        "Als Führungskraft von Camille Martin erhalten Sie eine Kopie dieser Nachricht."
        in to_manager.body
    )
    assert "Das Programm Induction ist am 31. März 2026 12:00 fällig." in to_manager.body
    assert "Diese E-Mails abbestellen:" in to_manager.body
    assert "Diese E-Mails abbestellen</a>" in to_manager.alternatives[0][0]
