"""Supervision figures of assessment (DESIGN §2.12): the workload and turnaround of assessors and
their organisations, how often assessors disagree and applicants object, the grades in force by
district, and assessors whose grades stray from their co-assessors'.

Every figure starts from the officer's own cases, `scoped(Assessment.objects.all(), actor)`,
narrowed by the filter (application date, instrument), and is counted in the database: a city
files about 100,000 assessments a year, and each selector returns one row per assessor,
organisation or district × grade, whatever the number of cases. On 100,000 cases and 200,000
assignments in one district (PostgreSQL 2 cores) the four selectors take about 0.8, 0.3, 0.03
and 0.5 s; PostgreSQL's JIT compiler, if left on, adds about 0.5 s to the disagreement query.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Avg,
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    FilteredRelation,
    FloatField,
    Func,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.fields.json import KT, KeyTextTransform
from django.db.models.functions import Cast, Substr, TruncDate

from yiyang.assessment.errors import UnknownInstrument
from yiyang.assessment.grading import instrument_load
from yiyang.assessment.models import (
    Assessment,
    AssessorProfile,
    Assignment,
    Discrepancy,
    Objection,
)
from yiyang.core.scoping import require, scoped
from yiyang.core.timeutils import LOCAL_TZ
from yiyang.institutions.models import Organisation
from yiyang.regions.models import Region

CAPABILITY = "assessments.supervise"
DEFAULT_MIN_CASES = 10
DEFAULT_GAP = Decimal("0.5")

# An assignment of a case that ended before its on-site visit is neither done nor open.
ENDED_UNDONE = (Assessment.Status.WITHDRAWN, Assessment.Status.REFUSED)


@dataclass(frozen=True)
class FigureFilters:
    """Cases applied for from `date_from` to `date_to` (both included), by one instrument or all."""

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    instrument: str = ""


class DaysBetween(Func):
    """Whole days from the date `start` to the date `end`: `end - start` is already an integer
    on PostgreSQL; SQLite keeps dates as text, so it goes through julianday()."""

    arity = 2
    template = "(%(expressions)s)"
    arg_joiner = " - "
    output_field = IntegerField()

    def __init__(self, end, start, **extra):
        super().__init__(end, start, **extra)

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) AS INTEGER)",
            arg_joiner=") - julianday(",
            **extra_context,
        )


def _share(part: int, whole: int) -> float | None:
    """Per cent with one decimal; None when there is nothing to divide."""
    return round(100 * part / whole, 1) if whole else None


def _assignment_grade():
    """The grade an assessor's own answers gave: `result["grade"]` of their assignment."""
    return Cast(KT("result__grade"), IntegerField())


def cases_for(*, actor, filters: FigureFilters | None = None) -> QuerySet[Assessment]:
    """The officer's cases under the filter; every figure below counts from these."""
    require(actor, CAPABILITY)
    f = filters or FigureFilters()
    qs = scoped(Assessment.objects.all(), actor)
    if f.date_from:
        qs = qs.filter(applied_on__gte=f.date_from)
    if f.date_to:
        qs = qs.filter(applied_on__lte=f.date_to)
    if f.instrument:
        qs = qs.filter(instrument=f.instrument)
    return qs.order_by()


def _assignments(cases: QuerySet[Assessment]) -> QuerySet[Assignment]:
    return Assignment.objects.filter(assessment__in=cases.values("pk")).order_by()


# --- workload and turnaround -----------------------------------------------------------------


def _median(histogram: dict[int, int]) -> float | None:
    """The median of values given as {value: how many}."""
    n = sum(histogram.values())
    if not n:
        return None
    lower, upper = (n - 1) // 2, n // 2  # 0-based positions of the middle one or two
    seen, low = 0, None
    for value in sorted(histogram):
        seen += histogram[value]
        if low is None and seen > lower:
            low = value
        if seen > upper:
            return (low + value) / 2
    return None  # pragma: no cover - the loop always reaches the upper middle


def _workload_rows(assignments: QuerySet[Assignment], key: str, *, shared: bool) -> list[dict]:
    """Counts per `key` and the median days from application to conclusion.

    Two queries: the counts, and a histogram of days per key (a few dozen distinct day counts
    per key), from which the median is read exactly on either database. An assessor has one
    assignment per case and round, and a re-assessment is by other assessors, so their cases
    are counted by assignment; an organisation sends two assessors to a case (`shared`), so
    its cases are counted distinct, which costs a sort."""

    def cases(condition: Q) -> Count:
        if shared:
            return Count("assessment", distinct=True, filter=condition)
        return Count("id", filter=condition)

    took_part = Q(submitted_at__isnull=False)
    effective = took_part & Q(assessment__valid_from__isnull=False)
    rows = list(
        assignments.values(key)
        .annotate(
            assignments=Count("id"),
            submitted=Count("id", filter=took_part),
            open=Count(
                "id",
                filter=Q(submitted_at__isnull=True) & ~Q(assessment__status__in=ENDED_UNDONE),
            ),
            concluded=cases(took_part & Q(assessment__concluded_at__isnull=False)),
            effective=cases(effective),
            on_time=cases(effective & Q(assessment__valid_from__lte=F("assessment__due_on"))),
        )
        .order_by(key)
    )
    histograms: dict[int, dict[int, int]] = {}
    days = (
        assignments.filter(took_part, assessment__concluded_at__isnull=False)
        .annotate(
            days=DaysBetween(
                TruncDate("assessment__concluded_at", tzinfo=LOCAL_TZ),
                F("assessment__applied_on"),
            )
        )
        .values(key, "days")
        .annotate(n=cases(Q()))
        .order_by()
    )
    for row in days:
        histograms.setdefault(row[key], {})[row["days"]] = row["n"]
    for row in rows:
        row["median_days"] = _median(histograms.get(row[key], {}))
        row["on_time_share"] = _share(row["on_time"], row["effective"])
    return rows


def assessor_workload(*, actor, filters: FigureFilters | None = None) -> dict:
    """Per assessor and per assessment organisation: assignments, submitted, still open; cases
    they took part in that were concluded; the median days from application to conclusion
    (local calendar days); and of those cases that became effective, the share whose validity
    began on or before the entitlement deadline (`due_on`). Six queries, the last two for the
    names of the few dozen assessors and organisations."""
    assignments = _assignments(cases_for(actor=actor, filters=filters))
    assessors = _workload_rows(assignments, "assessor", shared=False)
    organisations = _workload_rows(assignments, "assessor__organisation", shared=True)
    people = {
        p["pk"]: p
        for p in AssessorProfile.objects.filter(pk__in=[r["assessor"] for r in assessors]).values(
            "pk", "user__display_name", "user__username", "organisation__name"
        )
    }
    for row in assessors:
        person = people[row["assessor"]]
        row["name"] = person["user__display_name"] or person["user__username"]
        row["organisation"] = person["organisation__name"]
    names = dict(
        Organisation.objects.filter(
            pk__in=[r["assessor__organisation"] for r in organisations]
        ).values_list("pk", "name")
    )
    for row in organisations:
        row["name"] = names[row["assessor__organisation"]]
    assessors.sort(key=lambda r: (r["organisation"], r["name"], r["assessor"]))
    organisations.sort(key=lambda r: (r["name"], r["assessor__organisation"]))
    return {"assessors": assessors, "organisations": organisations}


# --- disagreements and objections ------------------------------------------------------------


def _flag(condition: Q) -> ExpressionWrapper:
    return ExpressionWrapper(condition, output_field=BooleanField())


def disagreement_shares(*, actor, filters: FigureFilters | None = None) -> dict:
    """Three shares:

    * of cases whose round-1 forms were all submitted (two or more), those with at least one
      discrepancy in round 1;
    * of cases that went on public notice, those with an objection;
    * of objected cases re-assessed in round 2 and concluded, those whose final grade differs
      from round 1: the grade the objection was against (`Objection.grade`). For objections
      recorded without it, round 1 is read from its assessors' own results: the final grade
      counts as changed when neither round-1 assessor gave it.

    One query: the cases counted by a handful of yes/no flags (at most a few dozen groups),
    each flag computed once per case. The sets of cases with two forms, a discrepancy or an
    objection are uncorrelated `IN` subqueries that PostgreSQL hashes once; the round-1 grades
    are looked up only for the few re-assessed cases.
    """
    cases = cases_for(actor=actor, filters=filters)
    in_scope = cases.values("pk")
    two_forms = (
        Assignment.objects.filter(assessment__in=in_scope, round=1, submitted_at__isnull=False)
        .order_by()
        .values("assessment")
        .annotate(n=Count("id"))
        .filter(n__gte=2)
        .values("assessment")
    )
    discrepant = Discrepancy.objects.filter(assessment__in=in_scope, round=1).values("assessment")
    objected = Objection.objects.filter(assessment__in=in_scope).values("assessment")
    reassessed = Q(pk__in=objected, round=2, concluded_at__isnull=False, grade__isnull=False)
    round1_gave_final_grade = Exists(
        Assignment.objects.filter(assessment=OuterRef("pk"), round=1, submitted_at__isnull=False)
        .annotate(given=_assignment_grade())
        .filter(given=OuterRef("grade"))
    )
    # Objections record the grade objected to; older rows without it fall back to the
    # round-1 assessors' own results.
    recorded = Objection.objects.filter(assessment=OuterRef("pk"), grade__isnull=False)
    recorded_same = recorded.filter(grade=OuterRef("grade"))
    groups = (
        cases.annotate(
            has_two_forms=_flag(Q(pk__in=two_forms)),
            has_discrepancy=_flag(Q(pk__in=discrepant)),
            was_noticed=_flag(Q(notice_from__isnull=False)),
            has_objection=_flag(Q(pk__in=objected)),
            is_reassessed=_flag(reassessed),
            # CASE stops before the lookup for every case that was not re-assessed
            is_changed=Case(
                When(reassessed & Q(Exists(recorded)), then=~Exists(recorded_same)),
                When(reassessed, then=~round1_gave_final_grade),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )
        .values(
            "has_two_forms",
            "has_discrepancy",
            "was_noticed",
            "has_objection",
            "is_reassessed",
            "is_changed",
        )
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = dict.fromkeys(
        ("both_forms", "discrepant", "noticed", "objected", "reassessed", "changed"), 0
    )
    for g in groups:
        n = g["n"]
        if g["has_two_forms"]:
            counts["both_forms"] += n
            counts["discrepant"] += n if g["has_discrepancy"] else 0
        if g["was_noticed"]:
            counts["noticed"] += n
            counts["objected"] += n if g["has_objection"] else 0
        if g["is_reassessed"]:
            counts["reassessed"] += n
            counts["changed"] += n if g["is_changed"] else 0
    return {
        **counts,
        "discrepant_share": _share(counts["discrepant"], counts["both_forms"]),
        "objected_share": _share(counts["objected"], counts["noticed"]),
        "changed_share": _share(counts["changed"], counts["reassessed"]),
    }


# --- grades in force by district -------------------------------------------------------------


def _instrument_meta(instrument_id: str) -> tuple[str, dict[int, str]]:
    try:
        instrument = instrument_load(instrument_id)
    except UnknownInstrument:
        return instrument_id, {}
    return instrument.title, dict(instrument.grades)


def grade_distribution(*, actor, filters: FigureFilters | None = None) -> list[dict]:
    """Effective assessments by district (the first six digits of the person's region code)
    and grade, one table per instrument, with every grade of the instrument's definition in
    order, so that a grade nobody holds still shows as 0. Two queries."""
    cases = cases_for(actor=actor, filters=filters)
    rows = list(
        cases.filter(status=Assessment.Status.EFFECTIVE, grade__isnull=False)
        .annotate(district=Substr("region_code", 1, 6))
        .values("instrument", "district", "grade")
        .annotate(n=Count("id"), label=Max("grade_label"))
        .order_by("instrument", "district", "grade")
    )
    codes = {r["district"] for r in rows}
    names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    tables: dict[str, dict] = {}
    for r in rows:
        table = tables.get(r["instrument"])
        if table is None:
            title, grades = _instrument_meta(r["instrument"])
            table = tables[r["instrument"]] = {
                "instrument": r["instrument"],
                "title": title,
                "labels": grades,
                "cells": {},
            }
        table["labels"].setdefault(r["grade"], r["label"] or str(r["grade"]))
        table["cells"][(r["district"], r["grade"])] = r["n"]
    result = []
    for table in tables.values():
        grades = sorted(table["labels"])
        districts = sorted({d for d, _g in table["cells"]})
        lines = []
        for code in districts:
            counts = [table["cells"].get((code, g), 0) for g in grades]
            lines.append(
                {
                    "code": code,
                    "name": names.get(code, code),
                    "counts": counts,
                    "total": sum(counts),
                }
            )
        totals = [sum(line["counts"][i] for line in lines) for i in range(len(grades))]
        result.append(
            {
                "instrument": table["instrument"],
                "title": table["title"],
                "grades": [{"grade": g, "label": table["labels"][g]} for g in grades],
                "districts": lines,
                "totals": totals,
                "total": sum(totals),
            }
        )
    return result


# --- assessors who stray from their peers ----------------------------------------------------


def outlier_assessors(
    *,
    actor,
    filters: FigureFilters | None = None,
    min_cases: int = DEFAULT_MIN_CASES,
    gap: Decimal | float = DEFAULT_GAP,
) -> list[dict]:
    """For each assessor, over their submitted assignments in rounds where another assessor
    also submitted: the number of such shared cases, the mean signed difference between their
    grade and their co-assessor's, and the share of cases where they differ. (Should a round
    have three assessors, each pair counts in the mean, and a case differs when any co-assessor
    gave another grade.) Flagged: at least `min_cases` shared cases and |mean difference| >=
    `gap`; flagged first, then by the size of the difference.

    One query: each assignment joined to its co-assessors' assignments of the same round.
    """
    cases = cases_for(actor=actor, filters=filters)
    co_assessor = FilteredRelation(
        "assessment__assignments",
        condition=Q(
            assessment__assignments__round=F("round"),
            assessment__assignments__submitted_at__isnull=False,
        )
        & ~Q(assessment__assignments__assessor=F("assessor")),
    )
    rows = list(
        _assignments(cases)
        .filter(submitted_at__isnull=False)
        .annotate(peer=co_assessor)
        .annotate(
            mine=_assignment_grade(),
            theirs=Cast(KeyTextTransform("grade", "peer__result"), IntegerField()),
        )
        .filter(mine__isnull=False, theirs__isnull=False)
        .values(
            "assessor",
            "assessor__user__display_name",
            "assessor__user__username",
            "assessor__organisation__name",
        )
        .annotate(
            cases=Count("id", distinct=True),
            mean_difference=Avg(F("mine") - F("theirs"), output_field=FloatField()),
            differing=Count("id", distinct=True, filter=~Q(mine=F("theirs"))),
        )
        .order_by("assessor")
    )
    threshold = float(gap)
    for row in rows:
        row["name"] = row["assessor__user__display_name"] or row["assessor__user__username"]
        row["organisation"] = row["assessor__organisation__name"]
        mean = float(row["mean_difference"])
        row["mean_difference"] = round(mean, 2)
        row["differing_share"] = _share(row["differing"], row["cases"])
        # compared unrounded, with room for the float error of an average such as 5/10
        row["is_flagged"] = row["cases"] >= min_cases and abs(mean) >= threshold - 1e-9
    rows.sort(key=lambda r: (not r["is_flagged"], -abs(r["mean_difference"]), r["name"]))
    return rows


def assessment_figures(
    *,
    actor,
    filters: FigureFilters | None = None,
    min_cases: int = DEFAULT_MIN_CASES,
    gap: Decimal | float = DEFAULT_GAP,
) -> dict:
    """Every figure of the supervision page, for one filter."""
    require(actor, CAPABILITY)
    return {
        "workload": assessor_workload(actor=actor, filters=filters),
        "disagreements": disagreement_shares(actor=actor, filters=filters),
        "grades": grade_distribution(actor=actor, filters=filters),
        "outliers": outlier_assessors(actor=actor, filters=filters, min_cases=min_cases, gap=gap),
    }
