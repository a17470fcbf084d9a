"""The assessment procedure (standards/assessment.md §1.8), step by step.

Each function checks its step in the case's transition table (transitions.CASE: whether the
case is at a status the step follows, who may take it, its guard), writes the case and its
history in one transaction, and names what was wrong if it refuses. Day counts, validity and
the number of assessors come from `AssessmentPolicy` (data, dated; rules.py).
"""

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yiyang.accounts.models import account_of
from yiyang.core import audit, events
from yiyang.core.divisions import city_of, district_of
from yiyang.core.exceptions import Conflict, NotFound, ValidationFailed
from yiyang.core.policy import policy_file
from yiyang.core.scoping import Actor, require, scoped, scoped_get
from yiyang.core.timeutils import add_months, local_today
from yiyang.core.validation import clean_phone
from yiyang.core.workdays import deadline
from yiyang.institutions.models import Organisation
from yiyang.people.models import Elder, Fact, Guardian
from yiyang.people.services import facts_record

from . import grading
from .errors import (
    AlreadySubmitted,
    AnswersInvalid,
    OpenCaseExists,
    PoolTooSmall,
    Problem,
    ReapplyBarred,
    TransitionRefused,
)
from .labels import problem_message
from .models import (
    OPEN_STATUSES,
    Assessment,
    AssessmentPolicy,
    AssessorDraw,
    AssessorProfile,
    AssessorTie,
    Assignment,
    Discrepancy,
    Objection,
)
from .rules import conclusion_rank, effective_ready, policy_for
from .transitions import CASE

S = Assessment.Status

OPEN = OPEN_STATUSES
# Triggers a bar on re-application after a 'no disability' result does not hold against.
CHANGE_OF_CONDITION = (
    Assessment.Trigger.DISCHARGE,
    Assessment.Trigger.DIAGNOSIS,
    Assessment.Trigger.SPOT_CHECK,
    Assessment.Trigger.EXPIRY,
)

# An application's reasons: "imported" marks conclusions brought from an earlier system.
APPLICATION_TRIGGERS = [t for t in Assessment.Trigger.values if t != Assessment.Trigger.IMPORTED]

EVENT_EFFECTIVE = "assessment.effective"
EVENT_EXPIRED = "assessment.expired"
DRAW_ALGORITHM = "sha256-rank-v1"

audit.register_notes(
    {
        "application filed": gettext_lazy("Application filed"),
        "application accepted": gettext_lazy("Application accepted"),
        "application refused": gettext_lazy("Application refused"),
        "withdrawn": gettext_lazy("Withdrawn"),
        "assessors drawn": gettext_lazy("Assessors drawn"),
        "form submitted": gettext_lazy("Assessment form submitted"),
        "on-site done": gettext_lazy("On-site assessment done"),
        "discrepancy reconciled": gettext_lazy("Differing item reconciled"),
        "concluded": gettext_lazy("Concluded"),
        "public notice": gettext_lazy("Put on public notice"),
        "objection filed": gettext_lazy("Objection filed"),
        "effective": gettext_lazy("Conclusion effective"),
        "expired": gettext_lazy("Conclusion expired"),
        "superseded": gettext_lazy("Superseded by a later conclusion"),
        "evidence added": gettext_lazy("Evidence added"),
        "assessment effective": gettext_lazy("Assessment conclusion took effect"),
        "assessment policy filed": gettext_lazy("Assessment policy filed"),
    }
)
# What a case's history writes besides the case's own fields.
audit.register_change_labels(
    "assessment.assessment",
    {
        "withdrawal": gettext_lazy("Reason for withdrawal"),
        "assessor": gettext_lazy("Assessor"),
        "evidence_file": gettext_lazy("Evidence"),
    },
)


# --- Policy -------------------------------------------------------------------------------------


def _registry_field(instrument_id: str) -> str | None:
    return grading.instrument_load(instrument_id).registry_field


def _instruments_sharing_field(instrument_id: str) -> list[str]:
    """Instruments that set the same registry field: a new LTC case replaces an LTC conclusion,
    never a GB/T 42195 one."""
    target = _registry_field(instrument_id)
    return [
        i for i in grading.instrument_ids() if grading.instrument_load(i).registry_field == target
    ]


# --- Reading a case for a step -------------------------------------------------------------------


def visible_assessments(actor: Actor):
    """Every case the actor may see (assessors: the cases they were drawn for, declarations)."""
    require(actor, "assessments.view")
    return scoped(Assessment.objects.all(), actor)


def _case_for_update(actor: Actor, assessment_id: int) -> Assessment:
    """The case, locked, if the actor may see it (NotFound otherwise)."""
    case = scoped_get(visible_assessments(actor), actor, pk=assessment_id)
    return Assessment.objects.select_for_update().get(pk=case.pk)


def _step(actor: Actor, case: Assessment, name: str, *, version: int | None = None):
    """Check a step of the table before writing it: the version read (if given), then the
    case's status, who may take it and its guard."""
    if version is not None and case.version != version:
        raise Conflict()
    return CASE.check(actor, case, name)


def _shown(value):
    """A value as the history shows it: times in Beijing to the minute, records by name."""
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return value


def _move(actor: Actor | None, case: Assessment, status: str, note: str, **fields) -> Assessment:
    # Large JSON (answers, the explanation) is kept on the case, not copied into the history.
    # Keys that are not fields of the case (a withdrawal's reason) go to the history only.
    extra = {k: fields.pop(k) for k in list(fields) if not hasattr(case, k)}
    logged = [k for k in fields if k not in ("answers", "result")]
    before = {"status": case.status, **{k: _shown(getattr(case, k)) for k in logged}}
    case.status = status
    for key, value in fields.items():
        setattr(case, key, value)
    case.version += 1
    case.save()
    after = {"status": case.status, **{k: _shown(getattr(case, k)) for k in logged}, **extra}
    audit.record_change(
        actor=actor,
        entity=case,
        action="status",
        changes=audit.diff(before, after),
        note=note,
    )
    return case


# --- Application ---------------------------------------------------------------------------------


@dataclass
class ApplicationData:
    elder_id: int
    instrument: str
    trigger: str = Assessment.Trigger.FIRST
    channel: str = Assessment.Channel.AGENCY
    applicant_name: str = ""
    applicant_relation: str = ""
    applicant_phone: str = ""
    note: str = ""
    applied_on: dt.date | None = None


def application_file(*, actor: Actor, data: ApplicationData) -> Assessment:
    require(actor, "assessments.manage")
    errors: dict[str, str] = {}
    try:
        elder = scoped_get(Elder.objects.all(), actor, pk=data.elder_id)
    except NotFound:
        elder = None
        errors["elder"] = _("Choose an older person on record in your region.")
    if elder is not None and elder.status != Elder.Status.ACTIVE:
        errors["elder"] = _("%(name)s is not active on the registry (%(status)s).") % {
            "name": elder.name,
            "status": elder.get_status_display(),
        }
    if data.instrument not in grading.instrument_ids():
        errors["instrument"] = _("Choose an assessment standard.")
    if data.trigger not in APPLICATION_TRIGGERS:
        errors["trigger"] = _("Choose the reason for the assessment.")
    if data.channel not in Assessment.Channel.values:
        errors["channel"] = _("Choose the channel the application came through.")
    applicant = (data.applicant_name or "").strip()
    if not applicant:
        errors["applicant_name"] = _("Enter who applies: the person, a guardian or an agent.")
    elif len(applicant) > 40:
        errors["applicant_name"] = _("At most 40 characters.")
    phone = clean_phone(data.applicant_phone or "", field="applicant_phone", errors=errors)
    today = local_today()
    applied_on = data.applied_on or today
    if applied_on > today:
        errors["applied_on"] = _("The application date cannot be in the future.")
    if errors or elder is None:
        raise ValidationFailed(fields=errors)

    policy = policy_for(data.instrument, elder.region_code, applied_on)
    siblings = _instruments_sharing_field(data.instrument)
    with transaction.atomic():
        Elder.objects.select_for_update().get(pk=elder.pk)  # one application at a time per person
        mine = Assessment.objects.filter(elder=elder, instrument__in=siblings)
        open_case = mine.filter(status__in=OPEN).first()
        if open_case is not None:
            raise OpenCaseExists(
                _("%(name)s already has an open case, %(number)s (%(status)s).")
                % {
                    "name": elder.name,
                    "number": open_case.number,
                    "status": open_case.get_status_display(),
                },
                field="elder",
            )
        current = mine.filter(status=S.EFFECTIVE).order_by("-valid_from").first()
        if (
            current is not None
            and current.grade == 0
            and current.valid_from is not None
            and data.trigger not in CHANGE_OF_CONDITION
            and policy.reapply_bar_months
        ):
            until = add_months(current.valid_from, policy.reapply_bar_months)
            if applied_on < until:
                raise ReapplyBarred(
                    _(
                        "The last conclusion (%(number)s) found no disability; a new "
                        "application is possible from %(day)s, or earlier on a change of "
                        "condition."
                    )
                    % {"number": current.number, "day": until.isoformat()},
                    field="trigger",
                )
        acceptance = deadline(applied_on, policy.acceptance_workdays)
        due = deadline(applied_on, policy.entitlement_workdays)
        instrument = grading.instrument_load(data.instrument)
        case = Assessment.objects.create(
            number=f"tmp-{secrets.token_hex(8)}",
            elder=elder,
            region_code=elder.region_code,
            residence=elder.institution
            if elder.living_arrangement == Elder.Living.INSTITUTION
            else None,
            instrument=instrument.id,
            instrument_version=instrument.version,
            trigger=data.trigger,
            channel=data.channel,
            applicant_name=applicant,
            applicant_relation=(data.applicant_relation or "").strip()[:20],
            applicant_phone=phone,
            note=(data.note or "").strip()[:300],
            previous=current,
            applied_on=applied_on,
            acceptance_due=acceptance.date,
            due_on=due.date,
            due_provisional=acceptance.provisional or due.provisional,
            created_by=account_of(actor),
        )
        case.number = f"PG{applied_on:%Y}{district_of(elder.region_code)}{case.pk:07d}"
        case.save(update_fields=["number"])
        audit.record_change(actor=actor, entity=case, action="create", note="application filed")
    return case


def application_accept(
    *, actor: Actor, assessment_id: int, version: int | None = None
) -> Assessment:
    with transaction.atomic():
        case = _case_for_update(actor, assessment_id)
        _step(actor, case, "accept", version=version)
        today = local_today()
        policy = policy_for(case.instrument, case.region_code, case.applied_on)
        onsite = deadline(today, policy.onsite_workdays)
        return _move(
            actor,
            case,
            S.ACCEPTED,
            "application accepted",
            decided_on=today,
            onsite_due=onsite.date,
            due_provisional=case.due_provisional or onsite.provisional,
        )


def application_refuse(
    *, actor: Actor, assessment_id: int, reason: str, note: str = "", version: int | None = None
) -> Assessment:
    errors = {}
    if reason not in Assessment.Refusal.values:
        errors["refusal_reason"] = _("Choose one of the grounds for refusal.")
    note = (note or "").strip()
    if reason == Assessment.Refusal.OTHER and not note:
        errors["refusal_note"] = _("Say why when the ground is 'other'.")
    if errors:
        raise ValidationFailed(fields=errors)
    with transaction.atomic():
        case = _case_for_update(actor, assessment_id)
        _step(actor, case, "refuse", version=version)
        return _move(
            actor,
            case,
            S.REFUSED,
            "application refused",
            decided_on=local_today(),
            refusal_reason=reason,
            refusal_note=note[:300],
        )


def application_withdraw(*, actor: Actor, assessment_id: int, note: str = "") -> Assessment:
    """The applicant withdraws, or the case ends for another reason (the person died, moved
    away): the reason is required and kept in the history."""
    note = (note or "").strip()
    if not note:
        raise ValidationFailed(fields={"note": _("Say why the case is withdrawn.")})
    if len(note) > 300:
        raise ValidationFailed(fields={"note": _("At most 300 characters.")})
    with transaction.atomic():
        case = _case_for_update(actor, assessment_id)
        _step(actor, case, "withdraw")
        return _move(actor, case, S.WITHDRAWN, "withdrawn", ended_on=local_today(), withdrawal=note)


# --- The draw --------------------------------------------------------------------------------


def draw_rank(seed: str, assessor_id: int) -> str:
    return hashlib.sha256(f"{seed}:{assessor_id}".encode()).hexdigest()


def draw_pick(seed: str, pool: list[int], n: int) -> list[int]:
    """The `n` assessors of `pool` with the lowest sha256(seed:id): anyone holding the seed and
    the pool can replay the draw and get the same people, whatever order the pool is in."""
    return sorted(pool, key=lambda i: draw_rank(seed, i))[:n]


def draw_replay(draw: AssessorDraw) -> bool:
    """Whether the recorded draw follows from its recorded seed and pool."""
    return draw_pick(draw.seed, list(draw.pool), len(draw.chosen)) == list(draw.chosen)


def _exclusions(case: Assessment, candidates: list[AssessorProfile]) -> dict[int, str]:
    """Why each excluded candidate may not assess this person."""
    excluded: dict[int, str] = {}
    earlier = set(
        Assignment.objects.filter(assessment=case, round__lt=case.round).values_list(
            "assessor_id", flat=True
        )
    )
    tied = set(
        AssessorTie.objects.filter(elder=case.elder_id).values_list("assessor_id", flat=True)
    )
    guardians = Guardian.objects.filter(elder=case.elder_id)
    guardian_accounts = {g.account_id for g in guardians if g.account_id}
    guardian_phones = {g.phone for g in guardians if g.phone}
    for profile in candidates:
        user = profile.user
        if profile.id in earlier:
            excluded[profile.id] = "earlier_round"
        elif case.residence_id and profile.employer_id == case.residence_id:
            excluded[profile.id] = "works_at_residence"
        elif (
            profile.id in tied
            or user.id in guardian_accounts
            or (user.phone and user.phone in guardian_phones)
        ):
            excluded[profile.id] = "family_tie"
    return excluded


EXCLUSION_LABELS = {
    "earlier_round": gettext_lazy("assessed the first round"),
    "works_at_residence": gettext_lazy("works at the institution the person lives in"),
    "family_tie": gettext_lazy("family tie on record"),
    "not_qualified": gettext_lazy("qualification expired"),
}


def assessors_draw(
    *, actor: Actor, assessment_id: int, organisation_id: int, seed: str | None = None
) -> AssessorDraw:
    """Draw the round's assessors at random from the organisation's qualified pool."""
    with transaction.atomic():
        case = _case_for_update(actor, assessment_id)
        _step(actor, case, "draw")
        org = Organisation.objects.filter(
            pk=organisation_id, kind=Organisation.Kind.ASSESSMENT, is_active=True
        ).first()
        if org is None or not case.region_code.startswith(city_of(org.region_code)):
            raise ValidationFailed(
                fields={
                    "organisation": _("Choose a designated assessment organisation of this city.")
                }
            )
        policy = policy_for(case.instrument, case.region_code, case.applied_on)
        today = local_today()
        profiles = list(
            AssessorProfile.objects.select_related("user")
            .filter(organisation=org, is_active=True, user__is_active=True)
            .order_by("id")
        )
        excluded = {
            p.id: "not_qualified"
            for p in profiles
            if p.qualified_until is not None and p.qualified_until < today
        }
        excluded.update({k: v for k, v in _exclusions(case, profiles).items() if k not in excluded})
        pool = [p.id for p in profiles if p.id not in excluded]
        need = policy.assessors_required
        if len(pool) < need:
            raise PoolTooSmall(
                _(
                    "%(org)s has %(n)s eligible assessors for this person; %(need)s are needed. "
                    "Choose another organisation."
                )
                % {"org": org.name, "n": len(pool), "need": need},
                field="organisation",
            )
        seed = seed or secrets.token_hex(16)
        chosen = draw_pick(seed, pool, need)
        draw = AssessorDraw.objects.create(
            assessment=case,
            round=case.round,
            organisation=org,
            algorithm=DRAW_ALGORITHM,
            seed=seed,
            pool=pool,
            excluded=[{"id": k, "reason": v} for k, v in sorted(excluded.items())],
            chosen=chosen,
            drawn_by=account_of(actor),
        )
        Assignment.objects.bulk_create(
            [
                Assignment(assessment=case, round=case.round, assessor_id=i, draw=draw)
                for i in chosen
            ]
        )
        fields: dict[str, object] = {"assessment_org": org}
        if case.round == 2:
            # The re-assessment has its own on-site deadline from the objection's draw.
            onsite = deadline(today, policy.onsite_workdays)
            fields.update(onsite_due=onsite.date)
        _move(actor, case, S.ASSIGNED, "assessors drawn", **fields)
        return draw


# --- On site -------------------------------------------------------------------------------------


def _answer_keys(answers: dict) -> dict[str, object]:
    """Flatten answers to comparable keys: each item, coma, each risk event, the diagnoses."""
    flat: dict[str, object] = dict(answers.get("items", {}))
    if "coma" in answers:
        flat["coma"] = bool(answers["coma"])
    for kind, count in (answers.get("risk_events") or {}).items():
        flat[f"risk_events.{kind}"] = count
    if "diagnoses" in answers:
        flat["diagnoses"] = sorted({str(d).strip().upper() for d in answers["diagnoses"]})
    return flat


def _with_value(answers: dict, key: str, value) -> dict:
    out = {
        "items": dict(answers.get("items", {})),
        **{k: v for k, v in answers.items() if k != "items"},
    }
    if key == "coma":
        out["coma"] = bool(value)
    elif key == "diagnoses":
        out["diagnoses"] = list(value or [])
    elif key.startswith("risk_events."):
        out["risk_events"] = {**(out.get("risk_events") or {}), key.split(".", 1)[1]: value}
    else:
        out["items"][key] = value
    return out


def _check_partial(instrument, answers) -> None:
    """Every answer given must be valid; unanswered items are fine until submission."""
    try:
        grading.answers_grade(instrument=instrument, answers=answers)
    except AnswersInvalid as exc:
        problems = [p for p in exc.problems if p.code != "missing_item"]
        if problems:
            raise AnswersInvalid(problems) from None


def assignment_save(
    *,
    actor: Actor,
    assignment_id: int,
    answers: dict,
    submit: bool = False,
    saved_at: dt.datetime | None = None,
) -> Assignment:
    """Save an assessor's answers (from the phone form, perhaps sent late after being offline).

    A save older than the one stored (by the device's clock) is ignored: answers typed later on
    another device win. Sending the same submission twice is harmless; changing answers after
    submitting is refused."""
    require(actor, "assessments.perform")
    with transaction.atomic():
        try:
            assignment = Assignment.objects.select_for_update().get(
                pk=assignment_id, assessor__user=account_of(actor)
            )
        except (Assignment.DoesNotExist, ValueError, TypeError) as exc:
            raise NotFound() from exc
        case = Assessment.objects.select_for_update().get(pk=assignment.assessment_id)
        instrument = grading.instrument_load(case.instrument)
        if not isinstance(answers, dict):
            raise AnswersInvalid([Problem("bad_type", None, "answers must be an object")])
        answers = {"items": {}, **answers}
        _check_partial(instrument, answers)  # the shape first, so a bad value is named
        if assignment.submitted_at is not None:
            if _answer_keys(answers) == _answer_keys(assignment.answers):
                return assignment
            raise AlreadySubmitted(
                _("These answers were submitted on %(at)s and can no longer be changed.")
                % {"at": timezone.localtime(assignment.submitted_at).strftime("%Y-%m-%d %H:%M")}
            )
        if not CASE.allows(case, "submit_form") or assignment.round != case.round:
            raise TransitionRefused(
                _("This assessment is %(status)s; its forms are closed.")
                % {"status": case.get_status_display()}
            )
        if not submit and saved_at and assignment.saved_at and saved_at < assignment.saved_at:
            return assignment
        if submit:
            result = grading.answers_grade(instrument=instrument, answers=answers)
            assignment.result = result.as_dict()
            assignment.grade = result.grade
            assignment.submitted_at = timezone.now()
        assignment.answers = answers
        assignment.saved_at = saved_at or timezone.now()
        assignment.save()
        if submit:
            audit.record_change(
                actor=actor,
                entity=case,
                action="update",
                note="form submitted",
                changes={"assessor": [None, str(actor)]},
            )
            _close_round_if_complete(actor, case)
        return assignment


def _close_round_if_complete(actor: Actor, case: Assessment) -> None:
    round_ = list(Assignment.objects.filter(assessment=case, round=case.round).order_by("id"))
    if any(a.submitted_at is None for a in round_):
        return
    flats = [(a.id, _answer_keys(a.answers)) for a in round_]
    keys = sorted(set().union(*(f.keys() for _id, f in flats)))
    rows = []
    for key in keys:
        values = {str(aid): flat.get(key) for aid, flat in flats}
        if len({repr(v) for v in values.values()}) > 1:
            rows.append(Discrepancy(assessment=case, round=case.round, item=key, values=values))
    Discrepancy.objects.bulk_create(rows)
    CASE.check(actor, case, "close_round", by_platform=True)
    _move(actor, case, S.ON_SITE_DONE, "on-site done", onsite_done_at=timezone.now())


def discrepancy_resolve(*, actor: Actor, discrepancy_id: int, value, reason: str) -> Discrepancy:
    """Settle an item the two assessors answered differently, with a reason on record."""
    reason = (reason or "").strip()
    with transaction.atomic():
        try:
            row = Discrepancy.objects.select_for_update().get(pk=discrepancy_id)
        except (Discrepancy.DoesNotExist, ValueError, TypeError) as exc:
            raise NotFound() from exc
        case = scoped_get(visible_assessments(actor), actor, pk=row.assessment_id)
        CASE.check(actor, case, "reconcile")
        if row.round != case.round:
            raise TransitionRefused(
                _("This item belongs to an earlier round; only the current round is reconciled."),
                field="status",
            )
        instrument = grading.instrument_load(case.instrument)
        errors = {}
        if not reason:
            errors["reason"] = _("Say why this answer is the right one.")
        try:
            _check_partial(instrument, _with_value({"items": {}}, row.item, value))
        except AnswersInvalid as exc:
            errors["value"] = problem_message(exc.problems[0])
        if row.item == "coma" and not isinstance(value, bool):
            errors["value"] = _("Answer yes or no.")
        if errors:
            raise ValidationFailed(fields=errors)
        before = row.resolved_value
        row.resolved_value = value
        row.reason = reason[:300]
        row.resolved_by = account_of(actor)
        row.resolved_at = timezone.now()
        row.save()
        audit.record_change(
            actor=actor,
            entity=case,
            action="update",
            note="discrepancy reconciled",
            changes={row.item: [before, value]},
        )
        return row


def reconciled_answers(case: Assessment) -> dict:
    """The round's answers with every differing item settled: the first form, overridden by the
    reconciled values. Raises TransitionRefused while an item is unsettled."""
    first = Assignment.objects.filter(assessment=case, round=case.round).order_by("id").first()
    if first is None or first.submitted_at is None:
        raise TransitionRefused(_("The on-site forms are not all submitted."), field="status")
    answers = first.answers
    open_items = []
    for row in Discrepancy.objects.filter(assessment=case, round=case.round):
        if row.resolved_at is None:
            open_items.append(row.item)
        else:
            answers = _with_value(answers, row.item, row.resolved_value)
    if open_items:
        raise TransitionRefused(
            _("Reconcile the items the assessors answered differently first: %(items)s.")
            % {"items": ", ".join(open_items)},
            field="discrepancies",
        )
    return answers


# --- Conclusion, notice, objection ---------------------------------------------------------------


def assessment_conclude(
    *, actor: Actor, assessment_id: int, version: int | None = None
) -> Assessment:
    with transaction.atomic():
        case = _case_for_update(actor, assessment_id)
        _step(actor, case, "conclude", version=version)
        policy = policy_for(case.instrument, case.region_code, case.applied_on)
        if policy.evidence_required and not case.evidence.filter(round=case.round).exists():
            raise TransitionRefused(
                _("Attach the on-site evidence (photos or video) before concluding."),
                field="evidence",
            )
        answers = reconciled_answers(case)
        instrument = grading.instrument_load(case.instrument)
        if instrument.version != case.instrument_version:
            raise TransitionRefused(
                _(
                    "The case was opened under %(old)s but the installed definition is %(new)s; "
                    "keep the old definition installed to conclude it."
                )
                % {"old": case.instrument_version, "new": instrument.version}
            )
        result = grading.answers_grade(instrument=instrument, answers=answers)
        return _move(
            actor,
            case,
            S.CONCLUDED,
            "concluded",
            answers=answers,
            result=result.as_dict(),
            grade=result.grade,
            grade_label=result.label,
            concluded_at=timezone.now(),
            concluded_by=account_of(actor),
        )


def notice_publish(*, actor: Actor, assessment_ids: list[int], start: dt.date | None = None) -> int:
    """Put concluded first-round cases on public notice from `start` (default: today)."""
    start = start or local_today()
    count = 0
    with transaction.atomic():
        for pk in assessment_ids:
            case = _case_for_update(actor, pk)
            _step(actor, case, "notice")
            policy = policy_for(case.instrument, case.region_code, case.applied_on)
            first = deadline(start, 0)
            last = deadline(first.date - dt.timedelta(days=1), policy.notice_workdays)
            _move(
                actor,
                case,
                S.PUBLIC_NOTICE,
                "public notice",
                notice_from=first.date,
                notice_to=last.date,
                due_provisional=case.due_provisional or last.provisional,
            )
            count += 1
    return count


def objection_file(
    *, actor: Actor, assessment_id: int, filed_on: dt.date, filed_by: str, reason: str
) -> Objection:
    errors = {}
    filed_by = (filed_by or "").strip()
    reason = (reason or "").strip()
    if not filed_by:
        errors["filed_by"] = _("Enter who objects.")
    if not reason:
        errors["reason"] = _("Enter the grounds of the objection.")
    if filed_on is None or filed_on > local_today():
        errors["filed_on"] = _("Enter the day the objection was received (not in the future).")
    if errors:
        raise ValidationFailed(fields=errors)
    with transaction.atomic():
        case = _case_for_update(actor, assessment_id)
        _step(actor, case, "objection")
        start, end = case.notice_from, case.notice_to  # both set when the notice began
        if start is None or end is None or not start <= filed_on <= end:
            raise ValidationFailed(
                fields={
                    "filed_on": _("Objections are received from %(a)s to %(b)s.")
                    % {"a": start, "b": end}
                }
            )
        objection = Objection.objects.create(
            assessment=case,
            filed_on=filed_on,
            filed_by=filed_by[:40],
            grade=case.grade,
            reason=reason[:500],
            recorded_by=account_of(actor),
        )
        _move(actor, case, S.OBJECTED, "objection filed", round=2)
        return objection


# --- Effect ------------------------------------------------------------------------------------


def _make_effective(actor: Actor | None, case: Assessment, today: dt.date) -> Assessment:
    policy = policy_for(case.instrument, case.region_code, case.applied_on)
    valid_to = add_months(today, policy.validity_months) - dt.timedelta(days=1)
    field = _registry_field(case.instrument)
    _move(actor, case, S.EFFECTIVE, "effective", valid_from=today, valid_to=valid_to)
    in_effect = list(
        Assessment.objects.select_for_update().filter(
            elder_id=case.elder_id,
            instrument__in=_instruments_sharing_field(case.instrument),
            status=S.EFFECTIVE,
        )
    )
    # Today's conclusion is the latest to take effect, so it ranks first (rules.conclusion_rank).
    current = max(in_effect, key=conclusion_rank)
    for old in in_effect:
        if old.pk != current.pk:
            CASE.check(actor, old, "supersede", by_platform=True)
            _move(
                actor,
                old,
                S.SUPERSEDED,
                "superseded",
                ended_on=current.valid_from,
                superseded_by=current,
            )
    elder = _person_for_event(case)
    previous_value = None
    if field:
        previous_value = getattr(elder, field)
        # The grade is a dated fact of the person's (people.services.facts_record), which
        # sets the column too.
        facts_record(
            [(elder, {field: str(case.grade)})],
            on=today,
            source=Fact.Source.ASSESSMENT,
            reference=case.number,
            actor=actor,
        )
        if previous_value != case.grade:
            elder.version += 1
            elder.save(update_fields=[field, "version", "updated_at"])
            audit.record_change(
                actor=actor,
                entity=elder,
                action="update",
                changes={field: [previous_value, case.grade]},
                note="assessment effective",
            )
    effective_events_publish([(case, field, previous_value)])
    return case


def _person_for_event(case: Assessment) -> Elder:
    """Lock the person before publishing about them: their events reach listeners in the order
    of their ids (docs/events.md), and a transaction publishing about the same person at the
    same time (a case of another standard, the daily run's expiry) would otherwise take a later
    id and could still commit first."""
    return Elder.objects.select_for_update().get(pk=case.elder_id)


def event_aggregate(elder_id: int) -> str:
    """Assessment events are about the person: a newer conclusion's event never reaches a
    listener before the one it replaces, even while that one's delivery is being retried."""
    return f"elder:{elder_id}"


def effective_events_publish(
    conclusions: list[tuple[Assessment, str | None, int | None]],
) -> None:
    """Tell the other apps that conclusions took effect (docs/events.md), given as (case,
    registry field, the field's previous value): the procedure publishes one, the import of
    past conclusions a batch's worth in one insert, with the same payload."""
    events.publish_many(
        _effective_event(case, registry_field=field, previous_grade=previous)
        for case, field, previous in conclusions
    )


def _effective_event(case: Assessment, *, registry_field, previous_grade) -> events.Event:
    return events.Event(
        name=EVENT_EFFECTIVE,
        aggregate=event_aggregate(case.elder_id),
        payload={
            "assessment_id": case.pk,
            "number": case.number,
            "elder_id": case.elder_id,
            "region_code": case.region_code,
            "instrument": case.instrument,
            "instrument_version": case.instrument_version,
            "registry_field": registry_field,
            "grade": case.grade,
            "previous_grade": previous_grade,
            "valid_from": case.valid_from.isoformat() if case.valid_from else None,
            "valid_to": case.valid_to.isoformat() if case.valid_to else None,
        },
    )


def assessment_make_effective(*, actor: Actor, assessment_id: int) -> Assessment:
    today = local_today()
    with transaction.atomic():
        case = _case_for_update(actor, assessment_id)
        _step(actor, case, "effective")
        return _make_effective(actor, case, today)


@dataclass
class AdvanceReport:
    made_effective: int = 0
    expired: int = 0


def assessments_advance(*, today: dt.date | None = None) -> AdvanceReport:
    """The daily run: conclusions whose public notice ended without objection take effect, and
    conclusions past their validity expire. Running it twice on a day changes nothing more."""
    today = today or local_today()
    report = AdvanceReport()
    system = None
    ready = Assessment.objects.filter(status=S.PUBLIC_NOTICE, notice_to__lt=today)
    for pk in ready.values_list("pk", flat=True):
        with transaction.atomic():
            case = Assessment.objects.select_for_update().get(pk=pk)
            if effective_ready(case, today):
                CASE.check(system, case, "effective", by_platform=True)
                _make_effective(system, case, today)
                report.made_effective += 1
    stale = Assessment.objects.filter(status=S.EFFECTIVE, valid_to__lt=today)
    for pk in stale.values_list("pk", flat=True):
        with transaction.atomic():
            case = Assessment.objects.select_for_update().get(pk=pk)
            if case.status == S.EFFECTIVE and case.valid_to and case.valid_to < today:
                CASE.check(system, case, "expire", by_platform=True)
                _move(system, case, S.EXPIRED, "expired", ended_on=today)
                _person_for_event(case)
                events.publish(
                    EVENT_EXPIRED,
                    aggregate=event_aggregate(case.elder_id),
                    assessment_id=case.pk,
                    elder_id=case.elder_id,
                    instrument=case.instrument,
                    registry_field=_registry_field(case.instrument),
                    grade=case.grade,
                    valid_to=case.valid_to.isoformat(),
                )
                report.expired += 1
    return report


# --- Evidence ----------------------------------------------------------------------------------
# (see evidence.py)


POLICY_BOUNDS = {
    "acceptance_workdays": (1, 60),
    "onsite_workdays": (1, 60),
    "notice_workdays": (0, 30),
    "entitlement_workdays": (1, 120),
    "validity_months": (1, 120),
    "reminder_days": (0, 365),
    "reapply_bar_months": (0, 36),
    "assessors_required": (2, 5),
}


def policy_add(*, actor: Actor, values: dict) -> AssessmentPolicy:
    """A new dated policy, filed by the one rule of every dated policy (core.policy): it starts
    today or later, the policy it follows for the same instrument and region ends the day
    before, and one filed earlier for the same day is superseded."""
    require(actor, "assessments.policy")
    errors: dict[str, str] = {}
    instrument = values.get("instrument", "")
    if instrument not in grading.instrument_ids():
        errors["instrument"] = _("Choose an assessment standard.")
    numbers = {}
    for name, (low, high) in POLICY_BOUNDS.items():
        value = values.get(name)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            errors[name] = _("Enter a whole number from %(low)s to %(high)s.") % {
                "low": low,
                "high": high,
            }
        else:
            numbers[name] = value
    if (
        "notice_workdays" in numbers
        and "entitlement_workdays" in numbers
        and numbers["notice_workdays"] >= numbers["entitlement_workdays"]
    ):
        errors["notice_workdays"] = _(
            "The public notice must be shorter than the entitlement deadline."
        )
    return policy_file(
        AssessmentPolicy,
        actor=actor,
        values={**numbers, "evidence_required": bool(values.get("evidence_required"))},
        keys={"instrument": instrument},
        region_code=values.get("region_code") or "",
        effective_from=values.get("effective_from"),
        source=values.get("source") or "",
        errors=errors,
        note="assessment policy filed",
    )
