"""`yiyang grade`: JSON in, JSON out; bad input exits non-zero naming the item and a stable code."""

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

P4_LTC = {
    "items": {f"ADL{n}": 0 for n in range(2, 11)}
    | {"ADL1": 5}
    | {f"COG{n}": 4 for n in range(1, 5)}
    | {f"PER{n}": 4 for n in range(1, 4)}
}


def run(instrument, text):
    out = io.StringIO()
    call_command("grade", instrument, stdin=io.StringIO(text), stdout=out)
    return json.loads(out.getvalue())


def refusal(instrument, text):
    with pytest.raises(CommandError) as caught:
        run(instrument, text)
    assert caught.value.returncode == 2
    return str(caught.value)


def test_grade_prints_the_grade_and_its_explanation_as_json():
    result = run("ltc-2021", json.dumps(P4_LTC))
    assert result["grade"] == 3
    assert result["label"] == "重度失能Ⅰ级"
    assert result["scores"] == {"ADL": 5, "COG": 16, "PER": 12}
    assert result["levels"] == {"ADL": 3, "COG": 0, "PER": 0}
    assert result["reasons"][0]["rule"] == "matrix"
    assert (result["instrument"], result["version"]) == ("ltc-2021", "NHSA-2021-trial")


def test_gbt_42195_takes_diagnoses_and_risk_events_and_names_the_raising_rule():
    # given a mildly impaired person (total 66) with dementia on record and two falls
    items = {f"B1.{n}": 4 for n in range(1, 9)} | {f"B2.{n}": 3 for n in range(1, 5)}
    items |= {f"B3.{n}": 2 for n in range(1, 7)} | {"B3.7": 1, "B3.8": 1, "B3.9": 2}
    items |= {f"B4.{n}": 1 for n in range(1, 6)} | {"B4.3": 2}
    answers = {"items": items, "coma": False, "diagnoses": ["F00.1"], "risk_events": {"fall": 2}}
    # when graded
    result = run("gbt-42195-2022", json.dumps(answers))
    # then it is raised once, from 1 to 2, by both rules (at most one level in total)
    assert result["scores"]["total"] == 66
    assert (result["initial_grade"], result["grade"]) == (1, 2)
    assert result["raised_by"] == ["dementia_or_mental_disorder", "risk_events"]
    assert result["reasons"][1]["diagnoses"] == ["F00.1"]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda a: a["items"].pop("ADL3"), "missing_item: ADL3"),
        (lambda a: a["items"].update(ADL7=7), "bad_score: ADL7: 7 is not one of the option scores"),
        (lambda a: a["items"].update(ADL11=5), "unknown_item: ADL11"),
        (lambda a: a["items"].update(COG1="4"), "bad_type: COG1"),
        (lambda a: a["items"].update(COG1=4.0), "bad_type: COG1"),
        (lambda a: a["items"].update(COG1=True), "bad_type: COG1"),
        (lambda a: a.update(coma=True), "unknown_field: coma"),
    ],
)
def test_bad_answers_are_refused_naming_the_item_and_the_code(change, expected):
    answers = json.loads(json.dumps(P4_LTC))
    change(answers)
    assert expected in refusal("ltc-2021", json.dumps(answers))


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({"coma": "yes"}, "bad_type: coma"),
        ({"diagnoses": "F00"}, "bad_type: diagnoses"),
        ({"diagnoses": ["I10", "dementia"]}, "bad_diagnosis: diagnoses[1]"),
        ({"risk_events": {"fall": 4}}, "bad_risk_event: risk_events.fall"),
        ({"risk_events": {"flood": 1}}, "unknown_risk_event: risk_events.flood"),
    ],
)
def test_bad_gbt_inputs_are_refused(extra, expected):
    items = dict.fromkeys([f"B1.{n}" for n in range(1, 9)], 4)
    items |= {f"B2.{n}": 3 for n in range(1, 5)} | {f"B3.{n}": 1 for n in range(1, 10)}
    items |= {f"B4.{n}": 1 for n in range(1, 6)}
    assert expected in refusal("gbt-42195-2022", json.dumps({"items": items, **extra}))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"items": {', "bad_json"),
        ("", "bad_json"),
        ('{"items": {"ADL1": 5, "ADL1": 10}}', "bad_json: duplicate key 'ADL1'"),
        ("[1, 2]", "bad_type: the input must be a JSON object"),
        ('{"items": [5, 0]}', "bad_type: items"),
    ],
)
def test_malformed_input_is_refused(text, expected):
    assert expected in refusal("ltc-2021", text)


def test_an_unknown_instrument_is_refused():
    assert "unknown_instrument" in refusal("mzt-039", "{}")


def test_the_installed_command_reads_stdin_and_exits_2_on_bad_input():
    yiyang = Path(sys.executable).with_name("yiyang")
    # given the real console script, as an auditor would run it
    ok = subprocess.run(  # noqa: S603 - our own console script, fixed arguments
        [yiyang, "grade", "ltc-2021"], input=json.dumps(P4_LTC), capture_output=True, text=True
    )
    bad = subprocess.run(  # noqa: S603
        [yiyang, "grade", "ltc-2021"], input='{"items": {}}', capture_output=True, text=True
    )
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["label"] == "重度失能Ⅰ级"
    assert bad.returncode == 2
    assert "missing_item: ADL1: not answered" in bad.stderr
    assert bad.stdout == ""


def test_the_legacy_instruments_grade_through_the_same_command():
    mzt = {f"MZ1.{n}": 0 for n in range(1, 11)} | {f"MZ2.{n}": 0 for n in range(1, 4)}
    mzt |= {f"MZ3.{n}": 0 for n in range(1, 5)} | {f"MZ4.{n}": 0 for n in range(1, 6)}
    result = run("mzt-039-2013", json.dumps({"items": mzt}))
    assert (result["grade"], result["label"]) == (3, "重度失能")
    assert result["version"] == "MZ/T 039-2013"
    barthel = run("barthel", json.dumps({"items": {f"BI{n}": 0 for n in range(1, 11)}}))
    assert (barthel["grade"], barthel["label"]) == (3, "重度依赖")
