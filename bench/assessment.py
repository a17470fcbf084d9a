"""Benchmark of the assessment capability on a city-sized PostgreSQL database.

    .venv/bin/python bench/assessment.py [--cases 100000] [--elders 1000000]
        [--database-url postgres://...] [--runs 10] [--requests 100] [--explain]

Builds or reuses the demo city of bench/registry.py (same database, same code path), migrates it,
and tops the assessment cases up to --cases with synthetic history across the city: realistic
statuses, two assessors per round drawn from ~100 assessors of three assessment organisations,
their answers graded by the real engine (a few hundred distinct answer sets, reused), the
differing items, objections and second rounds. A second run reuses what is there. Then prints,
for a medical-insurance officer of Panlong (530103) and one of the city (5301), signed in through
Django's test Client in this process (full middleware stack, session, scoping, templates):

  (a) GET /assessments/figures/, and each selector of assessment/figures.py alone;
  (b) GET /assessments/ (first page, a status filter, the overdue filter) and
      GET /api/v1/assessments (session), first page;
  (c) GET /assessments/<id>/ for cases across Panlong;
  (d) services.assessors_draw on a freshly filed and accepted case (rolled back after each);
  (e) grading.answers_grade calls per second, LTC-2021 and GB/T 42195;
  (f) documents.conclusion_letter_pdf render time, and the peak RSS growth of 50 letters
      (in a fresh process, so that nothing else this script did counts in its peak).

p50/p95 over --runs (figures) or --requests (pages) runs after warm-up runs. Figures are kept in
bench/README.md.
"""

import argparse
import datetime as dt
import functools
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import registry  # noqa: E402 - bench/registry.py, next to this file

CITY, PANLONG = "5301", "530103"
LTC, GBT = "ltc-2021", "gbt-42195-2022"
ACTOR_LABEL = "bench/assessment.py"
CITY_OFFICER = "bench_insurance_city"
# The demo's organisation (昆明市颐康老年人能力评估中心, 16 assessors) is topped up to 40; two more
# designated organisations with 30 each, in Wuhua and Guandu, make ~100 assessors.
DEMO_ORG_POOL = 40
OTHER_ORGS = (
    ("昆明市康宁长期护理评估中心", "530102", 30),
    ("云南和康失能等级评估有限公司", "530111", 30),
)
ANSWER_SETS = {LTC: 300, GBT: 200}  # distinct answer sets graded once, then reused
SLOW_MS = 100.0


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--elders", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--database-url", default=os.environ.get("BENCH_DATABASE_URL", registry.DEFAULT_URL)
    )
    parser.add_argument("--cases", type=int, default=100_000, help="assessment cases in the city")
    parser.add_argument("--runs", type=int, default=10, help="runs of each figure measurement")
    parser.add_argument("--requests", type=int, default=100, help="requests per page measurement")
    parser.add_argument("--draws", type=int, default=50)
    parser.add_argument("--letters", type=int, default=50)
    parser.add_argument("--grading-seconds", type=float, default=3.0)
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE slow queries")
    parser.add_argument("--letters-child", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


# --- setting up ------------------------------------------------------------------------------


def django_setup(args) -> None:
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yiyang.settings.base")
    os.environ["HUEY_URL"] = "immediate"
    os.environ.setdefault("YIYANG_DATA_DIR", str(ROOT / "var"))
    import django

    django.setup()


def setup(args) -> None:
    """registry.py's own setup: the database, `migrate`, `demo-city` (a no-op once built)."""
    registry.setup(args)


# --- the city's assessment organisations, assessors, officers and policy ---------------------


def ensure_people(seed: int) -> dict:
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from yiyang.accounts.models import User
    from yiyang.accounts.roles import Role
    from yiyang.assessment.models import AssessmentPolicy, AssessorProfile
    from yiyang.demo.services.assessments import POLICIES
    from yiyang.demo.services.names import NameBook
    from yiyang.demo.services.organisations import ASSESSMENT_NAME
    from yiyang.institutions.models import Organisation
    from yiyang.regions.models import Region

    for values in POLICIES:  # the demo's rows; it made them already, unless it is an old city
        AssessmentPolicy.objects.get_or_create(
            instrument=values["instrument"],
            region_code=CITY,
            effective_from=dt.date(2024, 1, 1),
            defaults=values,
        )
    city = Region.objects.get(code=CITY)
    now = timezone.now()
    orgs = [(Organisation.objects.get(name=ASSESSMENT_NAME, kind="assessment"), DEMO_ORG_POOL)]
    for name, code, size in OTHER_ORGS:
        region = Region.objects.get(code=code)
        org, _created = Organisation.objects.get_or_create(
            region=region,
            name=name,
            defaults={
                "kind": Organisation.Kind.ASSESSMENT,
                "ownership": Organisation.Ownership.PRIVATE,
                "region_code": region.code,
                "licence_valid_from": dt.date(2021, 3, 1),
            },
        )
        orgs.append((org, size))
    password = make_password(None)  # bench accounts never sign in with a password
    book = NameBook(random.Random(f"{seed}-bench-assessors"))
    n = 0
    for org, size in orgs:
        have = AssessorProfile.objects.filter(organisation=org).count()
        for _ in range(size - have):
            n += 1
            while User.objects.filter(username=f"bench_assessor_{n:03d}").exists():
                n += 1
            user = User.objects.create(
                username=f"bench_assessor_{n:03d}",
                role=Role.ASSESSOR,
                region=city,
                region_code=city.code,
                organisation=org,
                display_name=book.person(book.rng.choice("MF"), book.rng.randrange(1965, 1995)),
                phone=book.mobile(),
                password=password,
                password_changed_at=now,
            )
            AssessorProfile.objects.create(
                user=user,
                organisation=org,
                region_code=org.region_code,
                certificate_number=f"YNPG-B-{n:04d}",
                qualified_until=dt.date(2028, 12, 31),
            )
    bureau = Organisation.objects.filter(name="昆明市医疗保障局").first()
    officer_city, _created = User.objects.get_or_create(
        username=CITY_OFFICER,
        defaults={
            "role": Role.MEDICAL_INSURANCE,
            "region": city,
            "region_code": city.code,
            "organisation": bureau,
            "display_name": "宋立新",
            "password": password,
            "password_changed_at": now,
        },
    )
    pools = {
        org.pk: list(
            AssessorProfile.objects.filter(organisation=org, is_active=True)
            .order_by("id")
            .values_list("id", "employer_id")
        )
        for org, _size in orgs
    }
    return {
        "orgs": [org for org, _size in orgs],
        "pools": pools,
        "district": User.objects.get(username="demo_insurance"),
        "city": officer_city,
    }


# --- synthetic history -----------------------------------------------------------------------


class AnswerBank:
    """A few hundred answer sets per instrument, each with a colleague's view one item away and
    a harsh assessor's view, all graded once by the real engine."""

    def __init__(self, rng: random.Random, instrument, size: int):
        from yiyang.assessment.grading import answers_grade
        from yiyang.demo.services.assessments import _answers, _harsher, _nudge

        self.sets = []
        for _ in range(size):
            frailty = min(1.0, max(0.0, rng.betavariate(2, 3) + rng.uniform(-0.1, 0.35)))
            truth = _answers(rng, instrument, frailty)
            views = [truth, _nudge(rng, instrument, truth, 1), _harsher(rng, instrument, truth)]
            graded = []
            for view in views:
                result = answers_grade(instrument=instrument, answers=view)
                graded.append((view, result.as_dict(), result.grade, result.label))
            self.sets.append(graded)


class History:
    """Rows of synthetic past and open cases, written with COPY by the demo's BulkWriter."""

    def __init__(self, *, rng, today, people, first_ids):
        from django.utils import timezone

        from yiyang.assessment import grading
        from yiyang.assessment.rules import policy_for
        from yiyang.core.workdays import deadline

        self.rng = rng
        self.today = today
        self.now = timezone.now()
        self.orgs = people["orgs"]
        self.pools = people["pools"]
        # one assessor of each new organisation sees everyone more dependent than colleagues do
        self.harsh = {pool[7][0] for org_id, pool in self.pools.items() if len(pool) > 7}
        self.instruments = {i: grading.instrument_load(i) for i in (LTC, GBT)}
        self.banks = {i: AnswerBank(rng, self.instruments[i], ANSWER_SETS[i]) for i in (LTC, GBT)}
        self.policies = {i: policy_for(i, CITY, today) for i in (LTC, GBT)}
        self.ids = dict(first_ids)
        self.rows: dict[str, list[dict]] = {
            k: [] for k in ("cases", "draws", "assignments", "discrepancies", "objections")
        }

        @functools.cache
        def workdays(start: dt.date, n: int) -> dt.date:
            return deadline(start, n).date  # one query per call: cached, it is ~10,000 calls

        self.dl = workdays

    def _next(self, kind: str) -> int:
        self.ids[kind] += 1
        return self.ids[kind]

    def _at(self, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        from yiyang.core.timeutils import LOCAL_TZ

        moment = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=LOCAL_TZ)
        return min(moment, self.now)

    def _working(self, day: dt.date) -> dt.date:
        return self.dl(day, 0)

    def case(self, person, *, instrument_id, applied, target, trigger="first", previous=None):
        """One case from application to `target`: refused, withdrawn, one of the open statuses,
        or 'final' (effective, or expired when its validity has run out)."""
        rng, dl, today = self.rng, self.dl, self.today
        elder_id, region_code, home_id, living, _birth, name = person
        instrument = self.instruments[instrument_id]
        policy = self.policies[instrument_id]
        pk = self._next("case")
        residence = home_id if living == "institution" else None
        applied = self._working(applied)
        case = {
            "id": pk,
            "number": f"PG{applied:%Y}{region_code[:6]}{pk:07d}",
            "elder_id": elder_id,
            "region_code": region_code,
            "residence_id": residence,
            "instrument": instrument_id,
            "instrument_version": instrument.version,
            "trigger": trigger,
            "channel": rng.choice(
                ["village_point", "street_station", "care_institution", "agency", "online"]
            ),
            "applicant_name": name if rng.random() < 0.3 else name[0] + "女士",
            "applicant_relation": "本人" if rng.random() < 0.3 else "子女",
            "applicant_phone": "",
            "note": "",
            "previous_id": previous,
            "status": "applied",
            "applied_on": applied,
            "acceptance_due": dl(applied, policy.acceptance_workdays),
            "due_on": dl(applied, policy.entitlement_workdays),
            "due_provisional": False,
            "refusal_reason": "",
            "refusal_note": "",
            "round": 1,
            "grade_label": "",
            "created_at": self._at(applied, 9, rng.randrange(60)),
            "version": 1,
        }
        self.rows["cases"].append(case)

        def step(status: str, day: dt.date) -> None:
            case["status"] = status
            case["version"] += 1
            case["updated_at"] = self._at(day, 10, rng.randrange(60))

        case["updated_at"] = case["created_at"]
        if target == "applied":
            return case
        decided = min(dl(applied, rng.choice([1, 1, 2, 2, 3, 4, 6])), today)
        case["decided_on"] = decided
        if target == "refused":
            case["refusal_reason"] = rng.choice(
                ["not_insured", "conditions", "outside_scope", "materials"]
            )
            step("refused", decided)
            return case
        if target == "withdrawn" and rng.random() < 0.5:
            step("withdrawn", decided)
            case["ended_on"] = decided
            return case
        case["onsite_due"] = dl(decided, policy.onsite_workdays)
        step("accepted", decided)
        if target == "accepted":
            return case
        onsite = min(dl(decided, rng.randrange(3, 12) + rng.choice([0] * 9 + [12])), today)
        truth_index = rng.randrange(len(self.banks[instrument_id].sets))
        org = self._org(region_code)
        case["assessment_org_id"] = org.pk
        used: list[int] = []
        self._round(case, 1, org, decided, onsite, truth_index, used, target)
        step("assigned", decided)
        if target in ("assigned", "withdrawn"):
            if target == "withdrawn":
                step("withdrawn", onsite)
                case["ended_on"] = onsite
            return case
        case["onsite_done_at"] = self._at(onsite, 17)
        step("on_site_done", onsite)
        if target == "on_site_done":
            return case
        truth, result, grade, label = self.banks[instrument_id].sets[truth_index][0]
        concluded = min(dl(onsite, rng.randrange(1, 3)), today)
        case.update(
            answers=truth,
            result=result,
            grade=grade,
            grade_label=label,
            concluded_at=self._at(concluded, 11),
        )
        step("concluded", concluded)
        if target == "concluded" or (target == "public_notice" and not policy.notice_workdays):
            return case
        start = concluded
        if policy.notice_workdays:
            notice_from = min(dl(concluded, 1), today)
            notice_to = dl(notice_from - dt.timedelta(days=1), policy.notice_workdays)
            case.update(notice_from=notice_from, notice_to=notice_to)
            step("public_notice", notice_from)
            if target == "public_notice":
                return case
            objected = target == "objected" or rng.random() < 0.06
            if objected:
                filed = min(dl(notice_from, rng.randrange(1, 4)), today)
                reason = rng.choice(
                    [
                        "认为评定等级偏低，申请复评",
                        "认为自理能力评得偏高，申请复评",
                        "家属对评定结论有异议",
                    ]
                )
                self.rows["objections"].append(
                    {
                        "assessment_id": pk,
                        "filed_on": filed,
                        "filed_by": case["applicant_name"],
                        "grade": grade,  # the first round's, which round 2 replaces
                        "reason": reason,
                        "recorded_at": self._at(filed, 15),
                    }
                )
                case["round"] = 2
                step("objected", filed)
                if target == "objected":
                    return case
                # round 2 by other assessors, perhaps of another organisation; its result is final
                onsite = dl(filed, rng.randrange(5, 12))
                if rng.random() < 0.4:
                    truth_index = rng.randrange(len(self.banks[instrument_id].sets))
                self._round(
                    case, 2, self._org(region_code), filed, onsite, truth_index, used, "final"
                )
                truth, result, grade, label = self.banks[instrument_id].sets[truth_index][0]
                concluded = dl(onsite, rng.randrange(1, 3))
                case.update(
                    onsite_due=dl(filed, policy.onsite_workdays),
                    onsite_done_at=self._at(onsite, 17),
                    answers=truth,
                    result=result,
                    grade=grade,
                    grade_label=label,
                    concluded_at=self._at(concluded, 11),
                )
                case["version"] += 3
                start = concluded
            else:
                start = notice_to + dt.timedelta(days=1)
        start = min(start, today - dt.timedelta(days=1))
        valid_to = _add_months(start, policy.validity_months) - dt.timedelta(days=1)
        case.update(valid_from=start, valid_to=valid_to)
        step("effective", start)
        if valid_to < today:
            case["ended_on"] = valid_to + dt.timedelta(days=1)
            step("expired", case["ended_on"])
        return case

    def _org(self, region_code: str):
        if self.rng.random() < 0.85:  # each organisation serves its share of the districts
            return self.orgs[int(region_code[4:6]) % len(self.orgs)]
        return self.rng.choice(self.orgs)

    def _round(self, case, round_, org, drawn_on, onsite, truth_index, used, target):
        """The draw, two assignments and the differing items of one round."""
        from yiyang.assessment.services import DRAW_ALGORITHM, draw_pick

        rng = self.rng
        pool_rows = self.pools[org.pk]
        residence = case["residence_id"]
        excluded = [
            {"id": i, "reason": "works_at_residence"}
            for i, e in pool_rows
            if residence and e == residence
        ]
        excluded += [{"id": i, "reason": "earlier_round"} for i in used]
        left_out = {e["id"] for e in excluded}
        pool = [i for i, _e in pool_rows if i not in left_out]
        seed = f"bench-{case['id']}-{round_}"
        chosen = draw_pick(seed, pool, 2)
        used += chosen
        draw_id = self._next("draw")
        self.rows["draws"].append(
            {
                "id": draw_id,
                "assessment_id": case["id"],
                "round": round_,
                "organisation_id": org.pk,
                "algorithm": DRAW_ALGORITHM,
                "seed": seed,
                "pool": pool,
                "excluded": excluded,
                "chosen": chosen,
                "drawn_at": self._at(drawn_on, 10, 30),
            }
        )
        views = self.banks[case["instrument"]].sets[truth_index]
        submitted = target not in ("assigned", "withdrawn")
        forms = []
        for assessor_id in chosen:
            if assessor_id in self.harsh:
                view = views[2]
            else:
                view = views[0] if rng.random() < 0.8 else views[1]
            assignment_id = self._next("assignment")
            forms.append((assignment_id, view))
            row = {
                "id": assignment_id,
                "assessment_id": case["id"],
                "round": round_,
                "assessor_id": assessor_id,
                "draw_id": draw_id,
                "answers": {},
            }
            if submitted:
                at = self._at(onsite, rng.randrange(9, 17), rng.randrange(60))
                row.update(
                    answers=view[0], result=view[1], grade=view[2], saved_at=at, submitted_at=at
                )
            elif rng.random() < 0.3:  # half a form saved on the phone
                items = dict(list(view[0]["items"].items())[: len(view[0]["items"]) // 2])
                row.update(answers={"items": items}, saved_at=self._at(onsite, 10))
            self.rows["assignments"].append(row)
        if not submitted:
            return forms
        truth = views[0][0]["items"]
        resolved = target != "on_site_done"
        for item in sorted(truth):
            values = {str(a): view[0]["items"][item] for a, view in forms}
            if len(set(values.values())) > 1:
                self.rows["discrepancies"].append(
                    {
                        "assessment_id": case["id"],
                        "round": round_,
                        "item": item,
                        "values": values,
                        "resolved_value": truth[item] if resolved else None,
                        "reason": rng.choice(
                            ["双方当面复核", "家属补充说明", "复看视频", "再次测试"]
                        )
                        if resolved
                        else "",
                        "resolved_at": self._at(onsite, 18) if resolved else None,
                    }
                )
        return forms


def _bulk_writer(now: dt.datetime):
    """The demo's COPY writer, except that a JSON value left out is SQL NULL, not JSON null:
    the selectors ask `result IS NULL` of a case without a conclusion."""
    from django.db import connection

    from yiyang.demo.services.writers import BulkWriter

    class Writer(BulkWriter):
        def _copy(self, model, rows: list[dict]) -> None:
            layout = self._layout(model, with_pk="id" in rows[0])
            qn = connection.ops.quote_name
            sql = "COPY {} ({}) FROM STDIN".format(
                qn(model._meta.db_table), ", ".join(qn(column) for _a, column, _d, _j in layout)
            )
            with (
                connection.cursor() as cursor,
                cursor.connection.cursor() as raw,
                raw.copy(sql) as copy,
            ):
                for row in rows:
                    values = []
                    for attname, _column, default, is_json in layout:
                        value = row.get(attname, default)
                        if is_json and value is not None:
                            value = json.dumps(value, ensure_ascii=False)
                        values.append(value)
                    copy.write_row(values)

    return Writer(now=now)


def _add_months(day: dt.date, months: int) -> dt.date:
    from yiyang.core.timeutils import add_months

    return add_months(day, months)


# Open cases: what a city with ~100,000 applications a year has in hand on a given day.
OPEN_SHARE = 0.08
OPEN_TARGETS = {  # status: (weight, days since application)
    "applied": (18, (1, 12)),
    "accepted": (10, (3, 20)),
    "assigned": (30, (5, 35)),
    "on_site_done": (12, (10, 40)),
    "concluded": (8, (12, 45)),
    "public_notice": (16, (15, 45)),
    "objected": (6, (20, 50)),
}
REASSESSED_SHARE = 0.12  # people with an earlier conclusion that a later case superseded


def ensure_cases(args, people) -> None:
    """Top the city's cases up to --cases; a no-op when it has that many."""
    from django.db import connection, transaction
    from django.db.models import CharField, Exists, OuterRef, Value
    from django.db.models.functions import MD5, Cast, Concat
    from django.utils import timezone

    from yiyang.assessment.models import (
        Assessment,
        AssessorDraw,
        Assignment,
        Discrepancy,
        Objection,
    )
    from yiyang.core.models import ChangeLog
    from yiyang.core.scoping import code_prefix_lookup
    from yiyang.core.timeutils import local_today
    from yiyang.people.models import Elder

    _objection_grades_backfill()
    have = Assessment.objects.count()
    if have >= args.cases:
        print(f"assessment cases: {have:,} already there (--cases {args.cases:,}); reused\n")
        return
    started = time.monotonic()
    wanted = args.cases - have
    rng = random.Random(f"{args.seed}-bench-assessments-{have}")
    today = local_today()
    # People with no case yet, in a fixed pseudo-random order: spread over the city as its
    # population is, and free of the open cases the demo made.
    persons = list(
        Elder.objects.filter(status=Elder.Status.ACTIVE, **code_prefix_lookup("region_code", CITY))
        .exclude(Exists(Assessment.objects.filter(elder=OuterRef("pk"))))
        .annotate(shuffle=MD5(Concat(Value(f"{args.seed}-"), Cast("id", CharField()))))
        .order_by("shuffle")
        .values_list(
            "id", "region_code", "institution_id", "living_arrangement", "birth_date", "name"
        )[:wanted]
    )

    def top(model) -> int:
        with connection.cursor() as cursor:
            table = model._meta.db_table
            cursor.execute(
                f"SELECT GREATEST((SELECT COALESCE(MAX(id), 0) FROM {table}), "  # noqa: S608
                "(SELECT last_value FROM pg_sequences WHERE sequencename = %s))",
                [f"{table}_id_seq"],
            )
            return cursor.fetchone()[0] or 0

    history = History(
        rng=rng,
        today=today,
        people=people,
        first_ids={
            "case": top(Assessment),
            "draw": top(AssessorDraw),
            "assignment": top(Assignment),
        },
    )
    weights = [w for w, _days in OPEN_TARGETS.values()]
    made = 0
    for person in persons:
        if made >= wanted:
            break
        instrument_id = LTC if rng.random() < 0.7 else GBT
        if rng.random() < OPEN_SHARE:
            target = rng.choices(list(OPEN_TARGETS), weights)[0]
            if instrument_id == GBT and target in ("public_notice", "objected"):
                target = "concluded"  # GB/T 42195 conclusions are not put on notice
            low, high = OPEN_TARGETS[target][1]
            applied = today - dt.timedelta(days=rng.randrange(low, high))
            history.case(person, instrument_id=instrument_id, applied=applied, target=target)
            made += 1
            continue
        roll = rng.random()
        target = "refused" if roll < 0.04 else "withdrawn" if roll < 0.06 else "final"
        again = target == "final" and made + 1 < wanted and rng.random() < REASSESSED_SHARE
        span = (400, 760) if again else (35, 760)
        applied = today - dt.timedelta(days=rng.randrange(*span))
        first = history.case(person, instrument_id=instrument_id, applied=applied, target=target)
        made += 1
        if not again or first["status"] not in ("effective", "expired"):
            continue
        # Re-assessed: before expiry, or on a change of condition; the later conclusion
        # supersedes the earlier one, as services._make_effective does.
        later = first["valid_from"] + dt.timedelta(days=rng.randrange(150, 330))
        if later > today - dt.timedelta(days=35):
            continue
        trigger = rng.choice(["expiry", "expiry", "request", "discharge", "diagnosis"])
        second = history.case(
            person,
            instrument_id=instrument_id,
            applied=later,
            target="final",
            trigger=trigger,
            previous=first["id"],
        )
        made += 1
        if second["status"] in ("effective", "expired"):
            first.update(
                status="superseded",
                ended_on=second["valid_from"],
                superseded_by_id=second["id"],
                version=first["version"] + 1,
            )
    rows = history.rows
    print(
        f"synthetic history: {len(rows['cases']):,} cases, {len(rows['assignments']):,} "
        f"assignments, {len(rows['discrepancies']):,} differing items, "
        f"{len(rows['objections']):,} objections, made in {time.monotonic() - started:.1f} s"
    )
    writer = _bulk_writer(timezone.now())
    with transaction.atomic():
        writer.write(Assessment, rows["cases"])
        writer.write(AssessorDraw, rows["draws"])
        writer.write(Assignment, rows["assignments"])
        writer.write(Discrepancy, rows["discrepancies"])
        writer.write(Objection, rows["objections"])
        writer.write(
            ChangeLog,
            [
                {
                    "actor_label": ACTOR_LABEL,
                    "entity_type": "assessment.assessment",
                    "entity_id": c["id"],
                    "entity_label": c["number"],
                    "region_code": c["region_code"],
                    "action": ChangeLog.Action.IMPORT,
                    "note": "synthetic history for the benchmark",
                }
                for c in rows["cases"]
            ],
        )
        for model in (Assessment, AssessorDraw, Assignment):
            writer.reset_sequence(model)
    written = time.monotonic() - started
    # Hint bits and statistics for the fresh rows (bench/README.md: else the first run is slow).
    with connection.cursor() as cursor:
        for model in (Assessment, AssessorDraw, Assignment, Discrepancy, Objection, ChangeLog):
            cursor.execute(f"VACUUM (ANALYZE) {model._meta.db_table}")
    print(
        f"  written in {written:.1f} s, VACUUM (ANALYZE) done at "
        f"{time.monotonic() - started:.1f} s\n"
    )


def _objection_grades_backfill() -> None:
    """Objections written before assessment migration 0002 lack the grade objected to: give
    them their first round-1 assessor's grade, which is what the figures fall back to."""
    from django.db.models import IntegerField, OuterRef, Subquery
    from django.db.models.fields.json import KT
    from django.db.models.functions import Cast

    from yiyang.assessment.models import Assignment, Objection

    first = (
        Assignment.objects.filter(
            assessment=OuterRef("assessment_id"), round=1, submitted_at__isnull=False
        )
        .order_by("id")
        .annotate(given=Cast(KT("result__grade"), IntegerField()))
        .values("given")[:1]
    )
    n = Objection.objects.filter(grade__isnull=True).update(grade=Subquery(first))
    if n:
        print(f"objections written before Objection.grade existed: {n:,} given their grade")


def describe_city(people) -> None:
    from django.db.models import Count

    from yiyang.assessment.models import (
        Assessment,
        AssessorProfile,
        Assignment,
        Discrepancy,
        Objection,
    )
    from yiyang.core.scoping import code_prefix_lookup

    statuses = dict(
        Assessment.objects.values_list("status").annotate(n=Count("id")).order_by("status")
    )
    panlong = Assessment.objects.filter(**code_prefix_lookup("region_code", PANLONG)).count()
    print(
        f"city: {sum(statuses.values()):,} cases ({panlong:,} in Panlong), "
        f"{Assignment.objects.count():,} assignments, {Discrepancy.objects.count():,} "
        f"differing items, {Objection.objects.count():,} objections, "
        f"{AssessorProfile.objects.count()} assessors in {len(people['orgs'])} organisations"
    )
    print("  " + ", ".join(f"{k} {v:,}" for k, v in sorted(statuses.items(), key=lambda x: -x[1])))
    print()


# --- measuring -------------------------------------------------------------------------------

RESULTS: list[tuple[str, str, str]] = []  # (what, p50, p95) for the summary table


def _p(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[
        min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))
    ]


def record(label: str, samples: list[float], note: str = "") -> None:
    p50, p95 = _p(samples)
    print(f"  {label:<58} {registry.percentiles(samples)}   n={len(samples)} {note}")
    RESULTS.append((label, f"{p50:.1f} ms", f"{p95:.1f} ms"))


class Diagnostics:
    """Queries of one run: how many, and the slow ones (EXPLAIN ANALYZE with --explain)."""

    def __init__(self, explain: bool):
        self.explain = explain
        self.plans: dict[str, str] = {}

    def run(self, label: str, fn) -> None:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            fn()
        slow = [
            (float(q["time"]) * 1000, q["sql"])
            for q in ctx.captured_queries
            if float(q["time"]) * 1000 >= SLOW_MS
        ]
        total = sum(float(q["time"]) for q in ctx.captured_queries) * 1000
        note = f"    {len(ctx.captured_queries)} queries, {total:.0f} ms in the database"
        if slow:
            note += "; slow: " + ", ".join(f"{ms:.0f} ms" for ms, _s in slow)
        print(note)
        for ms, sql in slow:
            key = sql
            if key in self.plans:
                continue
            self.plans[key] = ""
            print(f"      {ms:6.0f} ms  {sql[:160]}...")
            if self.explain:
                with connection.cursor() as cursor:
                    cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
                    plan = "\n".join(r[0] for r in cursor.fetchall())
                self.plans[key] = plan
                print(f"\n      EXPLAIN ANALYZE ({label}):\n" + _indent(plan, 8) + "\n")


def _indent(text: str, n: int) -> str:
    return "\n".join(" " * n + line for line in text.splitlines())


class Session:
    def __init__(self, user):
        from django.test import Client

        self.client = Client()
        self.client.force_login(user)

    def get(self, path: str) -> float:
        started = time.perf_counter()
        response = self.client.get(path)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise SystemExit(f"GET {path}: {response.status_code} {response.content[:300]!r}")
        return elapsed

    def measure(self, label, paths: list[str], diag: Diagnostics, warm: int = 3) -> None:
        for path in paths[:warm]:
            self.get(path)
        record(label, [self.get(path) for path in paths])
        diag.run(label, lambda: self.get(paths[0]))


def timed(fn, runs: int, warm: int = 1) -> list[float]:
    for _ in range(warm):
        fn()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def bench_figures(args, people, diag) -> None:
    from yiyang.assessment import figures

    n = args.runs
    print(f"(a) supervision figures, {n} runs each after 2 warm-up runs:")
    for who, user in (("Panlong", people["district"]), ("city", people["city"])):
        Session(user).measure(
            f"(a) GET /assessments/figures/ ({who})",
            ["/assessments/figures/"] * n,
            diag,
            warm=2,
        )
        for name in (
            "assessor_workload",
            "disagreement_shares",
            "grade_distribution",
            "outlier_assessors",
        ):
            fn = functools.partial(getattr(figures, name), actor=user)
            record(f"(a) {name} ({who})", timed(fn, n, warm=1))
            diag.run(name, fn)
    print()


def bench_lists(args, people, diag) -> None:
    n = args.requests
    print(f"(b) assessment list and API, {n} requests each after 3 warm-up requests:")
    for who, user in (("Panlong", people["district"]), ("city", people["city"])):
        session = Session(user)
        for label, path in (
            ("first page", "/assessments/"),
            ("status=effective", "/assessments/?status=effective"),
            ("status=assigned", "/assessments/?status=assigned"),
            ("overdue", "/assessments/?overdue=on"),
        ):
            session.measure(f"(b) GET /assessments/ {label} ({who})", [path] * n, diag)
        session.measure(
            f"(b) GET /api/v1/assessments first page ({who})", ["/api/v1/assessments"] * n, diag
        )
    print()


def bench_detail(args, people, diag) -> None:
    from django.db.models import CharField, Value
    from django.db.models.functions import MD5, Cast, Concat

    from yiyang.assessment.models import Assessment
    from yiyang.core.scoping import code_prefix_lookup

    n = args.requests
    ids = list(
        Assessment.objects.filter(**code_prefix_lookup("region_code", PANLONG))
        .annotate(shuffle=MD5(Concat(Value("detail-"), Cast("id", CharField()))))
        .order_by("shuffle")
        .values_list("id", flat=True)[:n]
    )
    print(f"(c) case detail page, {len(ids)} different Panlong cases:")
    session = Session(people["district"])
    session.measure("(c) GET /assessments/<id>/", [f"/assessments/{i}/" for i in ids], diag)
    second = (
        Assessment.objects.filter(round=2, **code_prefix_lookup("region_code", PANLONG))
        .values_list("id", flat=True)
        .first()
    )
    if second:
        session.measure(
            "(c) GET /assessments/<id>/ (a round-2 case)", [f"/assessments/{second}/"] * 20, diag
        )
    print()


def bench_draw(args, people) -> None:
    from django.db import transaction

    from yiyang.assessment import services
    from yiyang.assessment.models import Assessment
    from yiyang.core.scoping import code_prefix_lookup
    from yiyang.people.models import Elder

    officer = people["district"]
    org = people["orgs"][0]
    elders = list(
        Elder.objects.filter(
            status=Elder.Status.ACTIVE, **code_prefix_lookup("region_code", PANLONG)
        )
        .exclude(pk__in=Assessment.objects.values("elder_id"))
        .order_by("id")
        .values_list("id", "name")[: args.draws + 3]
    )

    def one(elder_id, name) -> float:
        with transaction.atomic():
            case = services.application_file(
                actor=officer,
                data=services.ApplicationData(
                    elder_id=elder_id, instrument=LTC, applicant_name=name
                ),
            )
            services.application_accept(actor=officer, assessment_id=case.pk)
            started = time.perf_counter()
            services.assessors_draw(actor=officer, assessment_id=case.pk, organisation_id=org.pk)
            elapsed = (time.perf_counter() - started) * 1000
            transaction.set_rollback(True)  # leave the city as it was
        return elapsed

    pool = len(people["pools"][org.pk])
    print(f"(d) assessor draw on a fresh accepted case, pool of {pool} ({org.name}), rolled back:")
    for elder_id, name in elders[:3]:
        one(elder_id, name)
    record("(d) services.assessors_draw", [one(e, n) for e, n in elders[3:]])
    print()


def bench_grading(args) -> None:
    from yiyang.assessment import grading
    from yiyang.demo.services.assessments import _answers

    rng = random.Random(args.seed)
    print(f"(e) grading throughput, {args.grading_seconds:.0f} s per instrument:")
    for instrument_id in (LTC, GBT):
        instrument = grading.instrument_load(instrument_id)
        sets = [_answers(rng, instrument, rng.random()) for _ in range(500)]
        calls, started = 0, time.perf_counter()
        while time.perf_counter() - started < args.grading_seconds:
            for answers in sets:
                grading.answers_grade(instrument=instrument, answers=answers)
            calls += len(sets)
        rate = calls / (time.perf_counter() - started)
        print(
            f"  (e) answers_grade {instrument_id:<16} {rate:9,.0f} calls/s  {1e6 / rate:6.0f} µs/call"
        )
        RESULTS.append((f"(e) answers_grade, {instrument_id}", f"{rate:,.0f}/s", ""))
    print()


def bench_letters(args) -> None:
    """In a fresh process: its peak RSS is the letters', not this process's data build."""
    # Through sh, which forks it: a child exec'd straight from this process would inherit this
    # process's RSS as the starting point of its ru_maxrss (Linux keeps it across exec).
    command = [
        "/bin/sh",
        "-c",
        '"$@"; exit $?',
        "sh",
        sys.executable,
        __file__,
        "--letters-child",
        "--database-url",
        args.database_url,
        "--letters",
        str(args.letters),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode:
        raise SystemExit(f"letters: {done.stderr[-2000:]}")
    report = json.loads(done.stdout.strip().splitlines()[-1])
    samples = report["ms"]
    print(f"(f) conclusion letter PDF, {len(samples)} letters of Panlong cases, fresh process:")
    print(f"  first letter (fonts and templates loaded): {samples[0]:.0f} ms")
    record("(f) conclusion_letter_pdf (letters 2..n)", samples[1:], f"{report['kb']:.0f} kB/letter")
    grew = (report["rss_after"] - report["rss_before"]) / 1024
    print(
        f"  (f) peak RSS (getrusage ru_maxrss) {report['rss_before'] / 1024:.0f} MB before, "
        f"{report['rss_after'] / 1024:.0f} MB after {len(samples)} letters: +{grew:.0f} MB "
        f"(VmHWM {report['hwm_before'] / 1024:.0f} -> {report['hwm_after'] / 1024:.0f} MB)"
    )
    RESULTS.append((f"(f) peak RSS growth, {len(samples)} letters", f"+{grew:.0f} MB", ""))
    print()


def letters_child(args) -> None:
    django_setup(args)
    from django.db.models import CharField, Value
    from django.db.models.functions import MD5, Cast, Concat

    from yiyang.assessment.documents import conclusion_letter_pdf
    from yiyang.assessment.models import Assessment
    from yiyang.core.scoping import code_prefix_lookup

    cases = list(
        Assessment.objects.filter(
            result__isnull=False, **code_prefix_lookup("region_code", PANLONG)
        )
        .select_related("elder")
        .annotate(shuffle=MD5(Concat(Value("letter-"), Cast("id", CharField()))))
        .order_by("shuffle")[: args.letters]
    )
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kB on Linux
    hwm_before = _vm_hwm()
    samples, size = [], 0
    for case in cases:
        started = time.perf_counter()
        pdf = conclusion_letter_pdf(case, issuer="昆明市医疗保障局")
        samples.append((time.perf_counter() - started) * 1000)
        size += len(pdf)
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    hwm_after = _vm_hwm()
    report = {
        "ms": samples,
        "rss_before": before,
        "rss_after": after,
        "hwm_before": hwm_before,
        "hwm_after": hwm_after,
        "kb": size / len(cases) / 1e3,
    }
    print(json.dumps(report))


def _vm_hwm() -> int:
    """This process's own peak RSS in kB, from /proc (a cross-check of ru_maxrss)."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return 0
    return int(status.split("VmHWM:")[1].split()[0])


def summary() -> None:
    print("| measurement | p50 | p95 |\n|---|---|---|")
    for label, p50, p95 in RESULTS:
        print(f"| {label} | {p50} | {p95} |")


def main(argv=None) -> None:
    args = parse_args(argv)
    if args.letters_child:
        letters_child(args)
        return
    setup(args)
    started = time.monotonic()
    people = ensure_people(args.seed)
    ensure_cases(args, people)
    describe_city(people)
    measuring = time.monotonic()
    diag = Diagnostics(args.explain)
    bench_grading(args)
    bench_letters(args)
    bench_draw(args, people)
    bench_detail(args, people, diag)
    bench_lists(args, people, diag)
    bench_figures(args, people, diag)
    now = time.monotonic()
    print(f"data {measuring - started:.0f} s, measurements {now - measuring:.0f} s\n")
    summary()


if __name__ == "__main__":
    main()
