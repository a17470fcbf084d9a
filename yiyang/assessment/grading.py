"""Grade assessment answers against an instrument definition loaded from a data file.

The engine knows two ways to reach an initial grade, both described by the definition:
`matrix` (LTC-2021's 组合法: the row form's level against the worst of the column forms) and
`total` (GB/T 42195 and Barthel: the sum of forms mapped through bands) and `first_match`
(MZ/T 039: a rule table over form levels, severest first). Rules then override the
grade (GB/T 42195 C.4 a, coma) or raise it (C.4 b, c). A new version or a city's variant is a new
file in `instruments/`, never new code here.
"""

import itertools
import json
import re
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from .errors import AnswersInvalid, DefinitionInvalid, Problem, UnknownInstrument

INSTRUMENTS_DIR = Path(__file__).resolve().parent / "instruments"
INSTRUMENT_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
# ICD-10: a letter, two digits, optionally a dot and a subdivision (F00, F03.9, F10.2).
ICD10 = re.compile(r"^([A-Z])(\d{2})(\.[0-9A-Z]{1,4})?$")
OPTIONAL_INPUTS = {"coma", "diagnoses", "risk_events"}


@dataclass(frozen=True)
class Option:
    score: int
    text: str | None


@dataclass(frozen=True)
class Item:
    id: str
    label: str
    form: str
    options: tuple[Option, ...]

    @property
    def scores(self) -> tuple[int, ...]:
        return tuple(sorted(o.score for o in self.options))


@dataclass(frozen=True)
class Band:
    min: int
    max: int
    level: int
    label: str


@dataclass(frozen=True)
class Form:
    id: str
    label: str
    items: tuple[Item, ...]
    bands: tuple[Band, ...] = ()
    # MZ/T 039 感知觉与沟通: levels from a rule table over item scores, severest first.
    level_rules: tuple[dict[str, Any], ...] = ()
    is_higher_better: bool = True

    @property
    def max_score(self) -> int:
        return sum(max(i.scores) for i in self.items)

    @property
    def level_count(self) -> int:
        return len(self.bands) or len({r["level"] for r in self.level_rules})


@dataclass(frozen=True)
class Instrument:
    id: str
    version: str
    title: str
    grades: dict[int, str]
    forms: tuple[Form, ...]
    grading: dict[str, Any]
    rules: tuple[dict[str, Any], ...]
    inputs: frozenset[str]
    is_raise_cumulative: bool
    risk_event_types: tuple[str, ...]
    risk_event_max: int
    source_notes: tuple[str, ...]
    # Which of the person's registry fields a conclusion by this instrument sets (ability_level
    # or disability_grade); None for a cross-check instrument such as Barthel.
    registry_field: str | None = None

    @property
    def items(self) -> dict[str, Item]:
        return {i.id: i for f in self.forms for i in f.items}

    @property
    def form_by_id(self) -> dict[str, Form]:
        return {f.id: f for f in self.forms}

    @property
    def total_bands(self) -> tuple[Band, ...]:
        return tuple(Band(**b) for b in self.grading.get("bands", ()))


@dataclass(frozen=True)
class GradeResult:
    """A grade with its explanation; `as_dict()` is the JSON that `yiyang grade` prints."""

    instrument: str
    version: str
    grade: int
    label: str
    initial_grade: int
    initial_label: str
    scores: dict[str, int]
    levels: dict[str, int]
    level_labels: dict[str, str]
    decided_by: dict[str, Any]
    raised_by: list[str] = field(default_factory=list)
    reasons: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


# --- Loading --------------------------------------------------------------------------------


def instrument_ids(*, directory: Path = INSTRUMENTS_DIR) -> list[str]:
    return sorted(p.stem for p in directory.glob("*.json"))


def instrument_load(instrument_id: str, *, directory: Path | None = None) -> Instrument:
    if directory is None:
        return _instrument_load_shipped(instrument_id)
    return _instrument_read(instrument_id, directory)


@cache
def _instrument_load_shipped(instrument_id: str) -> Instrument:
    return _instrument_read(instrument_id, INSTRUMENTS_DIR)


def _instrument_read(instrument_id: str, directory: Path) -> Instrument:
    path = directory / f"{instrument_id}.json"
    # The id becomes a file name: refuse anything that could leave the directory.
    if not INSTRUMENT_ID.match(instrument_id) or not path.is_file():
        known = ", ".join(instrument_ids(directory=directory))
        raise UnknownInstrument(f"no instrument {instrument_id!r}; known: {known}")
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("id") != instrument_id:
        raise DefinitionInvalid(f"{path.name}: id {data.get('id')!r} does not match the file name")
    return instrument_from_dict(data)


def instrument_from_dict(data: dict[str, Any]) -> Instrument:
    """Build an instrument and check its arithmetic, so a bad file fails at load, not at grading."""
    scales = data.get("scales", {})
    forms = []
    for f in data["forms"]:
        items = []
        for i in f["items"]:
            raw_options = scales[i["scale"]] if "scale" in i else i["options"]
            options = tuple(Option(score=o["score"], text=o.get("text")) for o in raw_options)
            items.append(Item(id=i["id"], label=i["label"], form=f["id"], options=options))
        bands = tuple(Band(**b) for b in f.get("bands", ()))
        forms.append(
            Form(
                id=f["id"],
                label=f["label"],
                items=tuple(items),
                bands=bands,
                level_rules=tuple(f.get("level_rules", ())),
                is_higher_better=f.get("higher_is_better", True),
            )
        )
    raise_ = data.get("raise", {})
    risk = data.get("risk_events", {})
    instrument = Instrument(
        id=data["id"],
        version=data["version"],
        title=data["title"],
        grades={g["grade"]: g["label"] for g in data["grades"]},
        forms=tuple(forms),
        grading=data["grading"],
        rules=tuple(data.get("rules", ())),
        inputs=frozenset(data.get("inputs", ())),
        is_raise_cumulative=bool(raise_.get("cumulative", False)),
        risk_event_types=tuple(t["id"] for t in risk.get("types", ())),
        risk_event_max=int(risk.get("max_count", 0)),
        source_notes=tuple(data.get("source_notes", ())),
        registry_field=data.get("registry_field"),
    )
    _check(instrument)
    return instrument


def _check(ins: Instrument) -> None:
    def fail(msg: str) -> None:
        raise DefinitionInvalid(f"{ins.id}: {msg}")

    ids = [i.id for f in ins.forms for i in f.items]
    if len(ids) != len(set(ids)):
        fail("item ids repeat")
    for item in ins.items.values():
        scores = [o.score for o in item.options]
        if not scores or len(scores) != len(set(scores)):
            fail(f"{item.id} needs options with distinct scores")
        if any(type(s) is not int or s < 0 for s in scores):
            fail(f"{item.id} has a score that is not a non-negative integer")
    for form in ins.forms:
        if form.bands:
            _check_bands(form.bands, reachable_totals(form.items), f"form {form.id}", fail)
        elif form.level_rules:
            # Small enough to walk every answer combination: each must reach a level.
            for scores in itertools.product(*(i.scores for i in form.items)):
                answers = dict(zip((i.id for i in form.items), scores, strict=True))
                if _first_match(form.level_rules, answers, {}) is None:
                    fail(f"form {form.id}: no level rule matches {answers}")
    if sorted(ins.grades) != list(range(len(ins.grades))):
        fail("grades must be numbered 0, 1, 2, …")
    forms = ins.form_by_id
    method = ins.grading.get("method")
    if method == "matrix":
        row = forms.get(ins.grading["rows"])
        cols = [forms.get(c) for c in ins.grading["columns"]["worst_of"]]
        if row is None or None in cols or not row.bands or not all(c.bands for c in cols):
            fail("matrix rows and columns must name forms with bands")
        matrix = ins.grading["matrix"]
        n_cols = max(len(c.bands) for c in cols)
        if len(matrix) != len(row.bands) or any(len(r) != n_cols for r in matrix):
            fail(f"matrix must be {len(row.bands)} × {n_cols}")
        if any(g not in ins.grades for r in matrix for g in r):
            fail("matrix holds a grade that is not defined")
    elif method == "total":
        if any(f not in forms for f in ins.grading["of"]):
            fail("total names an unknown form")
        items = [i for f in ins.grading["of"] for i in forms[f].items]
        _check_bands(ins.total_bands, reachable_totals(items), "total", fail)
        if any(b.level not in ins.grades for b in ins.total_bands):
            fail("a total band gives a grade that is not defined")
    elif method == "first_match":
        graded = [f for f in ins.forms if f.bands or f.level_rules]
        for combo in itertools.product(*(range(f.level_count) for f in graded)):
            levels = dict(zip((f.id for f in graded), combo, strict=True))
            rule = _first_match(ins.grading["rules"], {}, levels)
            if rule is None:
                fail(f"no grading rule matches the levels {levels}")
            if rule["grade"] not in ins.grades:
                fail(f"grading rule {rule['id']} gives an undefined grade")
    else:
        fail(f"unknown grading method {method!r}")
    if not ins.inputs <= OPTIONAL_INPUTS:
        fail(f"unknown inputs {sorted(ins.inputs - OPTIONAL_INPUTS)}")
    for rule in ins.rules:
        if rule["kind"] == "override" and rule["grade"] not in ins.grades:
            fail(f"rule {rule['id']} overrides to an undefined grade")
        if rule["kind"] not in {"override", "raise"}:
            fail(f"rule {rule['id']} has an unknown kind")


def reachable_totals(items) -> set[int]:
    """Every sum the items' options can add up to (LTC-2021 ADL reaches multiples of 5 only)."""
    totals = {0}
    for item in items:
        totals = {t + s for t in totals for s in item.scores}
    return totals


def _check_bands(bands, reachable: set[int], where: str, fail) -> None:
    """Every reachable score falls in exactly one band; gaps only where no score can land."""
    for total in sorted(reachable):
        hits = [b for b in bands if b.min <= total <= b.max]
        if len(hits) != 1:
            fail(f"{where}: the score {total} falls in {len(hits)} bands, not exactly one")
    if sorted(b.level for b in bands) != list(range(len(bands))):
        fail(f"{where}: band levels must be numbered 0, 1, 2, …")


# --- Validating answers -----------------------------------------------------------------------


def _validate(ins: Instrument, answers: Any) -> list[Problem]:
    if not isinstance(answers, dict):
        return [Problem("bad_type", None, "the input must be a JSON object")]
    problems = [
        Problem("unknown_field", key, f"{ins.id} does not take {key!r}")
        for key in answers
        if key != "items" and key not in ins.inputs
    ]
    items = answers.get("items")
    if not isinstance(items, dict):
        problems.append(Problem("bad_type", "items", "an object of item id → score is required"))
        return problems
    known = ins.items
    for item_id, score in items.items():
        item = known.get(item_id)
        if item is None:
            problems.append(Problem("unknown_item", item_id, f"{ins.id} has no item {item_id!r}"))
        elif type(score) is not int:
            problems.append(
                Problem("bad_type", item_id, f"the score must be an integer, not {score!r}")
            )
        elif score not in item.scores:
            choices = ", ".join(str(s) for s in item.scores)
            problems.append(
                Problem(
                    "bad_score", item_id, f"{score} is not one of the option scores ({choices})"
                )
            )
    problems += [
        Problem("missing_item", item_id, "not answered")
        for item_id in known
        if item_id not in items
    ]
    if "coma" in answers and type(answers["coma"]) is not bool:
        problems.append(Problem("bad_type", "coma", "must be true or false"))
    problems += _validate_diagnoses(answers.get("diagnoses", []))
    problems += _validate_risk_events(ins, answers.get("risk_events", {}))
    return problems


def _validate_diagnoses(diagnoses: Any) -> list[Problem]:
    if not isinstance(diagnoses, list):
        return [Problem("bad_type", "diagnoses", "must be a list of ICD-10 codes")]
    return [
        Problem(
            "bad_diagnosis", f"diagnoses[{n}]", f"{code!r} is not an ICD-10 code like F00 or F03.9"
        )
        for n, code in enumerate(diagnoses)
        if not isinstance(code, str) or not ICD10.match(code.strip().upper())
    ]


def _validate_risk_events(ins: Instrument, events: Any) -> list[Problem]:
    if not isinstance(events, dict):
        return [Problem("bad_type", "risk_events", "must be an object of event type → count")]
    problems = []
    for kind, count in events.items():
        where = f"risk_events.{kind}"
        if kind not in ins.risk_event_types:
            known = ", ".join(ins.risk_event_types)
            problems.append(Problem("unknown_risk_event", where, f"not one of {known}"))
        elif type(count) is not int:
            problems.append(
                Problem("bad_type", where, f"the count must be an integer, not {count!r}")
            )
        elif not 0 <= count <= ins.risk_event_max:
            problems.append(
                Problem("bad_risk_event", where, f"{count} is outside 0–{ins.risk_event_max}")
            )
    return problems


# --- Grading ----------------------------------------------------------------------------------


def answers_grade(*, instrument: Instrument, answers: Any) -> GradeResult:
    """Grade one person's answers; raise `AnswersInvalid` listing every problem, item by item."""
    problems = _validate(instrument, answers)
    if problems:
        raise AnswersInvalid(problems)
    items = answers["items"]
    scores = {f.id: sum(items[i.id] for i in f.items) for f in instrument.forms}
    levels: dict[str, int] = {}
    level_labels: dict[str, str] = {}
    for form in instrument.forms:
        if form.bands:
            band = _band(form.bands, scores[form.id])
            levels[form.id], level_labels[form.id] = band.level, band.label
        elif form.level_rules:
            rule = _first_match(form.level_rules, items, {})
            levels[form.id], level_labels[form.id] = rule["level"], rule["label"]
    initial, decided_by, text = _initial_grade(instrument, items, scores, levels, level_labels)
    reasons: list[dict[str, Any]] = [{"rule": decided_by["rule"], "text": text}]

    grade, raised_by = initial, []
    override = next(
        (r for r in instrument.rules if r["kind"] == "override" and _holds(r, instrument, answers)),
        None,
    )
    if override is not None:
        # Coma (GB/T 42195 C.4 a, MZ/T 039 clause 3) decides outright, whatever else applies.
        grade = override["grade"]
        decided_by = {"rule": override["id"], "clause": override.get("clause")}
        reasons.append(_reason(override, answers))
    else:
        fired = [
            r for r in instrument.rules if r["kind"] == "raise" and _holds(r, instrument, answers)
        ]
        if fired:
            # Each rule raises "在原有能力级别上": from the initial level, once unless cumulative.
            steps = [r.get("by", 1) for r in fired]
            bump = sum(steps) if instrument.is_raise_cumulative else max(steps)
            grade = min(max(instrument.grades), initial + bump)
            raised_by = [r["id"] for r in fired]
            reasons += [_reason(r, answers) for r in fired]
    return GradeResult(
        instrument=instrument.id,
        version=instrument.version,
        grade=grade,
        label=instrument.grades[grade],
        initial_grade=initial,
        initial_label=instrument.grades[initial],
        scores=scores,
        levels=levels,
        level_labels=level_labels,
        decided_by=decided_by,
        raised_by=raised_by,
        reasons=reasons,
    )


def _initial_grade(instrument, items, scores, levels, level_labels):
    """The grade before any change rule, how it was reached, and that as one line of text.

    For the `total` method this adds the total to `scores` and its level to `levels`.
    """
    forms = instrument.form_by_id
    spec = instrument.grading
    if spec["method"] == "matrix":
        row_id, col_ids = spec["rows"], spec["columns"]["worst_of"]
        r = levels[row_id]
        c = max(levels[f] for f in col_ids)
        initial = spec["matrix"][r][c]
        decided_by = {
            "rule": "matrix",
            "row": row_id,
            "row_level": r,
            "columns": col_ids,
            "column_level": c,
            "column_from": [f for f in col_ids if levels[f] == c],
            "cell": [r, c],
        }
        columns = ", ".join(f"{forms[f].label} {level_labels[f]}" for f in col_ids)
        text = (
            f"{forms[row_id].label} {level_labels[row_id]} × max({columns})"
            f" → {initial} {instrument.grades[initial]}"
        )
    elif spec["method"] == "first_match":
        rule = _first_match(spec["rules"], items, levels)
        initial = rule["grade"]
        decided_by = {"rule": "first_match", "id": rule["id"], "levels": dict(levels)}
        shown = ", ".join(f"{forms[f].label} {level_labels[f]}" for f in levels)
        text = f"{rule['id']}: {shown} → {initial} {instrument.grades[initial]}"
    else:
        name = spec["score"]
        scores[name] = sum(scores[f] for f in spec["of"])
        band = _band(instrument.total_bands, scores[name])
        levels[name], level_labels[name] = band.level, band.label
        initial = band.level
        decided_by = {"rule": "total", "score": name, "band": [band.min, band.max]}
        text = f"{name} {scores[name]} ∈ {band.min}–{band.max} → {initial} {band.label}"
    return initial, decided_by, text


def _band(bands: tuple[Band, ...], score: int) -> Band:
    return next(b for b in bands if b.min <= score <= b.max)


def _first_match(rules, items: dict[str, int], levels: dict[str, int]) -> dict[str, Any] | None:
    """The first rule whose condition holds; rule tables are written severest first."""
    return next((r for r in rules if _condition(r["when"], items, levels)), None)


def _condition(when: dict[str, Any], items: dict[str, int], levels: dict[str, int]) -> bool:
    """The small condition language of the definition files (all / any / item / level / count_levels)."""
    if "all" in when:
        return all(_condition(c, items, levels) for c in when["all"])
    if "any" in when:
        return any(_condition(c, items, levels) for c in when["any"])
    if "item" in when:
        return items[when["item"]] in when["in"]
    if "level" in when:
        return levels[when["level"]] in when["in"]
    if "count_levels" in when:
        n = sum(levels[f] in when["in"] for f in when["count_levels"])
        return when.get("min", 0) <= n <= when.get("max", len(when["count_levels"]))
    raise DefinitionInvalid(f"unknown condition {when!r}")


def _holds(rule: dict[str, Any], ins: Instrument, answers: dict[str, Any]) -> bool:
    when = rule["when"]
    if when.keys() & {"all", "any", "item", "level", "count_levels"}:
        return _condition(when, answers["items"], {})
    if "coma" in when:
        return answers.get("coma", False) is when["coma"]
    if "diagnosis_in" in when:
        return bool(_matching_diagnoses(when["diagnosis_in"], answers.get("diagnoses", [])))
    if "risk_events_at_least" in when:
        counts = list(answers.get("risk_events", {}).values()) or [0]
        counted = sum(counts) if when.get("count", "sum") == "sum" else max(counts)
        return counted >= when["risk_events_at_least"]
    raise DefinitionInvalid(f"{ins.id}: rule {rule['id']} has an unknown condition")


def _matching_diagnoses(ranges: list[list[str]], diagnoses: list[str]) -> list[str]:
    found = []
    for raw in diagnoses:
        code = raw.strip().upper()
        head = code[:3]
        if any(lo[0] == head[0] and lo <= head <= hi for lo, hi in ranges):
            found.append(code)
    return found


def _reason(rule: dict[str, Any], answers: dict[str, Any]) -> dict[str, Any]:
    reason = {"rule": rule["id"], "clause": rule.get("clause"), "text": rule.get("text")}
    when = rule["when"]
    if "diagnosis_in" in when:
        reason["diagnoses"] = _matching_diagnoses(when["diagnosis_in"], answers["diagnoses"])
    if "risk_events_at_least" in when:
        reason["risk_events"] = answers["risk_events"]
    return reason
