"""§6 of the standards file, P1 / P4 / P7, reproduced exactly, plus the §1.6 consequences."""

import pytest

from yiyang.assessment.grading import answers_grade, instrument_load

LTC_IDS = [f"ADL{n}" for n in range(1, 11)] + [f"COG{n}" for n in range(1, 5)]
LTC_IDS += [f"PER{n}" for n in range(1, 4)]
GBT_IDS = [f"B1.{n}" for n in range(1, 9)] + [f"B2.{n}" for n in range(1, 5)]
GBT_IDS += [f"B3.{n}" for n in range(1, 10)] + [f"B4.{n}" for n in range(1, 6)]
BARTHEL_IDS = [f"BI{n}" for n in range(1, 11)]


def ltc(adl, cog, per):
    return {"items": dict(zip(LTC_IDS, adl + cog + per, strict=True))}


def gbt(b1, b2, b3, b4, **extra):
    return {"items": dict(zip(GBT_IDS, b1 + b2 + b3 + b4, strict=True)), **extra}


def grade(instrument_id, answers):
    return answers_grade(instrument=instrument_load(instrument_id), answers=answers)


def test_p1_fully_independent_is_basically_normal_under_ltc_2021():
    # given P1's answers, when graded
    result = grade("ltc-2021", ltc([10, 10, 5, 10, 10, 10, 15, 15, 10, 5], [4] * 4, [4] * 3))
    # then the scores, levels and grade are those of §6
    assert result.scores == {"ADL": 100, "COG": 16, "PER": 12}
    assert result.levels == {"ADL": 0, "COG": 0, "PER": 0}
    assert (result.grade, result.label) == (0, "基本正常")
    assert result.decided_by["cell"] == [0, 0]


def test_p1_fully_independent_keeps_full_ability_under_gbt_42195():
    result = grade(
        "gbt-42195-2022",
        gbt([4] * 8, [4, 4, 4, 3], [4, 4, 4, 4, 4, 4, 1, 1, 2], [2, 2, 4, 3, 4]),
    )
    assert result.scores == {"B1": 32, "B2": 15, "B3": 28, "B4": 15, "total": 90}
    assert (result.grade, result.label) == (0, "能力完好")
    assert result.raised_by == []


def test_p4_bed_bound_but_mentally_intact_gets_only_severe_grade_one_under_ltc_2021():
    result = grade("ltc-2021", ltc([5, 0, 0, 0, 0, 0, 0, 0, 0, 0], [4] * 4, [4] * 3))
    assert result.scores == {"ADL": 5, "COG": 16, "PER": 12}
    assert result.decided_by["cell"] == [3, 0]
    assert (result.grade, result.label) == (3, "重度失能Ⅰ级")


def test_p4_bed_bound_is_severely_impaired_without_a_raise_under_gbt_42195():
    result = grade(
        "gbt-42195-2022",
        gbt([2, 0, 0, 0, 0, 0, 0, 0], [1, 0, 0, 0], [4, 4, 4, 4, 4, 4, 1, 1, 2], [2, 2, 0, 0, 4]),
    )
    assert result.scores == {"B1": 2, "B2": 1, "B3": 28, "B4": 8, "total": 39}
    assert (result.grade, result.label) == (3, "能力重度受损（重度失能）")
    assert result.raised_by == []


def test_p7_coma_scores_severe_grade_three_under_ltc_2021_by_scores_alone():
    # given every item at 0 (LTC-2021 has no coma clause: coma shows only through the scores)
    result = grade("ltc-2021", ltc([0] * 10, [0] * 4, [0] * 3))
    assert result.scores == {"ADL": 0, "COG": 0, "PER": 0}
    assert (result.grade, result.label) == (5, "重度失能Ⅲ级")
    assert result.decided_by["rule"] == "matrix"


def test_ltc_2021_refuses_a_coma_flag_because_it_has_no_coma_clause():
    from yiyang.assessment.errors import AnswersInvalid

    with pytest.raises(AnswersInvalid) as caught:
        grade("ltc-2021", {**ltc([0] * 10, [0] * 4, [0] * 3), "coma": True})
    assert caught.value.code == "unknown_field"


def test_p7_coma_is_complete_loss_under_gbt_42195_whatever_the_total():
    # given A.5.11 昏迷 = 有, and a total of 2 (攻击 1, 抑郁 1)
    answers = gbt([0] * 8, [0] * 4, [0, 0, 0, 0, 0, 0, 1, 1, 0], [0] * 5, coma=True)
    result = grade("gbt-42195-2022", answers)
    # then C.4 a) decides: level 4, recorded as the coma rule, not a raise
    assert result.scores["total"] == 2
    assert (result.grade, result.label) == (4, "能力完全丧失（完全失能）")
    assert result.decided_by == {"rule": "coma", "clause": "C.4 a)"}
    assert result.raised_by == []


def test_p1_p4_barthel_totals_give_no_and_severe_dependency():
    p1_answers = [10, 5, 5, 10, 10, 10, 10, 15, 15, 10]
    p1 = grade("barthel", {"items": dict(zip(BARTHEL_IDS, p1_answers, strict=True))})
    p4 = grade("barthel", {"items": dict(zip(BARTHEL_IDS, [5] + [0] * 9, strict=True))})
    assert (p1.scores["total"], p1.label) == (100, "无需依赖")
    assert (p4.scores["total"], p4.label) == (5, "重度依赖")


def test_intact_adl_with_severe_dementia_is_only_mild_disability_under_ltc_2021():
    result = grade("ltc-2021", ltc([10, 10, 5, 10, 10, 10, 15, 15, 10, 5], [0] * 4, [4] * 3))
    assert result.decided_by["column_from"] == ["COG"]
    assert (result.grade, result.label) == (1, "轻度失能")


@pytest.mark.parametrize(
    ("adl", "cog", "expected"),
    [
        # the two cells the research notes found corroborated (§1.9)
        ([10, 10, 5, 10, 10, 10, 0, 0, 0, 0], [4, 4, 4, 2], 2),  # ADL 55 中度 + cog 14 轻度
        ([10, 10, 5, 0, 0, 0, 0, 0, 0, 0], [4, 4, 4, 2], 3),  # ADL 25 重度 + cog 14 轻度
    ],
)
def test_corroborated_matrix_cells(adl, cog, expected):
    assert grade("ltc-2021", ltc(adl, cog, [4, 4, 4])).grade == expected


def test_a_conclusion_carries_instrument_and_version():
    result = grade("ltc-2021", ltc([0] * 10, [0] * 4, [0] * 3)).as_dict()
    assert (result["instrument"], result["version"]) == ("ltc-2021", "NHSA-2021-trial")
    result = grade("gbt-42195-2022", gbt([0] * 8, [0] * 4, [0] * 9, [0] * 5)).as_dict()
    assert (result["instrument"], result["version"]) == ("gbt-42195-2022", "GB/T 42195-2022")
