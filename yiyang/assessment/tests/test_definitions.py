"""The data files hold what the standards file says, and the engine is generic over them."""

import json
import shutil

import pytest

from yiyang.assessment.errors import DefinitionInvalid, UnknownInstrument
from yiyang.assessment.grading import (
    INSTRUMENTS_DIR,
    answers_grade,
    instrument_ids,
    instrument_load,
)

from . import oracle


def test_the_shipped_instruments_are_the_two_national_ones_and_two_legacy_ones():
    assert instrument_ids() == ["barthel", "gbt-42195-2022", "ltc-2021", "mzt-039-2013"]


def test_ltc_2021_has_17_items_in_three_forms_with_the_standard_maxima():
    ins = instrument_load("ltc-2021")
    assert {f.id: [i.id for i in f.items] for f in ins.forms} == oracle.LTC_FORMS
    assert {f.id: f.max_score for f in ins.forms} == {"ADL": 100, "COG": 16, "PER": 12}
    assert [ins.grades[g] for g in range(6)] == oracle.LTC_GRADE_LABEL
    assert ins.rules == ()  # no coma or dementia override in LTC-2021 (§1.7)


def test_ltc_2021_bands_and_matrix_are_the_standards_files():
    ins = instrument_load("ltc-2021")
    bands = {f.id: [(b.min, b.max, b.level) for b in f.bands] for f in ins.forms}
    assert bands == {
        "ADL": oracle.LTC_ADL_BANDS,
        "COG": oracle.LTC_COG_BANDS,
        "PER": oracle.LTC_PER_BANDS,
    }
    assert ins.grading["matrix"] == oracle.LTC_MATRIX


def test_ltc_2021_option_scores_per_item():
    items = instrument_load("ltc-2021").items
    assert items["ADL7"].scores == (0, 5, 10, 15)
    assert items["ADL3"].scores == items["ADL10"].scores == (0, 5)
    assert all(items[f"COG{n}"].scores == (0, 1, 2, 3, 4) for n in range(1, 5))
    assert items["ADL1"].options[0].text.startswith("自理")


def test_gbt_42195_has_26_items_totalling_90():
    ins = instrument_load("gbt-42195-2022")
    assert {f.id: [i.id for i in f.items] for f in ins.forms} == oracle.GBT_FORMS
    assert {f.id: f.max_score for f in ins.forms} == {"B1": 32, "B2": 15, "B3": 28, "B4": 15}
    assert [(b.min, b.max, b.level) for b in ins.total_bands] == oracle.GBT_BANDS
    assert [ins.grades[g] for g in range(5)] == oracle.GBT_LABEL
    items = ins.items
    assert items["B2.4"].scores == items["B4.4"].scores == (0, 1, 2, 3)
    assert items["B3.7"].scores == items["B3.8"].scores == (0, 1)
    assert items["B3.9"].scores == items["B4.1"].scores == (0, 1, 2)
    assert items["B1.2"].options[0].text == "独立完成，不需要协助"  # the [std5] scale


def test_recalled_values_are_flagged_in_the_source_notes():
    notes = " ".join(instrument_load("ltc-2021").source_notes)
    assert notes.count("VERIFY BEFORE GO-LIVE") == 2
    assert "combination matrix" in notes


def test_an_unknown_or_path_like_instrument_id_is_refused():
    for bad in ["mzt-039", "../settings", "LTC-2021"]:
        with pytest.raises(UnknownInstrument):
            instrument_load(bad)


def test_a_city_variant_is_a_new_file_not_new_code(tmp_path):
    # given a city's variant of GB/T 42195 that raises one level per change rule
    data = json.loads((INSTRUMENTS_DIR / "gbt-42195-2022.json").read_text(encoding="utf-8"))
    data.update(id="gbt-42195-2022-city", version="GB/T 42195-2022 city 2026")
    data["raise"] = {"cumulative": True}
    (tmp_path / "gbt-42195-2022-city.json").write_text(json.dumps(data), encoding="utf-8")
    answers = {
        "items": dict.fromkeys(instrument_load("gbt-42195-2022").items, 2)
        | {"B3.7": 1, "B3.8": 1, "B2.4": 3, "B4.4": 3},
        "diagnoses": ["F01.1"],
        "risk_events": {"fall": 1, "choking": 1},
    }
    # when the same answers are graded by both
    national = answers_grade(instrument=instrument_load("gbt-42195-2022"), answers=answers)
    city = answers_grade(
        instrument=instrument_load("gbt-42195-2022-city", directory=tmp_path), answers=answers
    )
    # then the national file raises once and the variant twice, each naming its version
    assert national.initial_grade == city.initial_grade == 2
    assert (national.grade, city.grade) == (3, 4)
    assert national.raised_by == city.raised_by == ["dementia_or_mental_disorder", "risk_events"]
    assert city.version == "GB/T 42195-2022 city 2026"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["forms"][0]["bands"].pop(), "falls in 0 bands"),
        (lambda d: d["forms"][1]["bands"][1].update(min=11), "falls in 2 bands"),
        (lambda d: d["grading"]["matrix"].pop(), "matrix must be 4 × 4"),
        (lambda d: d["grading"]["matrix"][0].__setitem__(0, 9), "not defined"),
        (lambda d: d["forms"][2]["items"].append(d["forms"][2]["items"][0]), "repeat"),
    ],
)
def test_an_inconsistent_definition_fails_at_load(tmp_path, change, message):
    shutil.copy(INSTRUMENTS_DIR / "ltc-2021.json", tmp_path / "ltc-2021.json")
    data = json.loads((tmp_path / "ltc-2021.json").read_text(encoding="utf-8"))
    change(data)
    (tmp_path / "ltc-2021.json").write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(DefinitionInvalid, match=message):
        instrument_load("ltc-2021", directory=tmp_path)
