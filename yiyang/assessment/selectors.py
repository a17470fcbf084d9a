"""Reads of assessment cases, always through `services.visible_assessments` (the actor's scope)."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from yiyang.core.console import HistoryEntry, change_history, url_for
from yiyang.core.policy import policies_in_force, policy_choose
from yiyang.core.registry import Tile
from yiyang.core.scoping import Actor, code_prefix_lookup, require, scoped, scoped_get
from yiyang.core.timeutils import local_today
from yiyang.people.models import Elder

from . import grading
from .errors import PolicyMissing, UnknownInstrument
from .models import (
    Assessment,
    AssessmentPolicy,
    AssessorDraw,
    AssessorProfile,
    Assignment,
    Discrepancy,
    Evidence,
    Objection,
)
from .rules import policy_for
from .services import (
    EXCLUSION_LABELS,
    OPEN,
    draw_replay,
    visible_assessments,
)
from .transitions import CASE

S = Assessment.Status


@dataclass
class AssessmentFilters:
    q: str = ""
    status: str = ""
    instrument: str = ""
    region_code: str = ""
    overdue: bool = False


def assessment_list(
    *, actor: Actor, filters: AssessmentFilters | None = None
) -> QuerySet[Assessment]:
    f = filters or AssessmentFilters()
    # The answers and the explanation are large JSON no list shows.
    qs = (
        visible_assessments(actor)
        .select_related("elder", "assessment_org")
        .defer("answers", "result")
    )
    if f.status:
        qs = qs.filter(status=f.status)
    if f.instrument:
        qs = qs.filter(instrument=f.instrument)
    if f.region_code:
        qs = qs.filter(**code_prefix_lookup("region_code", f.region_code))
    if f.overdue:
        qs = overdue(qs, local_today())
    q = f.q.strip()
    if q:
        qs = qs.filter(Q(number__startswith=q.upper()) | Q(elder__name__startswith=q))
    return qs.order_by("-applied_on", "-id")


def overdue_q(today: dt.date) -> Q:
    """Cases past a deadline: acceptance, the on-site visit, or entitlement (application to
    effective conclusion, 30 working days in seed 004)."""
    return (
        Q(status=S.APPLIED, acceptance_due__lt=today)
        | Q(status__in=(S.ACCEPTED, S.ASSIGNED), onsite_due__lt=today)
        | Q(status__in=OPEN, due_on__lt=today)
    )


def overdue(qs: QuerySet[Assessment], today: dt.date) -> QuerySet[Assessment]:
    return qs.filter(overdue_q(today))


def expiring(*, actor: Actor, today: dt.date | None = None) -> list[Assessment]:
    """Effective conclusions within their policy's reminder period before expiry, with no newer
    case open for the person: the re-assessment reminders."""
    require(actor, "assessments.manage")
    today = today or local_today()
    newer = Assessment.objects.filter(
        elder_id=OuterRef("elder_id"), status__in=OPEN, instrument=OuterRef("instrument")
    )
    horizon = today + dt.timedelta(days=366)
    rows = (
        visible_assessments(actor)
        .filter(status=S.EFFECTIVE, valid_to__lte=horizon)
        .exclude(Exists(newer))
        .select_related("elder")
        .order_by("valid_to", "id")
    )
    policies = policies_in_force(AssessmentPolicy, on=today)  # one query, not one per case
    due = []
    for case in rows[:2000]:
        policy = policy_choose(policies, region_code=case.region_code, instrument=case.instrument)
        if policy is None:
            continue  # no policy in force here today: the policy page says so
        if case.valid_to - dt.timedelta(days=policy.reminder_days) <= today:
            due.append(case)
    return due


@dataclass
class DrawView:
    draw: AssessorDraw
    reproducible: bool
    excluded: list[tuple[str, str]]


@dataclass
class RoundView:
    number: int
    assignments: list[Assignment]
    draw: DrawView | None
    discrepancies: list[Discrepancy]


@dataclass
class AssessmentDetail:
    case: Assessment
    instrument: grading.Instrument
    rounds: list[RoundView]
    evidence: list[Evidence]
    objections: list[Objection]
    history: list[HistoryEntry]
    policy: AssessmentPolicy | None
    # Every step the actor may take now; `actions` the ones that move the case (its buttons).
    steps: list[str] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)
    overdue: bool = False
    item_labels: dict[str, str] = field(default_factory=dict)


def steps_offered(actor: Actor, case: Assessment) -> list[str]:
    """The steps this actor may take now (transitions.CASE), for pages and the API."""
    return [step.name for step in CASE.offered(actor, case)]


def assessment_detail(*, actor: Actor, assessment_id: int) -> AssessmentDetail:
    require(actor, "assessments.view")
    case = scoped_get(
        visible_assessments(actor).select_related("elder", "elder__region", "assessment_org"),
        actor,
        pk=assessment_id,
    )
    instrument = grading.instrument_load(case.instrument)
    draws = {d.round: d for d in AssessorDraw.objects.filter(assessment=case)}
    assignments = list(
        Assignment.objects.filter(assessment=case).select_related("assessor__user").order_by("id")
    )
    discrepancies = list(Discrepancy.objects.filter(assessment=case).order_by("round", "id"))
    # Who answered what: each differing item's answers under the assessors' names.
    names = {str(a.pk): str(a.assessor) for a in assignments}
    for row in discrepancies:
        row.answers_by = [(names.get(key, key), value) for key, value in row.values.items()]
    # The assessors a draw left out, by name (the draw keeps their ids).
    left_out = {row["id"] for d in draws.values() for row in d.excluded}
    assessor_names = {
        p.pk: str(p) for p in AssessorProfile.objects.filter(pk__in=left_out).select_related("user")
    }
    rounds = []
    for number in range(1, case.round + 1):
        draw = draws.get(number)
        rounds.append(
            RoundView(
                number=number,
                assignments=[a for a in assignments if a.round == number],
                draw=DrawView(
                    draw=draw,
                    reproducible=draw_replay(draw),
                    excluded=[
                        (
                            assessor_names.get(row["id"], f"#{row['id']}"),
                            str(EXCLUSION_LABELS.get(row["reason"], row["reason"])),
                        )
                        for row in draw.excluded
                    ],
                )
                if draw
                else None,
                discrepancies=[d for d in discrepancies if d.round == number],
            )
        )
    try:
        policy = policy_for(case.instrument, case.region_code, case.applied_on)
    except PolicyMissing:
        policy = None
    today = local_today()
    offered = CASE.offered(actor, case)
    labels = {i.id: f"{i.id} {i.label}" for i in instrument.items.values()}
    labels.update({"coma": "昏迷", "diagnoses": "诊断"})
    return AssessmentDetail(
        case=case,
        instrument=instrument,
        rounds=rounds,
        evidence=list(Evidence.objects.filter(assessment=case).order_by("id")),
        objections=list(Objection.objects.filter(assessment=case)),
        history=change_history(case),
        policy=policy,
        steps=[step.name for step in offered],
        actions=[step.name for step in offered if step.target is not None],
        overdue=overdue(Assessment.objects.filter(pk=case.pk), today).exists(),
        item_labels=labels,
    )


def notice_candidates(*, actor: Actor) -> QuerySet[Assessment]:
    """Concluded first-round cases waiting to be put on public notice."""
    require(actor, "assessments.manage")
    return (
        visible_assessments(actor)
        .filter(status=S.CONCLUDED, round=1)
        .select_related("elder", "elder__region")
        .order_by("concluded_at", "id")
    )


def on_notice(*, actor: Actor, notice_from: dt.date | None = None) -> QuerySet[Assessment]:
    qs = visible_assessments(actor).filter(status=S.PUBLIC_NOTICE)
    if notice_from:
        qs = qs.filter(notice_from=notice_from)
    return qs.select_related("elder", "elder__region").order_by("notice_from", "region_code", "id")


def officer_tiles(actor: Actor) -> list[Tile]:
    """An officer's work list: the cases waiting for a step of theirs, the overdue ones first,
    and the open cases as a figure. One query."""
    today = local_today()
    counts = visible_assessments(actor).aggregate(
        open=Count("id", filter=Q(status__in=OPEN)),
        overdue=Count("id", filter=overdue_q(today)),
        to_accept=Count("id", filter=Q(status=S.APPLIED)),
        to_draw=Count("id", filter=Q(status__in=(S.ACCEPTED, S.OBJECTED))),
        to_conclude=Count("id", filter=Q(status=S.ON_SITE_DONE)),
        concluded=Count("id", filter=Q(status=S.CONCLUDED)),
    )
    url = reverse("assessment:list")

    def listed(**query) -> str:
        return url_for("assessment:list", **query)

    tiles = [
        Tile(
            "assessments_overdue",
            _("Assessment cases overdue"),
            counts["overdue"],
            reverse("assessment:reminders"),
            is_task=True,
            is_urgent=counts["overdue"] > 0,
        ),
        Tile(
            "assessments_to_accept",
            _("Applications to accept or refuse"),
            counts["to_accept"],
            listed(status=S.APPLIED),
            is_task=True,
        ),
        Tile(
            "assessments_to_draw",
            _("Cases waiting for the assessors' draw"),
            counts["to_draw"],
            listed(status=S.ACCEPTED),
            is_task=True,
        ),
        Tile(
            "assessments_to_conclude",
            _("Cases assessed on site, to conclude"),
            counts["to_conclude"],
            listed(status=S.ON_SITE_DONE),
            is_task=True,
        ),
        Tile(
            "assessments_concluded",
            _("Conclusions to put on public notice or make effective"),
            counts["concluded"],
            listed(status=S.CONCLUDED),
            is_task=True,
        ),
        Tile("assessments_open", _("Assessment cases open"), counts["open"], url),
    ]
    # A step with nothing waiting is not work: only the overdue line always shows.
    return [t for t in tiles if not t.is_task or t.value or t.key == "assessments_overdue"]


def assessor_tiles(actor: Actor) -> list[Tile]:
    """An assessor's work list: their open on-site forms, those due by today first."""
    today = local_today()
    is_open = Q(submitted_at__isnull=True, assessment__status=S.ASSIGNED) & Q(
        round=F("assessment__round")
    )
    counts = scoped(Assignment.objects.filter(assessor__user_id=actor.pk), actor).aggregate(
        open=Count("id", filter=is_open),
        due=Count("id", filter=is_open & Q(assessment__onsite_due__lte=today)),
    )
    url = reverse("assessor:tasks")
    return [
        Tile(
            "visits_due",
            _("Assessment visits due by today"),
            counts["due"],
            url,
            is_task=True,
            is_urgent=counts["due"] > 0,
        ),
        Tile("visits_open", _("Assessment forms open"), counts["open"], url, is_task=True),
    ]


def policies(*, actor: Actor) -> QuerySet[AssessmentPolicy]:
    require(actor, "assessments.policy")
    return AssessmentPolicy.objects.all()


def for_elder(*, actor: Actor, elder_id: int) -> list[Assessment]:
    """One person's cases, newest first, for their registry page."""
    if not actor.has_capability("assessments.view"):
        return []
    return list(
        visible_assessments(actor).filter(elder_id=elder_id).order_by("-applied_on", "-id")[:50]
    )


def elder_panel(actor: Actor, elder) -> dict | None:
    """The cases on an older person's registry page, and whether a new one may be filed: the
    service files cases for active people only."""
    can_apply = actor.has_capability("assessments.manage") and elder.status == Elder.Status.ACTIVE
    cases = for_elder(actor=actor, elder_id=elder.pk)
    if not (cases or can_apply):
        return None
    return {"elder": elder, "assessments": cases, "can_apply": can_apply}


# --- The older person's and family's view of their own case ------------------------------------


@dataclass
class Milestone:
    key: str
    label: str
    day: dt.date | None = None
    until: dt.date | None = None  # a period's last day (the public notice)
    expected: dt.date | None = None  # when it is due, while it is still to come
    state: str = "todo"  # done | current | todo | stopped


@dataclass
class CaseProgress:
    case: Assessment
    instrument_title: str
    milestones: list[Milestone]
    stopped: str = ""  # why the case ended early (refused, withdrawn), in plain words
    note: str = ""
    office: str = ""
    office_phone: str = ""


def _day(moment: dt.datetime | None) -> dt.date | None:
    return timezone.localtime(moment).date() if moment else None


def case_progress(*, actor: Actor, assessment_id: int) -> CaseProgress:
    """Where a person's own case stands, as 已申请 → 受理 → 上门评估 → 结论 → 公示 → 生效 with
    the days, for them and their family: no officer's names, no codes to decode."""
    require(actor, "assessments.view")
    case = scoped_get(
        visible_assessments(actor).select_related("elder", "assessment_org"),
        actor,
        pk=assessment_id,
    )
    S = Assessment.Status
    noticed = case.notice_from is not None
    steps = [
        Milestone("applied", _("Applied"), day=case.applied_on),
        Milestone(
            "accepted",
            _("Accepted"),
            day=case.decided_on if case.status != S.REFUSED else None,
            expected=case.acceptance_due,
        ),
        Milestone(
            "onsite",
            _("Assessed at home"),
            day=_day(case.onsite_done_at),
            expected=case.onsite_due,
        ),
        Milestone("concluded", _("Conclusion"), day=_day(case.concluded_at)),
    ]
    if noticed or case.status in (S.CONCLUDED, S.PUBLIC_NOTICE, S.OBJECTED):
        steps.append(
            Milestone("notice", _("Public notice"), day=case.notice_from, until=case.notice_to)
        )
    steps.append(Milestone("effective", _("In effect"), day=case.valid_from, expected=case.due_on))
    stopped = ""
    if case.status == S.REFUSED:
        stopped = _("The application was not accepted: %(reason)s") % {
            "reason": case.get_refusal_reason_display()
        }
    elif case.status == S.WITHDRAWN:
        stopped = _("The application was withdrawn.")
    current_found = False
    today = local_today()
    for step in steps:
        if step.expected is not None and step.expected < today:
            step.expected = None  # a date gone by tells the person nothing; "in progress" does
        if step.day is not None and (step.until is None or step.until < today):
            step.state = "done"
        elif stopped:
            step.state = "stopped"
        elif not current_found:
            step.state, current_found = "current", True
    note = ""
    if case.round == 2 and case.status not in (S.EFFECTIVE, S.EXPIRED, S.SUPERSEDED):
        note = _(
            "After the objection, two other assessors assess again; their conclusion is final."
        )
    org = case.assessment_org
    try:
        title = grading.instrument_load(case.instrument).title
    except UnknownInstrument:
        title = ""
    return CaseProgress(
        case=case,
        instrument_title=title,
        milestones=steps,
        stopped=stopped,
        note=note,
        office=org.name if org else "",
        office_phone=org.contact_phone if org else "",
    )
