"""The documented error codes come from the refusal classes, and stay in step with them."""

import importlib
import pkgutil
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

import yiyang
from yiyang.assessment.errors import AnswersInvalid, Problem
from yiyang.core import error_codes as catalogue
from yiyang.core.error_codes import (
    BEGIN,
    END,
    error_codes,
    error_codes_table,
    refusal_classes,
    with_error_codes,
)
from yiyang.core.exceptions import DomainError, NotFound, ValidationFailed

DOCS = Path(yiyang.__file__).resolve().parent.parent / "docs" / "api.md"
# Modules that are not the platform's code, or cannot be imported on their own.
NOT_WALKED = (".tests", ".migrations", "yiyang.settings", "yiyang.wsgi", "yiyang.conftest")


def _every_module():
    for info in pkgutil.walk_packages(yiyang.__path__, "yiyang."):
        if not any(part in info.name for part in NOT_WALKED):
            importlib.import_module(info.name)


def _all_subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _all_subclasses(sub)


def test_every_refusal_class_says_its_code_status_and_meaning():
    # given every refusal class of the installed apps
    classes = refusal_classes()
    assert NotFound in classes and AnswersInvalid in classes
    for cls in classes:
        # then each has its own code, an HTTP error status and a sentence for third parties
        assert cls.code and cls.code != DomainError.code, cls
        assert 400 <= cls.status < 600, cls
        assert cls.description().endswith("."), cls
        for code, meaning in cls.answer_codes().items():
            assert code and meaning.endswith("."), (cls, code)


def test_every_refusal_class_in_the_package_lives_where_the_list_looks():
    # given every module of the platform imported, commands and views included
    _every_module()
    listed = set(refusal_classes())
    # then no refusal class outside the tests escapes the list of codes
    strays = [
        f"{cls.__module__}.{cls.__qualname__}"
        for cls in _all_subclasses(DomainError)
        if ".tests" not in cls.__module__ and cls not in listed
    ]
    assert strays == []


def test_a_code_has_one_status_unless_a_subclass_changes_it_deliberately():
    # given the classes that answer with each code
    by_code: dict[str, list[type[DomainError]]] = {}
    for cls in refusal_classes():
        for code in cls.answer_codes():
            by_code.setdefault(code, []).append(cls)
    for code, classes in by_code.items():
        for a in classes:
            for b in classes:
                # then two classes differ in status only where one refines the other
                if a.status != b.status:
                    assert issubclass(a, b) or issubclass(b, a), (code, a, b)
    # and the one deliberate case is the schema's 422 beside the rules' 400
    assert {e.status for e in error_codes() if e.code == "invalid"} == {400, 422}


def test_the_codes_third_parties_rely_on_keep_their_statuses():
    known = {(e.code, e.status) for e in error_codes()}
    promised = {
        ("unauthenticated", 401),
        ("forbidden", 403),
        ("csrf_failed", 403),
        ("not_found", 404),
        ("method_not_allowed", 405),
        ("invalid", 422),
        ("invalid", 400),
        ("malformed_json", 400),
        ("bad_cursor", 400),
        ("conflict", 409),
        ("elder_not_editable", 409),
        ("bad_transition", 409),
        ("policy_missing", 409),
        ("open_case_exists", 409),
        ("reapply_barred", 409),
        ("pool_too_small", 409),
        ("already_submitted", 409),
        ("unknown_instrument", 404),
        ("missing_item", 400),
        ("unknown_item", 400),
        ("bad_score", 400),
        ("bad_type", 400),
        ("unknown_field", 400),
        ("bad_diagnosis", 400),
        ("unknown_risk_event", 400),
        ("bad_risk_event", 400),
        ("bad_request", 400),
    }
    assert promised <= known, promised - known


def test_a_code_chosen_when_raised_must_be_one_the_class_declares():
    # when a refusal is raised with a code its class does not declare
    with pytest.raises(ValueError, match="does not declare"):
        ValidationFailed(code="bad_cursor")
    # then only a declared one is taken
    refusal = AnswersInvalid([Problem("bad_score", "ADL1", "no such option")])
    assert refusal.code == "bad_score"
    assert refusal.code in AnswersInvalid.answer_codes()


def test_a_grading_problem_with_an_unknown_code_cannot_be_made():
    with pytest.raises(ValueError, match="not one of the graders' codes"):
        Problem("bad_mood", None, "the assessor is tired")


def test_docs_api_md_holds_the_table_of_the_classes():
    # given the API documentation as committed
    text = DOCS.read_text(encoding="utf-8")
    # then its table between the markers is the one the classes give today
    assert BEGIN in text and END in text
    assert with_error_codes(text) == text, "run `yiyang error-codes --write docs/api.md`"
    for entry in error_codes():
        assert f"| `{entry.code}` | {entry.status} |" in text


def test_a_new_refusal_class_makes_the_documentation_stale(monkeypatch):
    # given a refusal class added in a module the list reads
    class ParcelLost(DomainError):
        """A parcel went missing."""

        code = "parcel_lost"
        status = 410

    modules = [*catalogue.refusal_modules(), __name__]
    monkeypatch.setattr(catalogue, "refusal_modules", lambda: modules)
    text = DOCS.read_text(encoding="utf-8")
    # then the table names it and the committed documentation no longer matches
    assert "| `parcel_lost` | 410 | A parcel went missing. |" in error_codes_table()
    assert with_error_codes(text) != text


def test_the_command_writes_the_table_between_the_markers_and_checks_it(tmp_path, capsys):
    # given a Markdown file with an outdated table between the markers
    doc = tmp_path / "api.md"
    doc.write_text(f"# API\n\n{BEGIN}\n| old |\n{END}\n\nThe end.\n", encoding="utf-8")
    # when it is checked, it is reported stale
    with pytest.raises(CommandError, match="out of date"):
        call_command("error_codes", check=str(doc))
    # when it is written
    call_command("error_codes", write=str(doc))
    text = doc.read_text(encoding="utf-8")
    # then the current table stands between the markers and the rest is untouched
    assert error_codes_table() in text
    assert "| old |" not in text
    assert text.startswith("# API\n\n") and text.endswith("The end.\n")
    call_command("error_codes", check=str(doc))
    assert "up to date" in capsys.readouterr().out


def test_the_command_refuses_a_file_without_markers(tmp_path):
    doc = tmp_path / "notes.md"
    doc.write_text("no markers here\n", encoding="utf-8")
    with pytest.raises(CommandError, match="markers are missing"):
        call_command("error_codes", write=str(doc))
    assert doc.read_text(encoding="utf-8") == "no markers here\n"


def test_the_command_prints_the_table(capsys):
    call_command("error_codes")
    out = capsys.readouterr().out
    assert out.strip() == error_codes_table()
