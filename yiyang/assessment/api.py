"""Assessment cases over the API: their conclusions with the explanation of each grade, filing
and deciding applications, and a stateless grader for other systems to re-check a conclusion
(the same engine as `yiyang grade`)."""

import datetime as dt
from typing import Any

from ninja import Field, Path, Query, Router, Schema
from ninja.responses import Status

from yiyang.api.auth import needs
from yiyang.api.pagination import PageParams, page_schema, paginate
from yiyang.api.schemas import Day, InputSchema, answers
from yiyang.assessment import grading, selectors, services
from yiyang.assessment.models import Assessment

router = Router(tags=["assessments"])

CASE_ID = Path(..., ge=1, le=2**63 - 1, description="The case's id.")


class AssessmentListItem(Schema):
    id: int
    number: str
    elder_id: int
    region_code: str
    instrument: str
    instrument_version: str
    trigger: Assessment.Trigger
    status: Assessment.Status
    round: int
    applied_on: dt.date
    due_on: dt.date
    due_provisional: bool
    grade: int | None
    grade_label: str
    valid_from: dt.date | None
    valid_to: dt.date | None
    version: int


AssessmentPage = page_schema("AssessmentPage", AssessmentListItem)


class AssignmentOut(Schema):
    round: int
    assessor: str
    submitted_at: dt.datetime | None
    grade: int | None

    @staticmethod
    def resolve_assessor(obj) -> str:
        return str(obj.assessor)

    @staticmethod
    def resolve_grade(obj) -> int | None:
        return (obj.result or {}).get("grade")


class DiscrepancyOut(Schema):
    round: int
    item: str
    values: dict[str, Any]
    resolved_value: Any = None
    reason: str


class AssessmentOut(AssessmentListItem):
    channel: Assessment.Channel
    applicant_name: str
    acceptance_due: dt.date
    onsite_due: dt.date | None
    decided_on: dt.date | None
    refusal_reason: str
    assessment_org: str | None
    concluded_at: dt.datetime | None
    notice_from: dt.date | None
    notice_to: dt.date | None
    ended_on: dt.date | None
    answers: dict[str, Any] | None = Field(None, description="The reconciled answers.")
    result: dict[str, Any] | None = Field(
        None,
        description="The grade's explanation: scores and levels per form, the matrix cell or "
        "rule that decided (`decided_by`), the rules that raised it (`raised_by`), `reasons`.",
    )
    assignments: list[AssignmentOut]
    discrepancies: list[DiscrepancyOut]
    steps: list[str] = Field(
        ...,
        description="The steps the caller may take on the case now, from its transition table "
        "(`accept`, `refuse`, `draw`, `conclude`, `notice`, `objection`, `effective`, "
        "`withdraw`, ...).",
    )

    @staticmethod
    def resolve_steps(obj, context) -> list[str]:
        return selectors.steps_offered(context["request"].auth, obj)

    @staticmethod
    def resolve_assessment_org(obj) -> str | None:
        return obj.assessment_org.name if obj.assessment_org_id else None

    @staticmethod
    def resolve_assignments(obj):
        return list(obj.assignments.select_related("assessor__user").order_by("round", "id"))

    @staticmethod
    def resolve_discrepancies(obj):
        return list(obj.discrepancies.order_by("round", "id"))


class AssessmentQuery(PageParams):
    status: Assessment.Status | None = None
    instrument: str | None = Field(None, max_length=40)
    region: str | None = Field(
        None, pattern=r"^\d{2,12}$", description="Division code; its whole subtree matches."
    )
    overdue: bool = False


class ApplicationIn(InputSchema):
    elder: int = Field(..., ge=1, le=2**63 - 1, description="The older person's id.")
    instrument: str = Field(..., max_length=40, description="ltc-2021 or gbt-42195-2022.")
    trigger: Assessment.Trigger = Assessment.Trigger.FIRST
    channel: Assessment.Channel = Assessment.Channel.ONLINE
    applicant_name: str = Field(..., max_length=40)
    applicant_relation: str = Field("", max_length=20)
    applicant_phone: str = Field("", max_length=20)
    note: str = Field("", max_length=300)
    applied_on: Day | None = None


class VersionIn(InputSchema):
    version: int = Field(..., ge=1, description="`version` as read; a mismatch answers 409.")


class RefusalIn(VersionIn):
    reason: Assessment.Refusal
    note: str = Field("", max_length=300)


class GradeIn(InputSchema):
    items: dict[str, Any]
    coma: bool | None = None
    diagnoses: list[str] | None = None
    risk_events: dict[str, Any] | None = None


@router.get("", response=answers(AssessmentPage), **needs("assessments.view"))
def assessments(request, params: Query[AssessmentQuery]):
    """Cases in the caller's scope, in id order, a page at a time."""
    filters = selectors.AssessmentFilters(
        status=params.status or "",
        instrument=params.instrument or "",
        region_code=params.region or "",
        overdue=params.overdue,
    )
    return paginate(
        selectors.assessment_list(actor=request.auth, filters=filters),
        kind="assessments",
        cursor=params.cursor,
        limit=params.limit,
    )


@router.get("/{case_id}", response=answers(AssessmentOut, 404), **needs("assessments.view"))
def assessment_detail(request, case_id: int = CASE_ID):
    """One case with its conclusion's explanation, each assessor's grade and the differing items."""
    return selectors.assessment_detail(actor=request.auth, assessment_id=case_id).case


@router.post(
    "", response=answers(AssessmentOut, 400, 409, status=201), **needs("assessments.manage")
)
def application_new(request, payload: ApplicationIn):
    """File an application. Its deadlines are counted in working days from `applied_on` by the
    policy in force; `due_provisional` says the official holiday calendar of a year it reaches
    is not entered yet."""
    values = payload.dict()
    case = services.application_file(
        actor=request.auth,
        data=services.ApplicationData(elder_id=values.pop("elder"), **values),
    )
    return Status(201, case)


@router.post(
    "/{case_id}/accept", response=answers(AssessmentOut, 404, 409), **needs("assessments.manage")
)
def application_accept(request, payload: VersionIn, case_id: int = CASE_ID):
    return services.application_accept(
        actor=request.auth, assessment_id=case_id, version=payload.version
    )


@router.post(
    "/{case_id}/refuse",
    response=answers(AssessmentOut, 400, 404, 409),
    **needs("assessments.manage"),
)
def application_refuse(request, payload: RefusalIn, case_id: int = CASE_ID):
    """Refuse on one of the five grounds; "other" needs a note."""
    return services.application_refuse(
        actor=request.auth,
        assessment_id=case_id,
        reason=payload.reason,
        note=payload.note,
        version=payload.version,
    )


@router.post("/grade/{instrument}", response=answers(dict[str, Any], 400, 404), **needs(None))
def grade(request, payload: GradeIn, instrument: str = Path(..., max_length=40)):
    """Grade a set of answers and explain the result, storing nothing: for other systems and
    auditors re-checking a conclusion (same engine and output as `yiyang grade`)."""
    definition = grading.instrument_load(instrument)
    answers_in = {k: v for k, v in payload.dict().items() if v is not None}
    return grading.answers_grade(instrument=definition, answers=answers_in).as_dict()
