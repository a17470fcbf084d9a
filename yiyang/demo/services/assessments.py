"""Assessments of the demo city: the policy, a pool of assessors, two years of history and a
handful of live cases at every step of the procedure.

History is written in bulk with the real engine: answers are graded by `assessment.grading`,
assessors are drawn by `services.draw_pick` from the recorded pool and seed, deadlines are
counted by `core.workdays`. The live cases go through the services themselves, so they are
exactly what an officer would have made by clicking. Everything follows from the seed.
"""

import datetime as dt
import random
from collections import Counter

from django.contrib.auth.hashers import make_password
from django.db.models import Q
from django.utils import timezone

from yiyang.accounts.models import User
from yiyang.accounts.roles import Role
from yiyang.assessment import grading, services
from yiyang.assessment.evidence import evidence_store_bytes
from yiyang.assessment.models import (
    Assessment,
    AssessmentPolicy,
    AssessorDraw,
    AssessorProfile,
    Assignment,
    Discrepancy,
    Objection,
)
from yiyang.assessment.rules import conclusion_rank, supersede
from yiyang.core.divisions import district_of
from yiyang.core.models import ChangeLog
from yiyang.core.timeutils import add_months, local_today
from yiyang.core.workdays import deadline
from yiyang.institutions.models import Organisation
from yiyang.people.models import Elder, Fact
from yiyang.people.services import facts_record
from yiyang.regions.models import Region

from .accounts import DEMO_CARE_HOME, DEMO_PASSWORD, PREFIX
from .elders import DEMO_ACTOR
from .names import NameBook
from .organisations import ASSESSMENT_NAME
from .writers import BulkWriter

S = Assessment.Status
CITY = "5301"
POOL_SIZE = 16
HISTORY_PER_ELDERS = 40  # one past case per this many older people
HISTORY_CAP = 3000
# A tiny valid JPEG header: the demo's on-site photos are placeholders, not pictures.
PHOTO = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(64) + b"\xff\xd9"

POLICIES = (
    {
        "instrument": "ltc-2021",
        "acceptance_workdays": 5,
        "onsite_workdays": 10,
        "notice_workdays": 5,
        "entitlement_workdays": 30,
        "validity_months": 24,
        "reminder_days": 60,
        "reapply_bar_months": 6,
        "evidence_required": True,
        "source": "演示：受理5个工作日；30个工作日内享受待遇（邹城，种子004）；有效期2年（梅州）",
    },
    {
        "instrument": "gbt-42195-2022",
        "acceptance_workdays": 5,
        "onsite_workdays": 15,
        "notice_workdays": 0,
        "entitlement_workdays": 30,
        "validity_months": 12,
        "reminder_days": 45,
        "reapply_bar_months": 0,
        "evidence_required": False,
        "source": "演示：老年人能力评估每年复评，不公示",
    },
)


def _answers(rng: random.Random, instrument: grading.Instrument, frailty: float) -> dict:
    """Answers of one person: each item's option chosen around `frailty` (0 able, 1 dependent)."""
    items = {}
    for item in instrument.items.values():
        scores = sorted(item.scores, reverse=True)  # best first
        pick = frailty * (len(scores) - 1) + rng.gauss(0, 0.6)
        items[item.id] = scores[min(len(scores) - 1, max(0, round(pick)))]
    return {"items": items}


def _nudge(rng: random.Random, instrument: grading.Instrument, answers: dict, steps: int) -> dict:
    """Another assessor's view: `steps` items one option away."""
    items = dict(answers["items"])
    for item_id in rng.sample(sorted(items), k=min(steps, len(items))):
        scores = sorted(instrument.items[item_id].scores)
        at = scores.index(items[item_id])
        moves = [n for n in (at - 1, at + 1) if 0 <= n < len(scores)]
        items[item_id] = scores[rng.choice(moves)]
    return {"items": items}


def _harsher(rng: random.Random, instrument: grading.Instrument, answers: dict) -> dict:
    """A view of the person one step more dependent on more than half of the items."""
    items = {}
    for item_id, score in answers["items"].items():
        scores = sorted(instrument.items[item_id].scores)
        at = scores.index(score)
        items[item_id] = scores[at - 1] if at and rng.random() < 0.6 else score
    return {"items": items}


def _pool(org: Organisation, now) -> list[AssessorProfile]:
    """The demo assessor (段海涛) and fifteen colleagues in the designated organisation. They
    assess across the city, so their accounts are bound to the city, not the centre's street."""
    password = make_password(DEMO_PASSWORD)
    city = Region.objects.get(code=CITY)
    existing = {
        u.username: u for u in User.objects.filter(username__startswith=f"{PREFIX}assessor")
    }
    users = []
    for n in range(1, POOL_SIZE):
        username = f"{PREFIX}assessor_{n:02d}"
        if username in existing:
            user = existing[username]
            user.organisation, user.region, user.region_code = org, city, city.code
            user.save(update_fields=["organisation", "region", "region_code"])
            users.append(user)
            continue
        book = NameBook(random.Random(username))  # noqa: S311 - demo names, not secrets
        users.append(
            User(
                username=username,
                role=Role.ASSESSOR,
                region=city,
                region_code=city.code,
                organisation=org,
                display_name=book.person(book.rng.choice("MF"), book.rng.randrange(1965, 1992)),
                phone=book.mobile(),
                password=password,
                password_changed_at=now,
            )
        )
    User.objects.bulk_create([u for u in users if u.pk is None])
    main = User.objects.get(username="demo_assessor")
    care_home = Organisation.objects.filter(name=DEMO_CARE_HOME).first()
    profiles = []
    for n, user in enumerate([main, *users]):
        profile, _created = AssessorProfile.objects.get_or_create(
            user=user,
            defaults={
                "organisation": org,
                "region_code": org.region_code,
                "certificate_number": f"YNPG-{2019 + n % 5}-{n + 1:04d}",
                "qualified_until": dt.date(2028 + n % 3, 6, 30),
                # one assessor also works shifts at a care home: never sent to its residents
                "employer": care_home if n == 3 else None,
            },
        )
        profiles.append(profile)
    return profiles


def demo_assessments_build(*, seed: int, progress) -> dict[str, int]:
    today = local_today()
    org = Organisation.objects.filter(
        name=ASSESSMENT_NAME, kind=Organisation.Kind.ASSESSMENT
    ).first()
    if org is None:
        return {}
    for values in POLICIES:
        AssessmentPolicy.objects.get_or_create(
            instrument=values["instrument"],
            region_code=CITY,
            effective_from=dt.date(2024, 1, 1),
            defaults=values,
        )
    profiles = _pool(org, timezone.now())
    counts = _history(seed=seed, today=today, org=org, profiles=profiles)
    counts["live"] = _live(seed=seed, org=org, profiles=profiles)
    progress(f"assessments: {counts['assessment.assessment']:,} past cases, {counts['live']} open")
    return counts


def _history(*, seed, today, org, profiles) -> dict[str, int]:
    rng = random.Random(f"{seed}-assessments")  # noqa: S311 - reproducible demo data
    instruments = {i: grading.instrument_load(i) for i in ("ltc-2021", "gbt-42195-2022")}
    elders = list(
        Elder.objects.filter(status=Elder.Status.ACTIVE, region_code__startswith=CITY)
        .order_by("id")
        .values_list(
            "id", "region_code", "institution_id", "living_arrangement", "birth_date", "name"
        )
    )
    n_cases = min(HISTORY_CAP, max(1, len(elders) // HISTORY_PER_ELDERS))
    chosen = rng.sample(elders, k=min(n_cases, len(elders)))
    {p.id: p for p in profiles}
    # One assessor sees everyone one step more dependent than colleagues do: the supervision
    # page's outlier list should find exactly that.
    harsh = profiles[5].id
    cases, draws, assignments, discrepancies, objections, changes = [], [], [], [], [], []
    first_pk = (Assessment.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    draw_base = AssessorDraw.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    for offset, (elder_id, region_code, home_id, living, birth, name) in enumerate(chosen):
        pk = first_pk + offset
        instrument_id = "ltc-2021" if rng.random() < 0.7 else "gbt-42195-2022"
        instrument = instruments[instrument_id]
        policy = next(p for p in POLICIES if p["instrument"] == instrument_id)
        applied = today - dt.timedelta(days=rng.randrange(35, 760))
        if applied.weekday() >= 5:
            applied -= dt.timedelta(days=applied.weekday() - 4)
        age = (today - birth).days / 365.25
        frailty = min(1.0, max(0.0, rng.betavariate(2, 3) + (age - 75) / 60))
        truth = _answers(rng, instrument, frailty)
        residence = home_id if living == Elder.Living.INSTITUTION else None
        case = {
            "id": pk,
            "number": f"PG{applied:%Y}{district_of(region_code)}{pk:07d}",
            "elder_id": elder_id,
            "region_code": region_code,
            "residence_id": residence,
            "instrument": instrument_id,
            "instrument_version": instrument.version,
            "trigger": rng.choice(["first"] * 6 + ["expiry", "discharge", "request"]),
            "channel": rng.choice(Assessment.Channel.values),
            "applicant_name": name if rng.random() < 0.3 else name[0] + "女士",
            "applicant_relation": "本人" if rng.random() < 0.3 else "子女",
            "applied_on": applied,
            "acceptance_due": deadline(applied, policy["acceptance_workdays"]).date,
            "due_on": deadline(applied, policy["entitlement_workdays"]).date,
            "status": S.EFFECTIVE,
            "round": 1,
            "version": 8,
        }
        decided = deadline(applied, rng.randrange(1, 5)).date
        case["decided_on"] = decided
        if rng.random() < 0.05:
            case.update(
                status=S.REFUSED,
                refusal_reason=rng.choice(Assessment.Refusal.values[:4]),
                version=2,
            )
            cases.append(case)
            continue
        case["assessment_org_id"] = org.pk
        case["onsite_due"] = deadline(decided, policy["onsite_workdays"]).date
        lateness = rng.choice([0] * 9 + [12])
        onsite = deadline(decided, rng.randrange(3, 12) + lateness).date
        rounds = 2 if policy["notice_workdays"] and rng.random() < 0.06 else 1
        excluded_ids = [p.id for p in profiles if residence and p.employer_id == residence]
        used: list[int] = []
        for round_ in range(1, rounds + 1):
            pool = [p.id for p in profiles if p.id not in excluded_ids and p.id not in used]
            draw_seed = f"demo-{seed}-{pk}-{round_}"
            chosen_ids = services.draw_pick(draw_seed, pool, 2)
            draw_id = draw_base + len(draws) + 1
            draws.append(
                {
                    "id": draw_id,
                    "assessment_id": pk,
                    "round": round_,
                    "organisation_id": org.pk,
                    "algorithm": services.DRAW_ALGORITHM,
                    "seed": draw_seed,
                    "pool": pool,
                    "excluded": [{"id": i, "reason": "works_at_residence"} for i in excluded_ids]
                    + [{"id": i, "reason": "earlier_round"} for i in used],
                    "chosen": chosen_ids,
                    "drawn_at": dt.datetime.combine(
                        decided if round_ == 1 else onsite, dt.time(1, 30), tzinfo=dt.UTC
                    ),
                }
            )
            used += chosen_ids
            forms = []
            # Who was drawn depends on the assessors' ids, which differ from build to build:
            # their answers take their noise from a generator of their own, so that the
            # people's grades (and the digest) do not.
            noise = random.Random(f"{seed}-{offset}-{round_}")  # noqa: S311
            for assessor_id in chosen_ids:
                view = truth if noise.random() < 0.8 else _nudge(noise, instrument, truth, 1)
                if assessor_id == harsh:
                    view = _harsher(noise, instrument, truth)
                forms.append((assessor_id, view))
            submitted = dt.datetime.combine(
                onsite, dt.time(2 + len(assignments) % 6, 15), tzinfo=dt.UTC
            )
            for assessor_id, view in forms:
                result = grading.answers_grade(instrument=instrument, answers=view).as_dict()
                assignments.append(
                    {
                        "assessment_id": pk,
                        "round": round_,
                        "assessor_id": assessor_id,
                        "draw_id": draw_id,
                        "answers": view,
                        "saved_at": submitted,
                        "submitted_at": submitted,
                        "result": result,
                        "grade": result["grade"],
                    }
                )
            for item_id in sorted(truth["items"]):
                values = {str(a): v["items"][item_id] for a, v in forms}
                if len(set(values.values())) > 1:
                    discrepancies.append(
                        {
                            "assessment_id": pk,
                            "round": round_,
                            "item": item_id,
                            "values": values,
                            "resolved_value": truth["items"][item_id],
                            "reason": noise.choice(
                                ["双方当面复核", "家属补充说明", "复看视频", "再次测试"]
                            ),
                            "resolved_at": submitted + dt.timedelta(hours=2),
                        }
                    )
            if round_ == 1 and rounds == 2:
                notice_from = deadline(onsite, 2).date
                objections.append(
                    {
                        "assessment_id": pk,
                        "filed_on": deadline(notice_from, 1).date,
                        "filed_by": case["applicant_name"],
                        "grade": grading.answers_grade(instrument=instrument, answers=truth).grade,
                        "reason": "认为评定等级偏低，申请复评",
                    }
                )
                onsite = deadline(notice_from, rng.randrange(8, 14)).date
                truth = _nudge(rng, instrument, truth, 1) if rng.random() < 0.4 else truth
        result = grading.answers_grade(instrument=instrument, answers=truth)
        concluded = deadline(onsite, rng.randrange(1, 3)).date
        case.update(
            round=rounds,
            onsite_done_at=dt.datetime.combine(onsite, dt.time(9), tzinfo=dt.UTC),
            answers=truth,
            result=result.as_dict(),
            grade=result.grade,
            grade_label=result.label,
            concluded_at=dt.datetime.combine(concluded, dt.time(3), tzinfo=dt.UTC),
        )
        if policy["notice_workdays"] and rounds == 1:
            notice_from = deadline(concluded, 1).date
            notice_to = deadline(notice_from - dt.timedelta(days=1), policy["notice_workdays"]).date
            case.update(notice_from=notice_from, notice_to=notice_to)
            start = notice_to + dt.timedelta(days=1)
        else:
            start = concluded
        if start >= today:
            start = today - dt.timedelta(days=1)
        valid_to = add_months(start, policy["validity_months"]) - dt.timedelta(days=1)
        case.update(valid_from=start, valid_to=valid_to)
        if valid_to < today:
            case.update(status=S.EXPIRED, ended_on=valid_to + dt.timedelta(days=1))
        cases.append(case)
    # A person with two effective conclusions of one kind keeps one, chosen and superseding the
    # other by the procedure's own rule.
    objects = [Assessment(**c) for c in cases]
    in_effect: dict[tuple[int, str], list[Assessment]] = {}
    for case in objects:
        if case.status == S.EFFECTIVE:
            key = (case.elder_id, instruments[case.instrument].registry_field)
            in_effect.setdefault(key, []).append(case)
    grades: dict[tuple[int, str], int] = {}  # the person's field follows their current one
    current_of: dict[tuple[int, str], Assessment] = {}
    for key, group in in_effect.items():
        current = max(group, key=conclusion_rank)
        grades[key] = current.grade
        current_of[key] = current
        for case in group:
            if case is not current:
                supersede(case, by=current)
    Assessment.objects.bulk_create(objects, batch_size=500)
    drawn = AssessorDraw.objects.bulk_create([AssessorDraw(**d) for d in draws], batch_size=500)
    # auto_now_add stamped them with today: put back the day each draw was made
    for row, values in zip(drawn, draws, strict=True):
        row.drawn_at = values["drawn_at"]
    AssessorDraw.objects.bulk_update(drawn, ["drawn_at"], batch_size=500)
    Assignment.objects.bulk_create(
        [Assignment(**a) for a in assignments],
        batch_size=500,
    )
    # The cases and draws were written with ids of our own: move the sequences past them.
    sequences = BulkWriter(now=timezone.now())
    sequences.reset_sequence(Assessment)
    sequences.reset_sequence(AssessorDraw)
    Discrepancy.objects.bulk_create([Discrepancy(**d) for d in discrepancies], batch_size=500)
    Objection.objects.bulk_create([Objection(**o) for o in objections], batch_size=500)
    for case in cases:
        changes.append(
            ChangeLog(
                actor_label=DEMO_ACTOR,
                entity_type="assessment.assessment",
                entity_id=case["id"],
                entity_label=case["number"],
                region_code=case["region_code"],
                action=ChangeLog.Action.IMPORT,
                note=f"demo city, seed {seed}",
            )
        )
    ChangeLog.objects.bulk_create(changes, batch_size=500)
    by_field: dict[str, dict[int, list[int]]] = {}
    for (elder_id, field), grade in grades.items():
        by_field.setdefault(field, {}).setdefault(grade, []).append(elder_id)
    for field, groups in by_field.items():
        for grade, ids in groups.items():
            Elder.objects.filter(pk__in=ids).update(**{field: grade})
    # The grades are dated facts from the conclusions' first days, filed as the procedure files
    # them (people.services.facts_record).
    by_day: dict[dt.date, list[Assessment]] = {}
    for case in current_of.values():
        by_day.setdefault(case.valid_from, []).append(case)
    for valid_from, group in by_day.items():
        for chunk in range(0, len(group), 500):
            part = group[chunk : chunk + 500]
            facts_record(
                [
                    (Elder(pk=c.elder_id), {instruments[c.instrument].registry_field: str(c.grade)})
                    for c in part
                ],
                on=valid_from,
                source=Fact.Source.ASSESSMENT,
                references={c.elder_id: c.number for c in part},
            )
    statuses = Counter(c.status for c in objects)
    return {
        "assessment.assessment": len(cases),
        "assessment.effective": statuses[S.EFFECTIVE],
        "assessment.discrepancy": len(discrepancies),
    }


def _live(*, seed, org, profiles) -> int:
    """A dozen Panlong cases at every step, made by the services as the demo officer."""
    officer = User.objects.get(username="demo_insurance")
    main = profiles[0]
    taken = Assessment.objects.values_list("elder_id", flat=True)
    candidates = list(
        Elder.objects.filter(status=Elder.Status.ACTIVE, region_code__startswith="530103")
        .exclude(pk__in=taken)
        .exclude(Q(living_arrangement=Elder.Living.INSTITUTION))
        .order_by("id")[:12]
    )
    if len(candidates) < 12:
        return 0
    rng = random.Random(f"{seed}-live")  # noqa: S311
    ltc = grading.instrument_load("ltc-2021")
    today = local_today()
    made = 0

    def file(elder, days_ago=0):
        return services.application_file(
            actor=officer,
            data=services.ApplicationData(
                elder_id=elder.pk,
                instrument="ltc-2021",
                channel=rng.choice(Assessment.Channel.values),
                applicant_name=elder.name,
                applicant_relation="本人",
                applied_on=today - dt.timedelta(days=days_ago),
            ),
        )

    def assign(case, with_main=True):
        services.application_accept(actor=officer, assessment_id=case.pk)
        pool = [p.id for p in profiles]
        for n in range(500):
            chosen = services.draw_pick(f"demo-live-{seed}-{case.pk}-{n}", pool, 2)
            if (main.id in chosen) == with_main:
                break
        return services.assessors_draw(
            actor=officer,
            assessment_id=case.pk,
            organisation_id=org.pk,
            seed=f"demo-live-{seed}-{case.pk}-{n}",
        )

    def on_site(case, differ=False):
        truth = _answers(rng, ltc, rng.random())
        for n, a in enumerate(
            Assignment.objects.filter(assessment=case, round=case.round).order_by("id")
        ):
            view = _nudge(rng, ltc, truth, 2) if differ and n == 1 else truth
            services.assignment_save(
                actor=a.assessor.user, assignment_id=a.pk, answers=view, submit=True
            )
        evidence_store_bytes(
            actor=officer, assessment_id=case.pk, name="现场评估录像截图.jpg", data=PHOTO
        )

    def conclude(case):
        for d in Discrepancy.objects.filter(
            assessment=case, round=case.round, resolved_at__isnull=True
        ):
            services.discrepancy_resolve(
                actor=officer,
                discrepancy_id=d.pk,
                value=next(iter(d.values.values())),
                reason="双方当面复核",
            )
        return services.assessment_conclude(actor=officer, assessment_id=case.pk)

    e = iter(candidates)
    file(next(e), days_ago=1)  # applied, waiting
    file(next(e), days_ago=20)  # applied and overdue for acceptance
    case = file(next(e), days_ago=3)
    services.application_accept(actor=officer, assessment_id=case.pk)  # accepted
    for _ in range(2):  # assigned to 段海涛 (demo_assessor), waiting for the phone forms
        assign(file(next(e), days_ago=6))
    case = file(next(e), days_ago=8)  # assigned, the colleague has saved half
    assign(case)
    other = Assignment.objects.filter(assessment=case).exclude(assessor=main).first()
    services.assignment_save(
        actor=other.assessor.user,
        assignment_id=other.pk,
        answers={"items": {k: v for k, v in list(_answers(rng, ltc, 0.5)["items"].items())[:6]}},
    )
    case = file(next(e), days_ago=10)  # on site, two items differ
    assign(case)
    on_site(case, differ=True)
    case = file(next(e), days_ago=15)  # concluded, waiting for the notice
    assign(case, with_main=False)
    on_site(case)
    conclude(case)
    for _ in range(2):  # on public notice
        case = file(next(e), days_ago=16)
        assign(case, with_main=False)
        on_site(case, differ=True)
        conclude(case)
        services.notice_publish(actor=officer, assessment_ids=[case.pk])
    case = file(next(e), days_ago=18)  # objected: waiting for the re-assessment's draw
    assign(case, with_main=False)
    on_site(case)
    conclude(case)
    # Published two days ago, so the notice is open whatever day of the week today is (one put
    # on notice on a Saturday opens on Monday, and an objection cannot be filed before then).
    started = local_today() - dt.timedelta(days=2)
    services.notice_publish(actor=officer, assessment_ids=[case.pk], start=started)
    case.refresh_from_db()
    services.objection_file(
        actor=officer,
        assessment_id=case.pk,
        filed_on=case.notice_from,
        filed_by=case.applicant_name,
        reason="认为自理能力评得偏高，申请复评",
    )
    made = Assessment.objects.filter(elder__in=candidates).count()
    return made
