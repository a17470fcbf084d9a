"""Past assessment conclusions from the city's earlier system, as an Excel sheet: its columns
and the importer, which decides which conclusion is current by the procedure's own rule."""

import datetime as dt
import re
import secrets
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yiyang.accounts.models import account_of
from yiyang.core import audit, crypto
from yiyang.core.divisions import district_of
from yiyang.core.models import ChangeLog
from yiyang.core.scoping import region_in_scope
from yiyang.core.timeutils import local_day_range, local_today
from yiyang.core.validation import parse_whole
from yiyang.exchange.cells import FALSE_WORDS, TRUE_WORDS, parse_row
from yiyang.exchange.columns import (
    CHOICE,
    DATE,
    ID_NUMBER,
    Column,
)
from yiyang.exchange.importers import BatchResult, Importer, bulk_update
from yiyang.exchange.kinds import DataKind
from yiyang.institutions.models import Organisation
from yiyang.people import idnumbers
from yiyang.people.errors import ID_REASONS, ElderNotEditable
from yiyang.people.models import Elder, Fact
from yiyang.people.services import facts_record

from . import grading
from .errors import AnswersInvalid
from .grading import instrument_ids
from .labels import problem_message
from .models import Assessment
from .rules import conclusion_rank, supersede
from .services import effective_events_publish

# The installed definitions, by the file name the engine loads them by (ltc-2021, ...).
INSTRUMENTS = tuple((i, i) for i in instrument_ids())

ASSESSMENT_COLUMNS = (
    Column(
        "id_number",
        "身份证号",
        ID_NUMBER,
        required=True,
        help=_("ID number of an older person already on record in your region."),
        width=22,
    ),
    Column(
        "instrument",
        "评估标准",
        CHOICE,
        required=True,
        choices=INSTRUMENTS,
        help=_(
            "The standard the conclusion was made under: ltc-2021, gbt-42195-2022, or the "
            "legacy mzt-039-2013 and barthel. The version written as MZ/T 039-2013 or "
            "GB/T 42195-2022 is also accepted."
        ),
        width=16,
    ),
    Column(
        "concluded_on",
        "结论日期",
        DATE,
        required=True,
        help=_(
            "The day the conclusion was made, not after today. The same person, standard "
            "and day name the same conclusion: importing it again updates it."
        ),
    ),
    Column(
        "valid_from", "有效期起", DATE, required=True, help=_("First day the conclusion is valid.")
    ),
    Column(
        "valid_to",
        "有效期止",
        DATE,
        help=_(
            "Last day the conclusion is valid, not before the first. Required except for "
            "mzt-039-2013 and barthel, which may be open-ended."
        ),
    ),
    Column(
        "grade",
        "等级",
        help=_(
            "The grade as a number (0, 1, 2, …) or as the standard writes it (重度失能Ⅰ级). "
            "May be left empty when the item scores are given; when both are given they "
            "must agree."
        ),
        width=12,
    ),
    Column(
        "item_scores",
        "各项得分",
        help=_(
            "Optional: every item's score in one cell, such as ADL1=10;ADL2=5;… or "
            "B1.1=4;…, plus coma=1 (gbt-42195-2022), diagnoses=F00,F03.9 and care-risk "
            "events such as fall=2 where the standard takes them. The grade is then "
            "computed from them."
        ),
        width=40,
    ),
    Column(
        "assessment_org",
        "评估机构",
        help=_(
            "Name of the assessment organisation; linked when an organisation of exactly "
            "this name is on record, otherwise kept in the note."
        ),
        width=24,
    ),
    Column(
        "source_number",
        "原系统案号",
        help=_("The case number in the earlier system, kept in the note."),
        width=18,
    ),
)

# -- the importer of past conclusions ---------------------------------------------------------------

S = Assessment.Status
IMPORTED = Assessment.Trigger.IMPORTED
# The legacy standards, kept "for records made before": the earlier systems often kept
# no end of validity for them, so their conclusions may be open-ended.
LEGACY_INSTRUMENTS = frozenset({"mzt-039-2013", "barthel"})
_SCORE_PARTS = re.compile(r"[;；\n]+")
_SCORE_PAIR = re.compile(r"^([^=＝:：]+?)\s*[=＝:：]\s*(.*)$")
_CODE_SPLIT = re.compile(r"[,，、/\s]+")
_WHOLE = re.compile(r"^[0-9]{1,6}$")  # ASCII: `\d` also matches "３" and "٣"
UNKNOWN_PERSON = gettext_lazy("No older person with this ID number is on record in your region.")


def _alias(text: str) -> str:
    return "".join(str(text).split()).lower()


def _grade_of(instrument: grading.Instrument, text: str) -> int | None:
    """A grade written as its number (3) or as the standard writes it (重度失能Ⅰ级)."""
    text = text.strip()
    value = parse_whole(text, max_digits=6)
    if value is not None:
        return value if value in instrument.grades else None
    return next((g for g, label in instrument.grades.items() if label == text), None)


def _answers_of(instrument: grading.Instrument, text: str) -> tuple[dict, list[str]]:
    """The engine's answers from one cell (ADL1=10;ADL2=5;coma=1), and what could not be read.

    Only the cell's syntax is checked here; the engine judges the items and scores."""
    items: dict[str, Any] = {}
    answers: dict[str, Any] = {"items": items}
    risk: dict[str, int] = {}
    by_name = {item_id.upper(): item_id for item_id in instrument.items}
    problems: list[str] = []
    for part in _SCORE_PARTS.split(text):
        part = part.strip()
        if not part:
            continue
        match = _SCORE_PAIR.match(part)
        if match is None:
            problems.append(
                _("“%(part)s” is not written as item=score, such as ADL1=10.") % {"part": part[:30]}
            )
            continue
        name, value = match.group(1).strip(), match.group(2).strip()
        key = name.lower()
        if (
            (key in ("coma", "diagnoses") and key in answers)
            or key in risk
            or by_name.get(name.upper(), name) in items
        ):
            problems.append(_("%(item)s is given twice.") % {"item": name})
        elif key == "coma":
            if value.lower() in TRUE_WORDS or value.lower() in FALSE_WORDS:
                answers["coma"] = value.lower() in TRUE_WORDS
            else:
                problems.append(_("coma: enter 1 (yes) or 0 (no)."))
        elif key == "diagnoses":
            answers["diagnoses"] = [code for code in _CODE_SPLIT.split(value) if code]
        elif not _WHOLE.match(value):
            problems.append(
                _("%(item)s: the score must be a whole number, not “%(value)s”.")
                % {"item": name, "value": value[:20]}
            )
        elif key in instrument.risk_event_types:
            risk[key] = int(value)
        else:
            items[by_name.get(name.upper(), name)] = int(value)
    if risk:
        answers["risk_events"] = risk
    return answers, problems


def _problems_text(instrument: grading.Instrument, answers: dict, problems: list) -> str:
    """The engine's refusals naming each item, those of the same reason together."""
    parts: list[str] = []
    grouped: dict[str, list[str]] = {}
    for problem in problems:
        item = instrument.items.get(problem.item or "")
        if problem.code == "bad_score" and item is not None:
            parts.append(
                _("%(item)s: %(score)s is not one of its scores (%(scores)s).")
                % {
                    "item": item.id,
                    "score": answers["items"][item.id],
                    "scores": "、".join(str(s) for s in item.scores),
                }
            )
        else:
            grouped.setdefault(problem_message(problem), []).append(problem.item or "")
    for message, names in grouped.items():
        named = "、".join(n for n in names if n)
        parts.append(f"{named}：{message}" if named else message)
    return "；".join(parts)


def _case_snapshot(case: Assessment) -> dict:
    return {
        "status": case.status,
        "instrument_version": case.instrument_version,
        "grade": case.grade,
        "grade_label": case.grade_label,
        "valid_from": case.valid_from,
        "valid_to": case.valid_to,
        "ended_on": case.ended_on,
        "superseded_by": case.superseded_by.number if case.superseded_by else None,
        "assessment_org": case.assessment_org.name if case.assessment_org else None,
        "note": case.note,
        "answers": case.answers,
    }


# Everything an import sets on a case, written back in one statement per batch.
CASE_FIELDS = (
    "number",
    "instrument_version",
    "status",
    "grade",
    "grade_label",
    "answers",
    "result",
    "valid_from",
    "valid_to",
    "ended_on",
    "superseded_by",
    "assessment_org",
    "note",
    "concluded_at",
    "version",
    "updated_at",
)


@dataclass
class _ConclusionRow:
    number: int
    raw: tuple
    elder: Elder
    instrument: grading.Instrument
    concluded_on: dt.date
    valid_from: dt.date
    valid_to: dt.date | None
    grade: int
    answers: dict | None
    result: dict | None
    org: Organisation | None
    note: str
    current: Assessment | None = None  # the case an earlier import of this row made


class AssessmentImporter(Importer):
    """Conclusions made in the city's earlier system, each stored as a concluded case with the
    trigger "imported". Whether it is the person's current conclusion is decided as the
    procedure decides it (assessment.services._make_effective): the newest effective one of
    the registry field wins, earlier ones are superseded, and the person's field follows."""

    kind = "assessments"
    model = Assessment
    columns = ASSESSMENT_COLUMNS

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.today = local_today()
        self.instruments = {i: grading.instrument_load(i) for i in grading.instrument_ids()}
        self.aliases: dict[str, str] = {}
        for instrument in self.instruments.values():
            self.aliases[_alias(instrument.id)] = instrument.id
            self.aliases.setdefault(_alias(instrument.version), instrument.id)
        self.orgs_by_name: dict[str, Organisation | None] = {}

    def _load_orgs(self, names: set[str]) -> None:
        missing = names - self.orgs_by_name.keys()
        if not missing:
            return
        found: dict[str, list[Organisation]] = defaultdict(list)
        for org in Organisation.objects.filter(name__in=missing):
            found[org.name].append(org)
        for name in missing:
            orgs = found.get(name, [])
            # The same name in two districts: the assessment organisation, if only one is.
            if len(orgs) > 1:
                orgs = [o for o in orgs if o.kind == Organisation.Kind.ASSESSMENT]
            self.orgs_by_name[name] = orgs[0] if len(orgs) == 1 else None

    def _field_of(self, instrument_id: str):
        """The registry field a conclusion by this instrument sets; a case under a definition
        no longer installed only ever competes with itself."""
        instrument = self.instruments.get(instrument_id)
        return instrument.registry_field if instrument is not None else ("?", instrument_id)

    def process(self, rows, *, write):
        result = BatchResult()
        parsed = []
        for number, raw in rows:
            values, errors = parse_row(self.columns, self.layout, raw)
            id_text = idnumbers.normalise(values["id_number"]) if values["id_number"] else ""
            key = crypto.search_hash(id_text) if id_text else None
            instrument_id = self.aliases.get(_alias(values["instrument"]))
            same = None
            if key and instrument_id and values["concluded_on"]:
                same = (key, instrument_id, values["concluded_on"])
            first = self.first_seen(same, number)
            if first is not None:
                errors.setdefault(
                    "concluded_on",
                    _(
                        "The same person, standard and conclusion date are already on row "
                        "%(row)s of this file."
                    )
                    % {"row": first},
                )
            parsed.append((number, raw, values, errors, key, instrument_id))

        hashes = {p[4] for p in parsed if p[4]}
        people_qs = Elder.objects.filter(id_number_hash__in=hashes)
        if write:
            people_qs = people_qs.select_for_update()
        people = {e.id_number_hash: e for e in people_qs} if hashes else {}
        self._load_orgs({" ".join(p[2]["assessment_org"].split()) for p in parsed} - {""})

        good: list[_ConclusionRow] = []
        for number, raw, values, errors, key, instrument_id in parsed:
            row = self._check(number, raw, values, errors, people.get(key), instrument_id)
            if errors:
                self.reject(result, number, raw, errors)
            else:
                good.append(row)
        if not good:
            return result

        # The person's effective conclusions, and every case an earlier import made for them.
        cases_qs = (
            Assessment.objects.filter(elder_id__in={r.elder.pk for r in good})
            .filter(Q(status=S.EFFECTIVE) | Q(trigger=IMPORTED))
            .select_related("superseded_by", "assessment_org")
        )
        if write:
            cases_qs = cases_qs.select_for_update(of=("self",))
        cases = list(cases_qs)
        imported = {
            (c.elder_id, c.instrument, c.applied_on): c for c in cases if c.trigger == IMPORTED
        }
        for row in good:
            row.current = imported.get((row.elder.pk, row.instrument.id, row.concluded_on))
        if not write:
            result.created += sum(1 for r in good if r.current is None)
            result.updated += sum(1 for r in good if r.current is not None)
            return result
        self._write(good, [c for c in cases if c.status == S.EFFECTIVE], result)
        return result

    def _check(self, number, raw, values, errors, elder, instrument_id) -> _ConclusionRow:
        if not values["id_number"]:
            errors.setdefault("id_number", str(ID_REASONS["required"]))
        elif elder is None or not region_in_scope(self.actor, elder.region_code):
            # Outside the officer's region reads exactly as not on record.
            elder = None
            try:
                idnumbers.parse(values["id_number"])
            except idnumbers.IdNumberError as exc:
                errors.setdefault("id_number", str(ID_REASONS.get(exc.reason, UNKNOWN_PERSON)))
            else:
                errors.setdefault("id_number", str(UNKNOWN_PERSON))
        elif elder.status != Elder.Status.ACTIVE:
            errors.setdefault("id_number", str(ElderNotEditable.default_message))

        instrument = self.instruments.get(instrument_id) if instrument_id else None
        if not values["instrument"]:
            errors.setdefault("instrument", _("Choose an assessment standard."))
        elif instrument is None:
            errors.setdefault(
                "instrument",
                _("There is no such standard; choose one of %(ids)s.")
                % {"ids": "、".join(self.instruments)},
            )

        concluded, start, end = values["concluded_on"], values["valid_from"], values["valid_to"]
        if concluded is None:
            errors.setdefault("concluded_on", _("Enter the day the conclusion was made."))
        elif concluded > self.today:
            errors.setdefault("concluded_on", _("The conclusion date cannot be in the future."))
        if start is None:
            errors.setdefault("valid_from", _("Enter the first day the conclusion is valid."))
        if end is None:
            if instrument is not None and instrument.id not in LEGACY_INSTRUMENTS:
                errors.setdefault(
                    "valid_to",
                    _(
                        "Enter the last day the conclusion is valid; only conclusions under "
                        "%(ids)s may be open-ended."
                    )
                    % {"ids": "、".join(sorted(LEGACY_INSTRUMENTS))},
                )
        elif start is not None and end < start:
            errors.setdefault("valid_to", _("The last day of validity cannot be before the first."))

        grade, answers, graded = None, None, None
        grade_text, scores_text = values["grade"], values["item_scores"]
        if instrument is not None:
            if grade_text:
                grade = _grade_of(instrument, grade_text)
                if grade is None:
                    errors.setdefault(
                        "grade",
                        _(
                            "“%(grade)s” is not a grade of %(instrument)s; its grades are %(grades)s."
                        )
                        % {
                            "grade": grade_text[:20],
                            "instrument": instrument.id,
                            "grades": "、".join(f"{g} {t}" for g, t in instrument.grades.items()),
                        },
                    )
            if scores_text:
                answers, problems = _answers_of(instrument, scores_text)
                if problems:
                    errors.setdefault("item_scores", "；".join(problems))
                else:
                    try:
                        graded = grading.answers_grade(instrument=instrument, answers=answers)
                    except AnswersInvalid as exc:
                        errors.setdefault(
                            "item_scores", _problems_text(instrument, answers, exc.problems)
                        )
                if graded is not None and grade_text and grade is not None:
                    if graded.grade != grade:
                        errors.setdefault(
                            "grade",
                            _("The scores give grade %(grade)s (%(label)s), not %(given)s.")
                            % {"grade": graded.grade, "label": graded.label, "given": grade},
                        )
                elif graded is not None and not grade_text:
                    grade = graded.grade
            elif not grade_text:
                errors.setdefault(
                    "grade", _("Enter the grade, or the item scores to compute it from.")
                )

        org_name = " ".join(values["assessment_org"].split())
        source_number = " ".join(values["source_number"].split())
        if len(org_name) > 120:
            errors.setdefault("assessment_org", _("At most %(n)s characters.") % {"n": 120})
        if len(source_number) > 60:
            errors.setdefault("source_number", _("At most %(n)s characters.") % {"n": 60})
        org = self.orgs_by_name.get(org_name) if org_name else None
        notes = []
        if source_number:
            notes.append(
                _("Case number in the earlier system: %(number)s") % {"number": source_number}
            )
        if org_name and org is None:
            notes.append(_("Assessed by %(name)s") % {"name": org_name})
        return _ConclusionRow(
            number=number,
            raw=raw,
            elder=elder,
            instrument=instrument,
            concluded_on=concluded,
            valid_from=start,
            valid_to=end,
            grade=grade,
            answers=answers if graded is not None else None,
            result=graded.as_dict() if graded is not None else None,
            org=org,
            note="; ".join(notes)[:300],
        )

    def _fill(self, case: Assessment, row: _ConclusionRow) -> None:
        instrument = row.instrument
        case.instrument_version = instrument.version
        case.grade = row.grade
        case.grade_label = instrument.grades[row.grade]
        case.answers = row.answers
        case.result = row.result or {
            "grade": row.grade,
            "label": case.grade_label,
            "instrument": instrument.id,
            "version": instrument.version,
            "imported": True,
        }
        case.valid_from = row.valid_from
        case.valid_to = row.valid_to
        case.assessment_org = row.org
        case.note = row.note
        case.concluded_at = local_day_range(row.concluded_on)[0]

    def _write(self, rows: list[_ConclusionRow], effective: list[Assessment], result) -> None:
        now = timezone.now()
        today = self.today
        before: dict[int, dict] = {}
        records: list[tuple[_ConclusionRow, Assessment]] = []
        new_cases: list[Assessment] = []
        for row in rows:
            case = row.current
            if case is None:
                case = Assessment(
                    number=f"tmp-{secrets.token_hex(8)}",
                    elder=row.elder,
                    region_code=row.elder.region_code,
                    instrument=row.instrument.id,
                    trigger=IMPORTED,
                    # The old system's channel is not known; the counter is the default of a
                    # paper application, and the trigger says where the case came from.
                    channel=Assessment.Channel.AGENCY,
                    applicant_name="",
                    applied_on=row.concluded_on,
                    acceptance_due=row.concluded_on,
                    due_on=row.concluded_on,
                    created_by=account_of(self.actor),
                )
                new_cases.append(case)
            else:
                before[case.pk] = _case_snapshot(case)
            self._fill(case, row)
            records.append((row, case))

        # Which conclusion is each person's current one, field by field.
        in_batch = {id(case) for _row, case in records}
        competing: dict[tuple, list[Assessment]] = defaultdict(list)
        for case in effective:
            if id(case) not in in_batch:
                competing[(case.elder_id, self._field_of(case.instrument))].append(case)
        groups: dict[tuple, list[Assessment]] = defaultdict(list)
        for row, case in records:
            if case.valid_to is None or case.valid_to >= today:
                groups[(row.elder.pk, row.instrument.registry_field)].append(case)
            elif case.status != S.SUPERSEDED or case.pk is None:
                # Past its validity: history only. (One superseded before it expired stays so.)
                case.status, case.ended_on = S.EXPIRED, case.valid_to + dt.timedelta(days=1)
                case.superseded_by = None
        elder_of = {id(case): row.elder for row, case in records}
        links: list[tuple[Assessment, Assessment]] = []
        winners: list[tuple[Assessment, str | None, Elder]] = []
        superseded: list[Assessment] = []
        for (elder_id, field_name), members in groups.items():
            rivals = competing.get((elder_id, field_name), [])
            winner = max([*members, *rivals], key=conclusion_rank)
            for case in members:
                if case is not winner:
                    case.status, case.superseded_by = S.SUPERSEDED, None
                    links.append((case, winner))
            for case in rivals:
                if case is not winner:
                    before[case.pk] = _case_snapshot(case)
                    case.status, case.superseded_by = S.SUPERSEDED, None
                    links.append((case, winner))
                    superseded.append(case)
            if id(winner) not in in_batch:
                continue  # an older import: history only, the person keeps their conclusion
            old = before.get(winner.pk) if winner.pk else None
            winner.status, winner.ended_on, winner.superseded_by = S.EFFECTIVE, None, None
            if old is None or any(
                old[k] != getattr(winner, k) for k in ("status", "grade", "valid_from", "valid_to")
            ):
                winners.append((winner, field_name, elder_of[id(winner)]))

        Assessment.objects.bulk_create(new_cases)
        for case in new_cases:
            case.number = f"IM{case.applied_on:%Y}{district_of(case.region_code)}{case.pk:07d}"
        for case, winner in links:
            supersede(case, by=winner)  # as the procedure does

        logs: list[ChangeLog] = []
        changed: list[Assessment] = list(new_cases)
        for case in new_cases:
            logs.append(
                self.change(
                    case,
                    "create",
                    audit.diff({}, _case_snapshot(case), hidden=("answers",)),
                    case.region_code,
                )
            )
        result.created += len(new_cases)
        for _row, case in records:
            if case.pk not in before:
                continue
            changes = audit.diff(before[case.pk], _case_snapshot(case), hidden=("answers",))
            if changes:
                case.version += 1
                case.updated_at = now
                changed.append(case)
                logs.append(self.change(case, "update", changes, case.region_code))
                result.updated += 1
            else:
                result.unchanged += 1
        for case in superseded:
            case.version += 1
            case.updated_at = now
            changed.append(case)
            changes = audit.diff(before[case.pk], _case_snapshot(case))
            logs.append(self.change(case, "status", changes, case.region_code))
        bulk_update(Assessment, changed, CASE_FIELDS)

        # The person's registry field follows the newest effective conclusion.
        people: dict[int, Elder] = {}
        people_changes: dict[int, dict] = defaultdict(dict)
        effective = []
        grade_facts: dict = defaultdict(list)
        for winner, field_name, elder in winners:
            previous = getattr(elder, field_name) if field_name else None
            if field_name:
                # The grade is a dated fact from the conclusion's first day, as in the procedure.
                grade_facts[winner.valid_from or local_today()].append(
                    (elder, {field_name: str(winner.grade)}, winner.number)
                )
            if field_name and previous != winner.grade:
                people[elder.pk] = elder
                people_changes[elder.pk][field_name] = [previous, winner.grade]
            effective.append((winner, field_name, previous))
        for valid_from, facts in grade_facts.items():
            facts_record(
                [(elder, values) for elder, values, _number in facts],
                on=min(valid_from, local_today()),
                source=Fact.Source.ASSESSMENT,
                references={elder.pk: number for elder, _values, number in facts},
                actor=self.actor,
            )
        # The people are locked above (select_for_update), as publishing about them requires.
        effective_events_publish(effective)
        for elder in people.values():
            elder.version += 1
            elder.updated_at = now
            logs.append(self.change(elder, "update", people_changes[elder.pk], elder.region_code))
        bulk_update(
            Elder,
            list(people.values()),
            ["ability_level", "disability_grade", "version", "updated_at"],
        )
        ChangeLog.objects.bulk_create(logs)


KIND = DataKind(
    key="assessments",
    label=gettext_lazy("Past assessment conclusions"),
    columns=ASSESSMENT_COLUMNS,
    sheet_title="评估结论",
    file_stem="assessments",
    importer=AssessmentImporter,
    # Past conclusions change people's grades exactly as a conclusion of the procedure does.
    import_capabilities=("imports.run", "assessments.manage"),
    order=40,
)
