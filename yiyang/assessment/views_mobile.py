"""The assessor's phone (seed 004 "二对一": two assessors on site, each with their own form).

Each assessor sees the cases they were drawn for, fills one form section per screen and attaches
photos or video taken on the spot. The form page carries every section in one server-rendered
page; `assessment/mobile-form.js` pages through it, keeps every answer on the phone as soon as it
is tapped and sends it to `assignment_sync`, which may receive it hours late: the service keeps
the newest save by the phone's clock and takes a repeated submission as the same one.
"""

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib import messages
from django.contrib.staticfiles import finders
from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yiyang.core.console import domain_errors_as_http
from yiyang.core.exceptions import DomainError, NotFound, PermissionDenied
from yiyang.core.refusals import refusal_json
from yiyang.core.scoping import require, scoped
from yiyang.core.timeutils import LOCAL_TZ, age_on, local_today

from . import grading, services
from .errors import (
    AnswersInvalid,
    EvidenceBadTakenAt,
    SyncBadSavedAt,
    SyncBadType,
    SyncNotJson,
)
from .evidence import evidence_add
from .labels import PROBLEM_MESSAGES, RISK_EVENT_LABELS
from .models import Assessment, Assignment, Evidence
from .transitions import CASE

S = Assessment.Status

# The form pages the service worker keeps are marked by the server with this header.
OFFLINE_HEADER = "X-Yiyang-Offline"
# Every file the phone pages load from /static/: the worker stores them when it is installed
# and serves /static/ cache first. A file missing here is stored only once a page loads it
# online, and (unhashed in development) is not refreshed when it changes.
OFFLINE_STATIC = (
    "assessment/mobile.css",
    "assessment/mobile-form.js",
    "assessment/offline.js",
    "assessment/evidence-queue.js",
)

# The graders' problem messages are English on purpose (errors.py); the phone shows these,
# chosen by the problem's stable code.
# --- Reads: the signed-in assessor's own assignments ---------------------------------------


def _my_assignments(actor) -> QuerySet[Assignment]:
    """The actor's own assignments, on cases inside their scope."""
    require(actor, "assessments.perform")
    return scoped(Assignment.objects.filter(assessor__user=actor), actor).select_related(
        "assessment__elder__region"
    )


def _my_assignment(actor, assignment_id: int) -> Assignment:
    """One of the actor's assignments, or NotFound: another assessor's form is not there at all."""
    try:
        return _my_assignments(actor).get(pk=assignment_id)
    except (Assignment.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound() from exc


def _is_open(assignment: Assignment) -> bool:
    case = assignment.assessment
    return (
        assignment.submitted_at is None
        and CASE.allows(case, "submit_form")
        and assignment.round == case.round
    )


# --- Task list ----------------------------------------------------------------------------------


DONE_SHOWN = 20


@require_GET
@domain_errors_as_http
def task_list(request):
    is_open = Q(submitted_at__isnull=True, assessment__status=S.ASSIGNED) & Q(
        round=F("assessment__round")
    )
    rows = (
        _my_assignments(request.user)
        .annotate(
            rank=Case(When(is_open, then=Value(0)), default=Value(1), output_field=IntegerField())
        )
        .order_by("rank", F("assessment__onsite_due").asc(nulls_last=True), "-id")[:100]
    )
    tasks = [{"assignment": a, "case": a.assessment, "is_open": a.rank == 0} for a in rows]
    # What is left to do, then what is done or closed: a done visit has no deadline any more.
    response = render(
        request,
        "assessment/mobile/tasks.html",
        {
            "tasks": tasks,
            "open_tasks": [t for t in tasks if t["is_open"]],
            # the latest done ones; the rest are on the console's case list
            "done_tasks": [t for t in tasks if not t["is_open"]][:DONE_SHOWN],
        },
    )
    # The list may be kept on the phone too, to reach the kept forms without a connection.
    response[OFFLINE_HEADER] = "keep"
    return response


# --- The form -----------------------------------------------------------------------------------


@dataclass
class Choice:
    value: str
    text: str
    score: int | None = None
    checked: bool = False


@dataclass
class Question:
    """One thing to answer: an item, the coma flag, or a count of one kind of risk event."""

    name: str
    label: str
    kind: str  # item | coma | risk
    choices: list[Choice]


@dataclass
class Screen:
    id: str
    label: str
    dot: str = ""
    questions: list[Question] = field(default_factory=list)
    takes_diagnoses: bool = False
    diagnoses: str = ""


def _checked(choices: list[Choice], value) -> list[Choice]:
    if value is None:
        return choices
    for choice in choices:
        choice.checked = choice.value == json.dumps(value)
    return choices


# A screen shows at most this many answer options: a form of eight items of five long options
# each (GB/T 42195 B.1) is two screens of a phone's height or so, not one of 4,800 px.
OPTIONS_PER_SCREEN = 20


def _parts(items: tuple) -> list[tuple]:
    """The form's items in consecutive, evenly sized parts of at most OPTIONS_PER_SCREEN."""
    options = sum(len(i.options) for i in items)
    count = max(1, -(-options // OPTIONS_PER_SCREEN))
    size = -(-len(items) // count)
    return [items[i : i + size] for i in range(0, len(items), size)]


def _preview(instrument: grading.Instrument, answers: dict) -> dict | None:
    """This form's scores and grade once every item is answered, shown before the submission
    (which cannot be undone); None while answers are missing or invalid."""
    try:
        result = grading.answers_grade(instrument=instrument, answers=answers)
    except AnswersInvalid:
        return None
    return {
        "label": result.label,
        "scores": [
            {"label": form.label, "score": result.scores[form.id], "max": form.max_score}
            for form in instrument.forms
        ],
    }


def _screens(instrument: grading.Instrument, answers: dict) -> list[Screen]:
    """One screen per form of the instrument, then one for its extra inputs if it takes any."""
    items = answers.get("items") if isinstance(answers.get("items"), dict) else {}
    screens = []
    for form in instrument.forms:
        parts = _parts(form.items)
        for n, part in enumerate(parts, start=1):
            screen = Screen(
                id=form.id if n == 1 else f"{form.id}-{n}",
                label=form.label if len(parts) == 1 else f"{form.label}（{n}/{len(parts)}）",
                dot=form.id if n == 1 else f"{form.id}·{n}",
            )
            for item in part:
                choices = [
                    Choice(value=str(o.score), text=o.text or "", score=o.score)
                    for o in item.options
                ]
                screen.questions.append(
                    Question(
                        name=item.id,
                        label=item.label,
                        kind="item",
                        choices=_checked(choices, items.get(item.id)),
                    )
                )
            screens.append(screen)
    if not instrument.inputs:
        return screens
    if "coma" in instrument.inputs:
        label = _("Coma, diagnoses and care-risk events")
    else:
        label = _("Diagnoses and care-risk events")
    extra = Screen(id="extra", label=label, dot="+")
    if "coma" in instrument.inputs:
        coma = answers.get("coma")
        extra.questions.append(
            Question(
                name="coma",
                label=_("Is the person in a coma?"),
                kind="coma",
                choices=_checked(
                    [
                        Choice(value="false", text=_("No")),
                        Choice(value="true", text=_("Yes, in a coma")),
                    ],
                    coma if isinstance(coma, bool) else None,
                ),
            )
        )
    if "diagnoses" in instrument.inputs:
        diagnoses = answers.get("diagnoses")
        extra.takes_diagnoses = True
        if isinstance(diagnoses, list):
            extra.diagnoses = " ".join(str(d) for d in diagnoses)
    if "risk_events" in instrument.inputs:
        events = answers.get("risk_events") if isinstance(answers.get("risk_events"), dict) else {}
        top = instrument.risk_event_max
        for kind in instrument.risk_event_types:
            counts = []
            for n in range(top + 1):
                if n == 0:
                    text = _("None")
                elif n == top:
                    text = ngettext("%(n)s time or more", "%(n)s times or more", n) % {"n": n}
                else:
                    text = ngettext("%(n)s time", "%(n)s times", n) % {"n": n}
                counts.append(Choice(value=str(n), text=text))
            extra.questions.append(
                Question(
                    name=f"risk_events.{kind}",
                    label=str(RISK_EVENT_LABELS.get(kind, kind)),
                    kind="risk",
                    choices=_checked(counts, events.get(kind)),
                )
            )
    screens.append(extra)
    return screens


def _js_strings() -> dict[str, str]:
    """What the script says, translated here so that it goes through Django's catalogue."""
    return {
        "offline": _("Saved on this phone; will be sent when the connection is back"),
        "sending": _("Sending…"),
        "sent": _("Sent"),
        "submitted": _("Submitted. Thank you."),
        "signed_out": _(
            "You are signed out. Sign in again; the answers stay on this phone until then."
        ),
        "server_error": _("The server could not save the answers; trying again shortly."),
        "rejected": _("Some answers were not accepted; see the marked items."),
        "closed": _("This form is closed; the answers on this phone could not be sent."),
        "unanswered": _("Answer every item before submitting."),
        "all_answered": _("Every item is answered."),
        "step": _("Step %(n)s of %(total)s"),
        "preview": _("This form gives: %(scores)s. Grade: %(grade)s."),
        "preview_pending": _("The grade is shown once the answers have reached the server."),
        "confirm": _("Once submitted, the answers cannot be changed. Tap again to submit."),
        "confirm_button": _("Submit for good"),
        "points": _("%(score)s of %(max)s points"),
    }


@require_GET
@never_cache
@domain_errors_as_http
def assignment_form(request, assignment_id: int):
    assignment = _my_assignment(request.user, assignment_id)
    case = assignment.assessment
    instrument = grading.instrument_load(case.instrument)
    answers = assignment.answers if isinstance(assignment.answers, dict) else {}
    screens = _screens(instrument, answers)
    is_open = _is_open(assignment)
    config = {
        "storageKey": f"yiyang.assignment.{assignment.pk}",
        "serverSavedAt": assignment.saved_at.isoformat() if assignment.saved_at else None,
        "isSubmitted": assignment.submitted_at is not None,
        "isOpen": is_open,
        "takes": sorted(instrument.inputs),
        "strings": _js_strings(),
        "preview": _preview(instrument, answers) if answers else None,
    }
    context = {
        "assignment": assignment,
        "case": case,
        "elder": case.elder,
        "age": age_on(case.elder.birth_date, local_today()),
        "instrument": instrument,
        "screens": screens,
        "is_open": is_open,
        "config": config,
        "step_total": len(screens) + 1,
    }
    response = render(request, "assessment/mobile/form.html", context)
    if is_open:
        # Only an open form may be kept on the phone; the service worker drops its copy of any
        # form page answered without this header (submitted, closed, or no longer the actor's).
        response[OFFLINE_HEADER] = "keep"
    return response


# --- Sync: the phone sends what it holds --------------------------------------------------------


@dataclass
class SyncPayload:
    answers: dict
    submit: bool
    saved_at: dt.datetime | None


def _sync_payload(request) -> SyncPayload:
    """Parse what the phone sent; anything malformed is a 400 with a stable code, never a 500.
    Only a JSON body is read: a form's body has already been parsed (and consumed) by then."""
    if request.content_type != "application/json":
        raise SyncNotJson(_("Send the answers as JSON (application/json)."))
    try:
        data = json.loads(request.body or b"null")
    except (ValueError, RecursionError) as exc:
        raise SyncNotJson() from exc
    if not isinstance(data, dict):
        raise SyncNotJson(_("Send a JSON object with the answers."))
    answers = data.get("answers", {})
    if not isinstance(answers, dict):
        raise SyncBadType(_("The answers must be an object."), field="answers")
    # The service compares a repeated submission by these shapes before it validates them.
    for key, kind in (("items", dict), ("diagnoses", list), ("risk_events", dict)):
        if key in answers and not isinstance(answers[key], kind):
            raise SyncBadType(field=key)
    submit = data.get("submit", False)
    if not isinstance(submit, bool):
        raise SyncBadType(_("'submit' must be true or false."), field="submit")
    raw = data.get("saved_at")
    saved_at = None
    if raw is not None:
        try:
            saved_at = parse_datetime(raw) if isinstance(raw, str) else None
        except ValueError:
            saved_at = None
        if saved_at is None:
            raise SyncBadSavedAt()
        if timezone.is_naive(saved_at):
            saved_at = timezone.make_aware(saved_at, LOCAL_TZ)
        # A phone whose clock runs ahead would otherwise shadow every later save from elsewhere.
        saved_at = min(saved_at, timezone.now())
    return SyncPayload(answers=answers, submit=submit, saved_at=saved_at)


def _answers_invalid(exc: AnswersInvalid) -> HttpResponse:
    """The refusal in the assessor's language, item by item, with the graders' own problems."""
    fields = {}
    for problem in exc.problems:
        key = problem.item or "answers"
        if key.startswith("diagnoses["):
            key = "diagnoses"
        fields.setdefault(key, str(PROBLEM_MESSAGES.get(problem.code, problem.message)))
    if all(p.code == "missing_item" for p in exc.problems):
        n = len(exc.problems)
        message = ngettext(
            "%(n)s item is not answered yet.", "%(n)s items are not answered yet.", n
        ) % {"n": n}
    else:
        message = _("Some answers are not valid; see the marked items.")
    return refusal_json(
        exc, message=message, fields=fields, problems=[p.as_dict() for p in exc.problems]
    )


@require_POST
def assignment_sync(request, assignment_id: int):
    """Save (or submit) the answers the phone holds. Answers JSON, in success and refusal."""
    try:
        payload = _sync_payload(request)
        assignment = services.assignment_save(
            actor=request.user,
            assignment_id=assignment_id,
            answers=payload.answers,
            submit=payload.submit,
            saved_at=payload.saved_at,
        )
    except AnswersInvalid as exc:
        return _answers_invalid(exc)
    except DomainError as exc:
        return refusal_json(exc)
    instrument = grading.instrument_load(assignment.assessment.instrument)
    return JsonResponse(
        {
            "ok": True,
            "saved_at": assignment.saved_at.isoformat() if assignment.saved_at else None,
            "submitted": assignment.submitted_at is not None,
            "preview": _preview(instrument, assignment.answers or {}),
        }
    )


# --- Evidence taken with the phone ----------------------------------------------------------


def _taken_at(raw: str) -> dt.datetime | None:
    """The phone's clock when a queued photo was taken (ISO 8601), kept as the phone gave it."""
    if not raw:
        return None
    try:
        taken = parse_datetime(raw)
    except ValueError:
        taken = None
    if taken is None:
        raise EvidenceBadTakenAt(field="taken_at")
    return timezone.make_aware(taken, LOCAL_TZ) if timezone.is_naive(taken) else taken


def _wants_json(request) -> bool:
    """The queue on the phone (evidence-queue.js) sends photos with fetch and asks for JSON."""
    return "application/json" in request.headers.get("Accept", "")


@require_http_methods(["GET", "POST"])
@never_cache
@domain_errors_as_http
def assignment_evidence(request, assignment_id: int):
    """The photos of one visit. A plain form post (no script) attaches a file and redirects; the
    phone's queue posts the same form with its client id and device time and gets JSON, so that
    a photo taken without a connection is sent once when the connection is back."""
    assignment = _my_assignment(request.user, assignment_id)
    case = assignment.assessment
    error = None
    if request.method == "POST":
        try:
            row = evidence_add(
                actor=request.user,
                assessment_id=case.pk,
                upload=request.FILES.get("file"),
                note=request.POST.get("note", ""),
                client_id=request.POST.get("client_id", ""),
                taken_at=_taken_at(request.POST.get("taken_at", "")),
            )
        except (NotFound, PermissionDenied):
            raise
        except DomainError as exc:
            if _wants_json(request):
                return refusal_json(exc)
            error = str(exc.fields.get("file") or exc.message)
        else:
            if _wants_json(request):
                return JsonResponse(
                    {
                        "ok": True,
                        "id": row.pk,
                        "name": row.original_name,
                        "client_id": row.client_id,
                    }
                )
            messages.success(request, _("%(name)s is attached.") % {"name": row.original_name})
            return redirect("assessor:evidence", assignment_id=assignment.pk)
    files = (
        scoped(Evidence.objects.filter(assessment=case, round=assignment.round), request.user)
        .select_related("uploaded_by")
        .order_by("-uploaded_at", "-id")
    )
    is_open = _is_open(assignment)
    context = {
        "assignment": assignment,
        "case": case,
        "elder": case.elder,
        "files": files,
        "error": error,
        "note": request.POST.get("note", "") if error else "",
        "is_open": is_open,
        "strings": {
            "queued": _("Waiting for a connection: %(name)s"),
            "sending": _("Sending %(name)s…"),
            "sent": _("%(name)s is attached."),
            "refused": _("%(name)s was not accepted: %(reason)s"),
            "signIn": _("Sign in again to send %(name)s."),
            "discard": _("Remove"),
        },
    }
    response = render(
        request, "assessment/mobile/evidence.html", context, status=400 if error else 200
    )
    if is_open and not error:
        # Kept on the phone with the form, so that photos can be taken in a village without signal.
        response[OFFLINE_HEADER] = "keep"
    return response


# --- Working without a connection ---------------------------------------------------------------


def _offline_version() -> str:
    """Changes whenever a stored static file does, so the worker replaces its caches.

    In production the static names carry a hash of their content already; in development they
    do not, so the content itself is hashed: an edited script reaches the phone on the next
    update check instead of being served from the worker's cache for ever."""
    digest = hashlib.sha256()
    for path in OFFLINE_STATIC:
        digest.update(static(path).encode())
        found = finders.find(path)
        if isinstance(found, str):
            with open(found, "rb") as source:
                digest.update(source.read())
    return digest.hexdigest()[:12]


# Served to anyone signed in (the site-wide LoginRequiredMiddleware), with no role check: it is
# the same text for every user and holds no personal data, only the static URLs and the cache
# rules. When the session has expired the browser's update check is redirected to the sign-in
# page, which it takes as a failed update and keeps the installed worker: what we want offline.
@require_GET
def service_worker(request):
    """The assessor pages' service worker, at /assess/ so that its scope is /assess/."""
    context = {
        "version": _offline_version(),
        "scope": reverse("assessor:tasks"),
        "static_url": settings.STATIC_URL,
        "precache": json.dumps([static(path) for path in OFFLINE_STATIC]),
        "offline_header": OFFLINE_HEADER,
    }
    response = HttpResponse(
        render_to_string("assessment/mobile/sw.js", context),
        content_type="application/javascript; charset=utf-8",
    )
    # The browser must ask every time, or a new version could wait up to a day.
    response["Cache-Control"] = "no-cache"
    return response
