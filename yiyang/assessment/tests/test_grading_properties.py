"""Property tests: band edges on both sides, the standards file's pseudo-code as an oracle, and
the invariants the standards imply (monotonic grading, coma overrides, at most one raise)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from yiyang.assessment.grading import answers_grade, instrument_load, reachable_totals

from . import oracle

LTC = instrument_load("ltc-2021")
GBT = instrument_load("gbt-42195-2022")
BARTHEL = instrument_load("barthel")
MZT = instrument_load("mzt-039-2013")
ALL = [LTC, GBT, BARTHEL, MZT]

# (instrument, the score the bands apply to, the items that add up to it, the oracle's bands)
SCOPES = [
    (LTC, "ADL", LTC.form_by_id["ADL"].items, oracle.LTC_ADL_BANDS),
    (LTC, "COG", LTC.form_by_id["COG"].items, oracle.LTC_COG_BANDS),
    (LTC, "PER", LTC.form_by_id["PER"].items, oracle.LTC_PER_BANDS),
    (GBT, "total", tuple(GBT.items.values()), oracle.GBT_BANDS),
    (BARTHEL, "total", tuple(BARTHEL.items.values()), oracle.BARTHEL_BANDS),
    (MZT, "A", MZT.form_by_id["A"].items, oracle.MZT_ADL_BANDS),
    (MZT, "M", MZT.form_by_id["M"].items, oracle.MZT_MENTAL_BANDS),
    (MZT, "S", MZT.form_by_id["S"].items, oracle.MZT_SOCIAL_BANDS),
]


def edges(items, bands):
    """The lowest and highest reachable score of every band: both sides of every boundary."""
    reachable = reachable_totals(items)
    out = []
    for lo, hi, level in bands:
        inside = sorted(t for t in reachable if lo <= t <= hi)
        out += [(inside[0], level), (inside[-1], level)]
    return sorted(set(out))


EDGE_CASES = [
    pytest.param(ins, scope, items, target, level, id=f"{ins.id}-{scope}-{target}")
    for ins, scope, items, bands in SCOPES
    for target, level in edges(items, bands)
]

DIAGNOSES = ["F00", "F03.9", "F04", "F99", "f01.1", "F32.1", "I10", "G20", "E11", "G30.1", "C50"]


def flags_for(ins):
    return st.fixed_dictionaries(
        {},
        optional={
            "diagnoses": st.lists(st.sampled_from(DIAGNOSES), max_size=3),
            "risk_events": st.dictionaries(
                st.sampled_from(ins.risk_event_types), st.integers(min_value=0, max_value=3)
            ),
        },
    )


flags = flags_for(GBT)


def answers_for(ins):
    return st.fixed_dictionaries({i.id: st.sampled_from(i.scores) for i in ins.items.values()})


def draw_with_total(data, items, target):
    """Draw option scores for `items` that add up exactly to `target`, in a random item order."""
    order = data.draw(st.permutations(list(items)))
    chosen = {}
    for n, item in enumerate(order):
        rest = reachable_totals(order[n + 1 :])
        remaining = target - sum(chosen.values())
        fits = [s for s in item.scores if remaining - s in rest]
        chosen[item.id] = data.draw(st.sampled_from(fits))
    assert sum(chosen.values()) == target
    return chosen


def oracle_grade(ins, items, extra):
    if ins is LTC:
        return oracle.grade_ltc2021(items)
    if ins is GBT:
        return oracle.grade_gbt42195(items, **extra)
    if ins is MZT:
        return oracle.grade_mzt039(items, **extra)
    return oracle.band(sum(items.values()), oracle.BARTHEL_BANDS)


@pytest.mark.parametrize(("ins", "scope", "items", "target", "level"), EDGE_CASES)
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_every_band_edge_gives_the_standards_level_on_both_sides(
    ins, scope, items, target, level, data
):
    # given answers whose score for this form (or the total) sits exactly on a band edge
    answers = data.draw(answers_for(ins)) | draw_with_total(data, items, target)
    # when graded
    result = answers_grade(instrument=ins, answers={"items": answers})
    # then the level is the oracle's, and so is the grade it leads to
    assert result.scores[scope] == target
    assert result.levels[scope] == level
    if ins is not MZT or answers["MZ3.1"] != 3:  # coma decides MZ/T 039 before any level
        assert result.initial_grade == oracle_grade(ins, answers, {})


@pytest.mark.parametrize("ins", ALL, ids=lambda i: i.id)
@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_any_answers_grade_as_the_standards_pseudocode(ins, data):
    items = data.draw(answers_for(ins))
    extra = {}
    if ins is GBT:
        extra = data.draw(flags | st.fixed_dictionaries({"coma": st.booleans()}))
    elif ins is MZT:
        extra = data.draw(flags_for(MZT))
    result = answers_grade(instrument=ins, answers={"items": items, **extra})
    assert result.grade == oracle_grade(ins, items, extra)
    assert result.label == ins.grades[result.grade]


@pytest.mark.parametrize("ins", ALL, ids=lambda i: i.id)
@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_a_better_answer_on_any_item_never_gives_a_worse_grade(ins, data):
    # given any answers (and fixed diagnoses and risk events where the instrument takes them)
    items = data.draw(answers_for(ins))
    extra = data.draw(flags_for(ins)) if ins.risk_event_types else {}
    item = data.draw(st.sampled_from(list(ins.items.values())))
    # "better" is a higher score, except in MZ/T 039's 精神 / 感知 / 社会 tables
    is_higher_better = ins.form_by_id[item.form].is_higher_better
    now = items[item.id]
    better_scores = [s for s in item.scores if (s > now if is_higher_better else s < now)]
    # when one item moves to a better option
    better = (
        items | {item.id: data.draw(st.sampled_from(better_scores))} if better_scores else items
    )
    before = answers_grade(instrument=ins, answers={"items": items, **extra})
    after = answers_grade(instrument=ins, answers={"items": better, **extra})
    # then no form level and not the grade gets worse (0 is best)
    assert after.grade <= before.grade
    assert all(after.levels[k] <= before.levels[k] for k in before.levels)


@settings(max_examples=200, deadline=None)
@given(items=answers_for(GBT), extra=flags)
def test_coma_overrides_every_score_and_every_raise(items, extra):
    result = answers_grade(instrument=GBT, answers={"items": items, "coma": True, **extra})
    assert (result.grade, result.label) == (4, "能力完全丧失（完全失能）")
    assert result.decided_by["rule"] == "coma"
    assert result.raised_by == []


@settings(max_examples=300, deadline=None)
@given(items=answers_for(GBT), extra=flags)
def test_without_coma_the_change_rules_raise_at_most_one_level_capped_at_four(items, extra):
    result = answers_grade(instrument=GBT, answers={"items": items, "coma": False, **extra})
    is_dementia = any(d.upper().startswith("F") for d in extra.get("diagnoses", []))
    is_risky = sum(extra.get("risk_events", {}).values()) >= 2
    expected = min(4, result.initial_grade + (1 if is_dementia or is_risky else 0))
    assert result.grade == expected
    assert result.grade - result.initial_grade in (0, 1)
    assert result.decided_by["rule"] == "total"  # B3.9 = 0 alone never triggers the coma rule
    assert bool(result.raised_by) == (is_dementia or is_risky)


def test_risk_events_are_summed_over_types():
    # given one fall and one choking in the last 30 days (two events of different types)
    items = {i: max(ins_i.scores) for i, ins_i in GBT.items.items()}
    answers = {"items": items, "risk_events": {"fall": 1, "choking": 1}}
    # then the rule counts them together and raises 能力完好 to 轻度
    result = answers_grade(instrument=GBT, answers=answers)
    assert (result.initial_grade, result.grade, result.raised_by) == (0, 1, ["risk_events"])
