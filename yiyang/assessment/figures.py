"""Supervision figures of assessment (DESIGN §2.12): the workload and turnaround of assessors and
their organisations, how often assessors disagree and applicants object, the grades in force by
district, and assessors whose grades stray from their co-assessors'.

Every figure starts from the officer's own cases, `scoped(Assessment.objects.all(), actor)`, or
their assignments, scoped through their case, narrowed by the filter (application date,
instrument), and is counted in the database: a city files about 100,000 assessments a year, and
each selector returns one row per assessor, organisation or district × grade, whatever the number
of cases. Each figure reads the assignments at most once. On the benchmark city (100,000 cases,
195,000 assignments; PostgreSQL on 2 vCPU, bench/README.md) the four selectors take about 0.4, 0.3,
0.07 and 0.25 s for the whole city, 0.13, 0.11, 0.015 and 0.1 s for one district. PostgreSQL's JIT
compiler stays off (settings): it would compile these aggregates for longer than they run.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import (
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    FilteredRelation,
    Func,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import RowNumber, Substr, TruncDate

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
from yiyang.people.models import Elder
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


def _per_thousand(part: int, whole: int) -> float | None:
    return round(1000 * part / whole, 1) if whole else None


def _one_if(condition: Q) -> Case:
    """1 for a row that meets `condition`, else 0: a column the outer query sums."""
    return Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())


def _narrowed(qs: QuerySet, f: FigureFilters, case: str = "") -> QuerySet:
    """`qs` under the filter; `case` is the path from its model to the case."""
    if f.date_from:
        qs = qs.filter(**{f"{case}applied_on__gte": f.date_from})
    if f.date_to:
        qs = qs.filter(**{f"{case}applied_on__lte": f.date_to})
    if f.instrument:
        qs = qs.filter(**{f"{case}instrument": f.instrument})
    return qs.order_by()


def cases_for(*, actor, filters: FigureFilters | None = None) -> QuerySet[Assessment]:
    """The officer's cases under the filter; every figure below counts from these."""
    require(actor, CAPABILITY)
    return _narrowed(scoped(Assessment.objects.all(), actor), filters or FigureFilters())


def assignments_for(*, actor, filters: FigureFilters | None = None) -> QuerySet[Assignment]:
    """The assignments of those cases, scoped and filtered through the join to their case, so
    that a figure reads the cases once rather than once for the scope and again for columns."""
    require(actor, CAPABILITY)
    return _narrowed(
        scoped(Assignment.objects.all(), actor), filters or FigureFilters(), "assessment__"
    )


def _summed(rows: QuerySet, keys: tuple[str, ...], columns: tuple[str, ...]) -> list[dict]:
    """`SELECT keys, SUM(column), ... FROM (rows) GROUP BY keys`, as dicts.

    The ORM cannot aggregate over window functions (it would put the window inside the
    aggregate, which neither database allows), so the per-row query is the ORM's own, scope
    and filter included, and only this outer GROUP BY is written out. `keys` and `columns`
    name annotations of `rows`, which the ORM always selects under their own alias."""
    names = (*keys, *columns)
    try:
        sql, params = rows.values(*names).order_by().query.sql_with_params()
    except EmptyResultSet:  # an actor whose scope is empty: `scoped()` gave `.none()`
        return []
    connection = connections[rows.db]
    quoted = [connection.ops.quote_name(n) for n in names]
    group = ", ".join(quoted[: len(keys)])
    sums = ", ".join(f"SUM({c})" for c in quoted[len(keys) :])
    # Only our own alias names are spliced in; every value stays a parameter.
    query = f"SELECT {group}, {sums} FROM ({sql}) per_row GROUP BY {group}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        # PostgreSQL sums a bigint column as numeric: every column here sums integers
        return [
            {
                **dict(zip(keys, row[: len(keys)], strict=True)),
                **{c: int(v) for c, v in zip(columns, row[len(keys) :], strict=True)},
            }
            for row in cursor.fetchall()
        ]


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


COUNTS = ("assignments", "submitted", "open", "concluded", "effective", "on_time")
# counted by assignment for an assessor and an organisation alike; the rest by case for the latter
BY_ASSIGNMENT = ("assignments", "submitted", "open")


def _workload_row(key: str, pk: int, name: str, **extra) -> dict:
    return {key: pk, **dict.fromkeys(COUNTS, 0), "name": name, **extra, "days": {}}


def _workload_finish(row: dict) -> dict:
    """The median days, from the histogram {days: how many}, and the share on time."""
    row["median_days"] = _median(row.pop("days"))
    row["on_time_share"] = _share(row["on_time"], row["effective"])
    return row


def assessor_workload(*, actor, filters: FigureFilters | None = None) -> dict:
    """Per assessor and per assessment organisation: assignments, submitted, still open; cases
    they took part in that were concluded; the median days from application to conclusion
    (local calendar days); and of those cases that became effective, the share whose validity
    began on or before the entitlement deadline (`due_on`).

    An assessor has one assignment per case and round, and a re-assessment is by other
    assessors, so their cases are counted by assignment; an organisation sends two assessors
    to a case, so its cases are counted once each: by the organisation's first assignment of
    the case (submitted ones first, then by id), marked by a window function.

    One pass over the assignments, grouped by assessor and days to conclusion (a few thousand
    rows): each assessor's counts and the histogram of days from which the median is read
    exactly on either database; an organisation's are the sums of its assessors'. Then one
    small query for the names."""
    took_part = Q(submitted_at__isnull=False)
    concluded = took_part & Q(assessment__concluded_at__isnull=False)
    effective = took_part & Q(assessment__valid_from__isnull=False)
    on_time = effective & Q(assessment__valid_from__lte=F("assessment__due_on"))
    first = Q(organisation_rank=1)  # the organisation's first assignment of the case
    rows = (
        assignments_for(actor=actor, filters=filters)
        .annotate(
            who=F("assessor"),
            organisation=F("assessor__organisation"),
            days=DaysBetween(
                TruncDate("assessment__concluded_at", tzinfo=LOCAL_TZ),
                F("assessment__applied_on"),
            ),
            organisation_rank=Window(
                RowNumber(),
                partition_by=[F("assessment"), F("assessor__organisation")],
                order_by=[F("submitted_at").asc(nulls_last=True), F("id").asc()],
            ),
        )
        .annotate(
            n_assignments=Value(1),
            n_submitted=_one_if(took_part),
            n_open=_one_if(Q(submitted_at__isnull=True) & ~Q(assessment__status__in=ENDED_UNDONE)),
            n_concluded=_one_if(concluded),
            n_effective=_one_if(effective),
            n_on_time=_one_if(on_time),
            cases_concluded=_one_if(first & concluded),
            cases_effective=_one_if(first & effective),
            cases_on_time=_one_if(first & on_time),
        )
    )
    groups = _summed(
        rows,
        ("who", "organisation", "days"),
        (*(f"n_{k}" for k in COUNTS), "cases_concluded", "cases_effective", "cases_on_time"),
    )
    # One query for the names: an organisation here is always some listed assessor's.
    people = {
        p["pk"]: p
        for p in AssessorProfile.objects.filter(pk__in={g["who"] for g in groups}).values(
            "pk", "user__display_name", "user__username", "organisation__name"
        )
    }
    assessors: dict[int, dict] = {}
    organisations: dict[int, dict] = {}
    for g in groups:
        person = people[g["who"]]
        if g["who"] not in assessors:
            assessors[g["who"]] = _workload_row(
                "assessor",
                g["who"],
                person["user__display_name"] or person["user__username"],
                organisation=person["organisation__name"],
            )
        if g["organisation"] not in organisations:
            organisations[g["organisation"]] = _workload_row(
                "assessor__organisation", g["organisation"], person["organisation__name"]
            )
        mine, theirs = assessors[g["who"]], organisations[g["organisation"]]
        for k in COUNTS:
            mine[k] += g[f"n_{k}"]
            theirs[k] += g[f"n_{k}"] if k in BY_ASSIGNMENT else g[f"cases_{k}"]
        if g["n_concluded"]:  # then `days` is a number
            mine["days"][g["days"]] = g["n_concluded"]
        if g["cases_concluded"]:
            theirs["days"][g["days"]] = theirs["days"].get(g["days"], 0) + g["cases_concluded"]
    return {
        "assessors": sorted(
            map(_workload_finish, assessors.values()),
            key=lambda r: (r["organisation"], r["name"], r["assessor"]),
        ),
        "organisations": sorted(
            map(_workload_finish, organisations.values()),
            key=lambda r: (r["name"], r["assessor__organisation"]),
        ),
    }


# --- disagreements and objections ------------------------------------------------------------


def disagreement_shares(*, actor, filters: FigureFilters | None = None) -> dict:
    """Three shares:

    * of cases whose round-1 forms were all submitted (two or more), those with at least one
      discrepancy in round 1;
    * of cases that went on public notice, those with an objection;
    * of objected cases re-assessed in round 2 and concluded, those whose final grade differs
      from round 1: the grade the objection was against (`Objection.grade`). For objections
      recorded without it, round 1 is read from its assessors' own grades (`Assignment.grade`):
      the final grade counts as changed when neither round-1 assessor gave it.

    One query over the officer's cases, scoped once: each case joined to its submitted
    round-1 forms and counted (one pass over the assignments), and flagged with `EXISTS` for a
    round-1 discrepancy and an objection, which PostgreSQL hashes once per query; the
    round-1 grades are looked up only for the few re-assessed cases. The counts are taken
    over those per-case rows.
    """
    final_grade = Q(round=2, concluded_at__isnull=False, grade__isnull=False)
    # Objections record the grade objected to; older rows without it fall back to the
    # round-1 assessors' own grades.
    recorded = Objection.objects.filter(assessment=OuterRef("pk"), grade__isnull=False)
    round1_gave_final_grade = Assignment.objects.filter(
        assessment=OuterRef("pk"),
        round=1,
        submitted_at__isnull=False,
        grade=OuterRef("grade"),
    )
    per_case = (
        cases_for(actor=actor, filters=filters)
        .alias(
            first_round_form=FilteredRelation(
                "assignments",
                condition=Q(assignments__round=1, assignments__submitted_at__isnull=False),
            )
        )
        .annotate(
            forms=Count("first_round_form"),
            has_discrepancy=Exists(Discrepancy.objects.filter(assessment=OuterRef("pk"), round=1)),
            has_objection=Exists(Objection.objects.filter(assessment=OuterRef("pk"))),
            # CASE stops before the lookups for every case without a final round-2 grade.
            # The same on each of the case's joined rows: Max() only keeps it out of the
            # GROUP BY, which would otherwise sort the rows by it.
            grade_changed=Max(
                Case(
                    When(
                        final_grade & Q(Exists(recorded)),
                        then=_one_if(~Q(Exists(recorded.filter(grade=OuterRef("grade"))))),
                    ),
                    When(final_grade, then=_one_if(~Q(Exists(round1_gave_final_grade)))),
                    default=Value(0),
                    output_field=IntegerField(),
                )
            ),
        )
    )
    both_forms = Q(forms__gte=2)
    noticed = Q(notice_from__isnull=False)
    reassessed = final_grade & Q(has_objection=True)
    counts = per_case.aggregate(
        both_forms=Count("pk", filter=both_forms),
        discrepant=Count("pk", filter=both_forms & Q(has_discrepancy=True)),
        noticed=Count("pk", filter=noticed),
        objected=Count("pk", filter=noticed & Q(has_objection=True)),
        reassessed=Count("pk", filter=reassessed),
        changed=Count("pk", filter=reassessed & Q(grade_changed=1)),
    )
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
    # The older people on record in each district, the rates' denominator, in the same scope.
    people = dict(
        scoped(Elder.objects.filter(status=Elder.Status.ACTIVE), actor)
        .annotate(district=Substr("region_code", 1, 6))
        .filter(district__in=codes)
        .values("district")
        .annotate(n=Count("id"))
        .values_list("district", "n")
    )
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
            older = people.get(code, 0)
            lines.append(
                {
                    "code": code,
                    "name": names.get(code, code),
                    "counts": counts,
                    "total": sum(counts),
                    "older_people": older,
                    # per 1,000 older people on record in the district (None without any)
                    "rates": [_per_thousand(n, older) for n in counts],
                    "rate": _per_thousand(sum(counts), older),
                }
            )
        totals = [sum(line["counts"][i] for line in lines) for i in range(len(grades))]
        older = sum(line["older_people"] for line in lines)
        result.append(
            {
                "instrument": table["instrument"],
                "title": table["title"],
                "grades": [{"grade": g, "label": table["labels"][g]} for g in grades],
                "districts": lines,
                "totals": totals,
                "total": sum(totals),
                "older_people": older,
                "rate": _per_thousand(sum(totals), older),
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

    One pass over the graded assignments, without joining them to each other: window
    functions give each one the number n, sum S, lowest and highest of the grades of its
    round. Against its n - 1 co-assessors, a grade g differs by n*g - S in total, and it
    differs from one of them exactly when the round's lowest and highest grades differ. Those
    are summed per assessor id; the names come from a second, small query.
    """
    same_round = {"partition_by": [F("assessment"), F("round")]}
    rows = (
        assignments_for(actor=actor, filters=filters)
        .filter(submitted_at__isnull=False, grade__isnull=False)
        .annotate(
            who=F("assessor"),
            graded=Window(Count("id"), **same_round),
            grade_sum=Window(Sum("grade"), **same_round),
            lowest=Window(Min("grade"), **same_round),
            highest=Window(Max("grade"), **same_round),
        )
        .annotate(
            shared=_one_if(Q(graded__gte=2)),
            pairs=ExpressionWrapper(F("graded") - 1, output_field=IntegerField()),
            difference=ExpressionWrapper(
                F("graded") * F("grade") - F("grade_sum"), output_field=IntegerField()
            ),
            differs=_one_if(Q(lowest__lt=F("highest"))),
        )
    )
    sums = [
        r
        for r in _summed(rows, ("who",), ("shared", "pairs", "difference", "differs"))
        if r["shared"]
    ]
    people = {
        p["pk"]: p
        for p in AssessorProfile.objects.filter(pk__in=[r["who"] for r in sums]).values(
            "pk", "user__display_name", "user__username", "organisation__name"
        )
    }
    threshold = float(gap)
    result = []
    for r in sorted(sums, key=lambda r: r["who"]):
        person = people[r["who"]]
        mean = r["difference"] / r["pairs"]
        result.append(
            {
                "assessor": r["who"],
                "name": person["user__display_name"] or person["user__username"],
                "organisation": person["organisation__name"],
                "cases": r["shared"],
                "mean_difference": round(mean, 2),
                "differing": r["differs"],
                "differing_share": _share(r["differs"], r["shared"]),
                # compared unrounded, with room for the float error of an average such as 5/10
                "is_flagged": r["shared"] >= min_cases and abs(mean) >= threshold - 1e-9,
            }
        )
    result.sort(key=lambda r: (not r["is_flagged"], -abs(r["mean_difference"]), r["name"]))
    return result


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
