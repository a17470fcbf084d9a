"""MZ/T 039-2013 (legacy): §3's tables, rule tables, gap fills and change clauses; §6's examples."""

import itertools

import pytest

from yiyang.assessment.grading import answers_grade, instrument_load

from . import oracle

MZT = instrument_load("mzt-039-2013")
INTACT = {"A": [10, 5, 5, 10, 10, 10, 10, 15, 15, 10], "M": [0] * 3, "P": [0] * 4, "S": [0] * 5}


def answers(**forms):
    vectors = INTACT | forms
    return {
        "items": {
            item: score
            for form, ids in oracle.MZT_FORMS.items()
            for item, score in zip(ids, vectors[form], strict=True)
        }
    }


def grade(payload):
    return answers_grade(instrument=MZT, answers=payload)


def test_mzt_039_has_22_items_in_four_indicators():
    assert {f.id: [i.id for i in f.items] for f in MZT.forms} == oracle.MZT_FORMS
    assert {f.id: f.max_score for f in MZT.forms} == {"A": 100, "M": 6, "P": 14, "S": 20}
    assert [f.is_higher_better for f in MZT.forms] == [True, False, False, False]


def test_p1_fully_independent_keeps_full_ability():
    result = grade(answers())
    assert result.levels == {"A": 0, "M": 0, "P": 0, "S": 0}
    assert (result.grade, result.label) == (0, "能力完好")


def test_p4_bed_bound_adl_of_5_is_severe_disability():
    result = grade(answers(A=[5] + [0] * 9))
    assert (result.scores["A"], result.levels["A"]) == (5, 3)
    assert result.decided_by["id"] == "severe_adl"
    assert (result.grade, result.label) == (3, "重度失能")


def test_p7_coma_is_severe_disability_directly():
    # given 意识水平 = 3 昏迷 and otherwise intact answers
    result = grade(answers(P=[3, 0, 0, 0]))
    assert result.decided_by == {"rule": "coma", "clause": "变更条款 (3)"}
    assert (result.grade, result.label) == (3, "重度失能")


def test_every_perception_answer_gets_the_rule_tables_level():
    for combo in itertools.product(range(4), range(5), range(5), range(4)):
        if combo[0] == 3:
            continue  # coma is decided before any level
        result = grade(answers(P=list(combo)))
        assert result.levels["P"] == oracle.mzt_perception_level(*combo), combo


@pytest.mark.parametrize(
    ("a", "m", "p", "s", "expected", "rule"),
    [
        # the notes' gap fills
        ([10, 5, 5, 10, 10, 10, 0, 0, 0, 0], [0] * 3, [0] * 4, [0] * 5, 2, "gap_fill_moderate_adl"),
        (
            [10, 5, 5, 10, 10, 10, 0, 0, 0, 0],
            [1, 0, 0],
            [0, 2, 0, 0],
            [1, 1, 1, 0, 0],
            2,
            "gap_fill_moderate_adl",
        ),
        (INTACT["A"], [0] * 3, [0] * 4, [3, 3, 3, 3, 2], 1, "gap_fill_intact_adl_severe_social"),
        # A = 1, M = 3, S = 0 matches 中度 and 轻度: severest first gives 中度
        (
            [10, 5, 5, 10, 10, 10, 10, 15, 15, 0],
            [2, 2, 0],
            [0] * 4,
            [0] * 5,
            2,
            "mild_adl_all_moderate_or_any_severe",
        ),
    ],
)
def test_gap_fills_and_overlaps_resolve_as_the_notes_choose(a, m, p, s, expected, rule):
    result = grade(answers(A=a, M=m, P=p, S=s))
    assert result.grade == expected
    assert result.decided_by["id"] == rule


def test_every_level_combination_gets_the_notes_preliminary_level():
    # given answers reaching each combination of A, M, P, S levels
    adl = {0: [10, 5, 5, 10, 10, 10, 10, 15, 15, 10], 1: [10, 5, 5, 10, 10, 10, 10, 15, 15, 0]}
    adl |= {2: [10, 5, 5, 10, 10, 10, 0, 0, 0, 0], 3: [0] * 10}
    mental = {0: [0, 0, 0], 1: [1, 0, 0], 2: [1, 1, 0], 3: [2, 2, 0]}
    perception = {0: [0, 0, 0, 0], 1: [0, 2, 0, 0], 2: [0, 3, 0, 0], 3: [0, 4, 0, 0]}
    social = {0: [0] * 5, 1: [3, 0, 0, 0, 0], 2: [4, 4, 0, 0, 0], 3: [4, 4, 4, 2, 0]}
    for levels in itertools.product(range(4), repeat=4):
        a, m, p, s = levels
        result = grade(answers(A=adl[a], M=mental[m], P=perception[p], S=social[s]))
        # then the engine's levels are those and its grade is the notes' rule
        assert tuple(result.levels.values()) == levels
        assert result.grade == oracle.mzt_preliminary(*levels), levels


def test_change_clauses_raise_one_level_and_never_past_severe():
    dementia = {**answers(M=[1, 0, 0]), "diagnoses": ["F03"]}
    falls = {**answers(A=[5] + [0] * 9), "risk_events": {"fall": 2}}
    raised = grade(dementia)
    capped = grade(falls)
    assert (raised.initial_grade, raised.grade) == (1, 2)
    assert raised.raised_by == ["dementia_or_mental_disorder"]
    assert (capped.initial_grade, capped.grade) == (3, 3)
