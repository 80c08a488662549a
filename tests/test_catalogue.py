"""The catalogue in code against the specification in shared/seed/catalogue.md."""

import importlib.util
import json
import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from notifications import catalogue
from notifications.catalogue import Kind

SHARED_TOOL = Path(__file__).resolve().parents[2] / "shared" / "tools" / "catalogue_keys.py"


def catalogue_json():
    out = StringIO()
    call_command("catalogue", "--json", stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.skipif(not SHARED_TOOL.exists(), reason="../shared/ is not beside this checkout")
def test_every_key_of_the_specification_is_declared_with_its_kind():
    spec = importlib.util.spec_from_file_location("catalogue_keys", SHARED_TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    required = module.required()
    have = {row["key"]: row["kind"] for row in catalogue_json()}
    assert {k: have.get(k) for k in required} == required
    assert set(have) == set(required), "keys declared that the specification does not list"


def test_the_json_has_the_public_fields():
    rows = catalogue_json()
    assert len(rows) > 90
    for row in rows:
        assert {"key", "feature", "kind", "outputs", "recipients", "placeholders"} <= set(row)
        assert set(row["outputs"]) == {"web", "email", "push"}
        assert all({"name", "description", "required"} <= set(p) for p in row["placeholders"])


def test_the_table_lists_every_type():
    out = StringIO()
    call_command("catalogue", stdout=out)
    assert f"{len(catalogue.all_types())} message types" in out.getvalue()


@pytest.mark.parametrize("message_type", catalogue.all_types(), ids=lambda t: t.key)
def test_templates_parse_and_use_only_declared_placeholders(message_type):
    for source in (message_type.subject, message_type.body, message_type.html or ""):
        message_type.check_template(source)
    assert "\n" not in message_type.subject.strip()


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        ("{{ program }} is due", None),
        ("{% for c in courses %}{{ c }}{% endfor %} {{ recipient }}", None),
        ("{% for c in courses %}{% if not forloop.last %},{% endif %}{% endfor %}", None),
        ("{% if forloop.last %}x{% endif %}", "Unknown placeholder {{ forloop }}"),
        ("{{ progam }} is due", "Unknown placeholder {{ progam }}. Available: "),
        ("{% if nope %}x{% endif %}", "Unknown placeholder {{ nope }}"),
        ("{% if program %}unclosed", "syntax error"),
        ("{% load static %}", "syntax error"),
    ],
)
def test_a_template_check_names_what_is_wrong(source, problem):
    check = catalogue.TemplateProblem if problem else None
    names = {"program", "courses", "recipient"}
    if check is None:
        catalogue.check_template(source, names)
    else:
        with pytest.raises(check, match=re.escape(problem)):
            catalogue.check_template(source, names)


def test_defaults_follow_the_kind():
    for t in catalogue.all_types():
        if t.kind in (Kind.TASK, Kind.ALERT):
            assert t.outputs["web"].permission == "forced"
        if t.kind == Kind.EMAIL:
            assert t.outputs["email"].logged_off and t.outputs["email"].logged_in


def test_an_unknown_key_is_an_error():
    with pytest.raises(catalogue.UnknownMessageType):
        catalogue.get("programs.nonsense")


def test_a_malformed_declaration_is_refused():
    feature = catalogue.Feature("programs", "Program management")
    with pytest.raises(catalogue.CatalogueError):
        feature.message(
            "courses.due",
            kind="alert",
            name="x",
            description="",
            recipients="",
            subject="",
            body="",
        )
    with pytest.raises(catalogue.CatalogueError):
        feature.message(
            "programs.due",
            kind="alert",
            name="x",
            description="",
            recipients="",
            subject="",
            body="",
        )
    with pytest.raises(catalogue.CatalogueError):
        feature.message(
            "programs.nope",
            kind="memo",
            name="x",
            description="",
            recipients="",
            subject="",
            body="",
        )
