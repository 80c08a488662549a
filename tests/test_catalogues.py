"""Pages in the user's language: every template marks its texts for translation, and every
translation catalogue (the project's locale/ and each app's own <app>/locale/) is complete,
up to date with the code and compiled.

To update the catalogues: `make messages`, translate what is new or changed (no empty or fuzzy
entry), `make compilemessages`; the .mo files are committed.
"""

import gettext
import os
import re
import shlex
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.template.base import Lexer, TokenType

from tests import pofile

BASE = Path(settings.BASE_DIR)
LOCALE = Path(settings.LOCALE_PATHS[0])
LANGUAGES = [code for code, _name in settings.LANGUAGES if code != "en"]
HOW = "run make messages, translate, then make compilemessages (README, Languages)"

# Template directories still being marked for translation: checked and reported as expected
# failures (xfail) until then. Every template is marked now; a new unmarked one fails.
PENDING: set[str] = set()

# Text that is not language and needs no translation, as it appears in a template once its
# {{ }} and {% %} are taken out. Keep it small; explain each.
NOT_LANGUAGE: set[str] = set()

# Elements whose content is not prose to translate.
SKIPPED_ELEMENTS = {"script", "style", "code", "pre"}
# Attributes a person reads or hears.
VISIBLE_ATTRIBUTES = {"aria-label", "placeholder", "title", "alt", "aria-description"}
BUTTONS = {"submit", "button", "reset"}
# A placeholder for each {{ }} and {% %} of the template: a space, so that a tag whose
# attributes hold one (`<details{% if open %} open{% endif %}>`) still parses as a tag.
MARK = " "
LETTER = re.compile(r"[^\W\d_]")


def template_files() -> list[Path]:
    """Every template of the project: templates/ and each project app's templates/ dir."""
    roots = [BASE / "templates"]
    for app in apps.get_app_configs():
        path = Path(app.path)
        if path.is_relative_to(BASE) and ".venv" not in path.parts:
            roots.append(path / "templates")
    files = {f for root in roots if root.is_dir() for f in root.rglob("*") if f.is_file()}
    return sorted(f for f in files if f.suffix in {".html", ".txt"})


def outside_translations(source: str) -> str:
    """The template's text outside {% translate %} and {% blocktranslate %}...{% end... %},
    each tag and variable replaced by MARK, comments left out."""
    parts, until = [], None
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.COMMENT:
            continue
        name = token.contents.split()[0] if token.contents.strip() else ""
        if until:
            if token.token_type == TokenType.BLOCK and name == until:
                until = None
                parts.append(MARK)
            continue
        if token.token_type == TokenType.TEXT:
            parts.append(token.contents)
            continue
        if token.token_type == TokenType.BLOCK and name in ("blocktranslate", "blocktrans"):
            until = f"end{name}"
        elif token.token_type == TokenType.BLOCK and name == "comment":
            until = "endcomment"
        parts.append(MARK)
    return "".join(parts)


class _Texts(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.skipping: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in SKIPPED_ELEMENTS:
            self.skipping.append(tag)
        for name, value in attrs:
            if name in VISIBLE_ATTRIBUTES and value:
                self.texts.append(value)
            # An input button shows its value (a <button>'s value is sent, not shown).
            if tag == "input" and name == "value" and dict(attrs).get("type") in BUTTONS:
                self.texts.append(value or "")

    def handle_endtag(self, tag):
        if self.skipping and self.skipping[-1] == tag:
            self.skipping.pop()

    def handle_data(self, data):
        if not self.skipping:
            self.texts.append(data)


def unmarked_texts(source: str) -> list[str]:
    """The user-visible texts of a template that are not marked for translation."""
    parser = _Texts()
    parser.feed(outside_translations(source))
    parser.close()
    found = []
    for text in parser.texts:
        text = " ".join(text.replace(MARK, " ").split())
        if text and LETTER.search(text) and text not in NOT_LANGUAGE:
            found.append(text)
    return found


def _template_param(path: Path):
    name = str(path.relative_to(BASE))
    marks = []
    if any(name.startswith(prefix) for prefix in PENDING):
        marks.append(pytest.mark.xfail(reason="marked by the features/ work (PENDING)"))
    return pytest.param(path, id=name, marks=marks)


@pytest.mark.parametrize("path", [_template_param(p) for p in template_files()])
def test_every_text_of_the_template_is_marked_for_translation(path):
    unmarked = unmarked_texts(path.read_text(encoding="utf-8"))
    assert unmarked == [], (
        f"{path.relative_to(BASE)} shows text not marked for translation (use {{% translate %}} "
        "or {% blocktranslate trimmed %}): " + "; ".join(repr(t) for t in unmarked)
    )


def test_the_template_check_finds_unmarked_text_and_passes_marked_text():
    source = (
        '{% load i18n %}<h1>Alerts</h1><button aria-label="Close">{% translate "Close" %}'
        "</button><p>{% blocktranslate trimmed %}Hello {{ name }}{% endblocktranslate %}</p>"
        "<script>var x = 'not prose';</script><p>{{ a }} · {{ b }}</p>{# a comment #}"
        '<input placeholder="{% translate "Search" %}"><span title="Full date">x</span>'
    )
    assert unmarked_texts(source) == ["Alerts", "Close", "Full date", "x"]


# The catalogues: the project's and each app's own.


def catalogues() -> list[Path]:
    """Each locale dir: the project's (LOCALE_PATHS) and each app's <app>/locale/."""
    found = [LOCALE]
    for pattern in ("*/locale", "features/*/locale"):
        found += [p for p in sorted(BASE.glob(pattern)) if p.is_dir() and p != LOCALE]
    return found


CATALOGUES = catalogues()


def _id(locale: Path) -> str:
    return str(locale.relative_to(BASE))


def gettext_tools(*names: str) -> None:
    missing = [name for name in names if shutil.which(name) is None]
    if missing:
        pytest.fail(
            f"These tests need GNU gettext ({', '.join(missing)}): apt-get install gettext",
            pytrace=False,
        )


def messages_ignore() -> list[str]:
    """The --ignore options `make messages` gives the project's makemessages."""
    makefile = (BASE / "Makefile").read_text(encoding="utf-8")
    line = re.search(r"^MESSAGES_IGNORE := (.*)$", makefile, re.M)
    assert line, "the Makefile has no MESSAGES_IGNORE"
    return shlex.split(line.group(1))


def entries(po: Path) -> dict:
    return {e.key: e for e in pofile.read(po) if not e.obsolete}


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """What `make messages` would write now, run on a copy of the project: locale dir ->
    language -> the fresh .po file."""
    gettext_tools("xgettext", "msgmerge", "msguniq")
    copy = tmp_path_factory.mktemp("project") / "project"
    shutil.copytree(
        BASE,
        copy,
        ignore=shutil.ignore_patterns(
            ".venv", "var", ".git", "node_modules", "__pycache__", "*.mo", ".*_cache"
        ),
    )
    languages = [arg for code in LANGUAGES for arg in ("-l", code)]
    # The project's run uses its settings (manage.py); an app's runs in the app's dir alone.
    alone = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}

    def run(command, cwd, env):
        done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
        assert done.returncode == 0, f"{' '.join(command)} failed:\n{done.stdout}{done.stderr}"

    project = {**alone, "DJANGO_SETTINGS_MODULE": "totara_messaging.settings"}
    run(
        [sys.executable, "manage.py", "makemessages", *languages, *messages_ignore()], copy, project
    )
    for locale in CATALOGUES[1:]:
        app = copy / locale.parent.relative_to(BASE)
        # -P: the app's dir is not put on sys.path (site_admin has a logging.py of its own).
        run([sys.executable, "-P", "-m", "django", "makemessages", *languages], app, alone)
    return {
        locale: {
            code: copy / _id(locale) / code / "LC_MESSAGES" / "django.po" for code in LANGUAGES
        }
        for locale in CATALOGUES
    }


@pytest.mark.parametrize("locale", CATALOGUES, ids=_id)
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_catalogue_holds_every_text_of_the_code(locale, language, extracted):
    committed = locale / language / "LC_MESSAGES" / "django.po"
    assert committed.is_file(), f"{_id(locale)} has no {language} catalogue: {HOW}"
    extracted_po = extracted[locale][language]
    fresh = entries(extracted_po) if extracted_po.is_file() else {}  # none: no texts there
    missing = set(fresh) - set(entries(committed))
    assert not missing, (
        f"{committed.relative_to(BASE)} lacks texts of the code ({HOW}):\n"
        + "\n".join(str(fresh[key]) for key in sorted(missing, key=str))
    )


@pytest.mark.parametrize("locale", CATALOGUES, ids=_id)
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_text_is_translated_and_none_is_fuzzy(locale, language):
    po = locale / language / "LC_MESSAGES" / "django.po"
    assert po.is_file(), f"{_id(locale)} has no {language} catalogue: {HOW}"
    problems = [
        f"{'fuzzy' if entry.fuzzy else 'not translated'}: {entry}"
        for entry in entries(po).values()
        if entry.fuzzy or not entry.translated
    ]
    assert problems == [], f"In {po.relative_to(BASE)} (Django ignores fuzzy entries):\n" + (
        "\n".join(problems)
    )


@pytest.mark.parametrize("locale", CATALOGUES, ids=_id)
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_committed_mo_file_is_compiled_from_the_po_file(locale, language, tmp_path):
    gettext_tools("msgfmt")
    messages = locale / language / "LC_MESSAGES"
    compiled = tmp_path / "django.mo"
    done = subprocess.run(
        ["msgfmt", "--check", "-o", str(compiled), str(messages / "django.po")],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, f"msgfmt refuses {messages / 'django.po'}:\n{done.stderr}"
    assert (messages / "django.mo").is_file(), f"{messages} has no django.mo: {HOW}"

    def catalog(path):
        with open(path, "rb") as mo:
            return gettext.GNUTranslations(mo)._catalog

    assert catalog(messages / "django.mo") == catalog(compiled), (
        f"{(messages / 'django.mo').relative_to(BASE)} is stale: make compilemessages"
    )


def test_the_po_reader_reads_contexts_plurals_flags_and_obsolete_entries(tmp_path):
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: fr\\n"\n\n'
        '#: a.html:1\nmsgctxt "urgency"\nmsgid "Low"\nmsgstr "Faible"\n\n'
        '#, fuzzy, python-format\n#| msgid "Old"\nmsgid "%(n)s new"\n'
        'msgstr ""\n"%(n)s "\n"neuf"\n\n'
        'msgid "one"\nmsgid_plural "many"\nmsgstr[0] "un"\nmsgstr[1] ""\n\n'
        '#~ msgid "Gone"\n#~ msgstr "Parti"\n',
        encoding="utf-8",
    )
    low, new, one, gone = pofile.read(po)
    assert (low.key, low.msgstr, low.translated) == (("urgency", "Low"), {0: "Faible"}, True)
    assert new.fuzzy and new.msgstr == {0: "%(n)s neuf"} and new.key == (None, "%(n)s new")
    assert one.msgid_plural == "many" and not one.translated
    assert gone.obsolete and gone.msgid == "Gone"
