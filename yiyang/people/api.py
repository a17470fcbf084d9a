"""The elder registry over the API. ID numbers leave masked; the full number and the health
profile are separate, logged reads (channel "api")."""

import datetime as dt
from decimal import Decimal

from django.http import HttpResponse
from ninja import Field, Path, Query, Router, Schema
from ninja.responses import Status

from yiyang.api.auth import needs
from yiyang.api.pagination import PageParams, page_schema, paginate
from yiyang.api.schemas import Coordinate, Day, InputSchema, answers
from yiyang.core.http import client_ip
from yiyang.people.models import Elder, Fact, Guardian
from yiyang.people.selectors import (
    ElderFilters,
    elder_get,
    elder_list,
    fact_rows,
    guardian_list,
)
from yiyang.people.services import (
    ElderData,
    elder_change_status,
    elder_create,
    elder_reveal_id_number,
    elder_update,
    guardian_add,
    health_profile_read,
)

router = Router(tags=["elders"])

ELDER_ID = Path(..., ge=1, le=2**63 - 1, description="The older person's id.")


def _private(response: HttpResponse) -> None:
    # Sensitive answers must not linger in shared caches or the browser's history.
    response["Cache-Control"] = "no-store"


class ElderListItem(Schema):
    id: int
    name: str
    sex: Elder.Sex
    birth_date: dt.date
    id_number_masked: str
    region_code: str
    status: Elder.Status
    living_arrangement: Elder.Living
    economic_status: Elder.Economic
    lives_alone: bool
    version: int


# The columns ElderListItem reads: a list page touches nothing else (no join, no cipher).
ELDER_LIST_COLUMNS = tuple(ElderListItem.model_fields)

ElderPage = page_schema("ElderPage", ElderListItem)


class ElderOut(Schema):
    id: int
    name: str
    name_pinyin: str
    id_number_masked: str
    birth_date: dt.date
    sex: Elder.Sex
    ethnicity: str
    phone: str
    region_code: str
    region_name: str = Field(..., alias="region.name")
    address: str
    lat: Coordinate | None
    lng: Coordinate | None
    lives_alone: bool
    empty_nest: bool
    special_family: bool
    economic_status: Elder.Economic
    insurance: Elder.Insurance
    living_arrangement: Elder.Living
    institution_id: int | None
    institution_name: str | None = None
    ability_level: int | None
    disability_grade: int | None
    status: Elder.Status
    status_date: dt.date | None
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_institution_name(obj) -> str | None:
        return obj.institution.name if obj.institution_id else None


class ElderQuery(PageParams):
    status: Elder.Status | None = None
    region: str | None = Field(
        None, pattern=r"^\d{2,12}$", description="Division code; its whole subtree matches."
    )
    living_arrangement: Elder.Living | None = None
    economic_status: Elder.Economic | None = None
    sex: Elder.Sex | None = None
    q: str | None = Field(
        None,
        max_length=40,
        description="Name from its first character, full pinyin or initials, "
        "or a full 18-character ID number (exact match through its keyed hash).",
    )
    as_of: Day | None = Field(
        None,
        description="Filter region, status, living_arrangement and economic_status by what "
        "held on this day (the dated facts) instead of today's values.",
    )


class ElderFields(InputSchema):
    """What an officer may set; birth date and sex come from the ID number."""

    name: str = Field(..., max_length=100)
    region: str = Field(..., max_length=12, description="Code of the community or village.")
    address: str = Field(..., max_length=200)
    phone: str = Field("", max_length=20)
    ethnicity: str = Field("汉族", max_length=20)
    lat: Decimal | None = None
    lng: Decimal | None = None
    lives_alone: bool = False
    empty_nest: bool = False
    special_family: bool = False
    economic_status: Elder.Economic = Elder.Economic.ORDINARY
    insurance: Elder.Insurance = Elder.Insurance.RESIDENT
    living_arrangement: Elder.Living = Elder.Living.HOME
    institution: int | None = Field(
        None, ge=1, le=2**63 - 1, description="Organisation id, for community or institution care."
    )
    facts_from: Day | None = Field(
        None,
        description="The day a change of economic_status, insurance, living_arrangement or "
        "region holds from (the dated facts); today when left out, never in the future.",
    )

    def to_data(self) -> ElderData:
        values = self.dict(exclude={"region", "institution", "version"})
        values.setdefault("id_number", "")  # an update never touches the ID number
        return ElderData(region_code=self.region, institution_id=self.institution, **values)


class ElderIn(ElderFields):
    id_number: str = Field(..., max_length=40, description="National ID number (18 characters).")
    birth_date: Day | None = Field(None, description="Optional; must match the ID number.")
    sex: Elder.Sex | None = Field(None, description="Optional; must match the ID number.")


class ElderUpdateIn(ElderFields):
    version: int = Field(..., ge=1, description="`version` as read; a mismatch answers 409.")


class StatusIn(InputSchema):
    status: Elder.Status
    status_date: Day
    note: str = Field("", max_length=500)


class RevealIn(InputSchema):
    reason: str = Field(..., max_length=500, description="Why the full number is needed (logged).")


class RevealOut(Schema):
    id_number: str


class HealthQuery(InputSchema):
    reason: str = Field("", max_length=500, description="Why it is read (logged).")


class HealthOut(Schema):
    chronic_conditions: str
    medications: str
    allergies: str
    blood_type: str
    notes: str
    updated_at: dt.datetime


class GuardianOut(Schema):
    id: int
    name: str
    relation: Guardian.Relation
    phone: str
    is_guardian: bool
    is_emergency_contact: bool
    priority: int
    has_account: bool

    @staticmethod
    def resolve_has_account(obj) -> bool:
        return obj.account_id is not None


class GuardianIn(InputSchema):
    name: str = Field(..., max_length=40)
    relation: Guardian.Relation
    phone: str = Field(..., max_length=20)
    is_guardian: bool = False
    is_emergency_contact: bool = True
    priority: int = Field(1, ge=1, le=9, description="Call order, 1 first.")


class FactOut(Schema):
    kind: Fact.Kind
    value: str = Field(..., description="A choice code, a community code, or a grade.")
    valid_from: dt.date
    valid_to: dt.date | None = Field(..., description="The first day it no longer held.")
    source: str
    reference: str
    superseded: bool = Field(..., description="A later statement from an earlier day replaced it.")

    @staticmethod
    def resolve_superseded(obj) -> bool:
        return obj.superseded_at is not None


class FactQuery(InputSchema):
    on: Day | None = Field(None, description="Only the facts that held on this day.")


@router.get("", response=answers(ElderPage), **needs("elders.view"))
def elders(request, params: Query[ElderQuery]):
    """Older people in the caller's scope, in id order, a page at a time (no total count:
    on a city's million rows a count costs more than the page)."""
    filters = ElderFilters(
        as_of=params.as_of,
        q=params.q or "",
        region_code=params.region or "",
        status=params.status or "",
        living_arrangement=params.living_arrangement or "",
        economic_status=params.economic_status or "",
        sex=params.sex or "",
    )
    return paginate(
        elder_list(actor=request.auth, filters=filters),
        kind="elders",
        cursor=params.cursor,
        limit=params.limit,
        only=ELDER_LIST_COLUMNS,
    )


@router.get("/{elder_id}", response=answers(ElderOut, 404), **needs("elders.view"))
def elder_detail(request, elder_id: int = ELDER_ID):
    """One older person; the ID number is masked (see reveal-id)."""
    return elder_get(actor=request.auth, elder_id=elder_id)


@router.post("", response=answers(ElderOut, 400, status=201), **needs("elders.edit"))
def elder_new(request, payload: ElderIn):
    """Register an older person. The ID number is checked (GB 11643 check character, birth
    date, area) and must be new; birth date and sex are taken from it."""
    return Status(201, elder_create(actor=request.auth, data=payload.to_data()))


@router.put("/{elder_id}", response=answers(ElderOut, 400, 404, 409), **needs("elders.edit"))
def elder_edit(request, payload: ElderUpdateIn, elder_id: int = ELDER_ID):
    """Replace the editable fields. Send the `version` you read: a mismatch answers 409
    "conflict"; a moved-out or deceased record answers 409 "elder_not_editable"."""
    return elder_update(
        actor=request.auth,
        elder_id=elder_id,
        data=payload.to_data(),
        version=payload.version,
    )


@router.post("/{elder_id}/status", response=answers(ElderOut, 400, 404), **needs("elders.edit"))
def elder_status(request, payload: StatusIn, elder_id: int = ELDER_ID):
    """Moved out, deceased, or back to active, with the date; a death is final."""
    return elder_change_status(
        actor=request.auth,
        elder_id=elder_id,
        status=payload.status,
        on=payload.status_date,
        note=payload.note,
    )


@router.post(
    "/{elder_id}/reveal-id", response=answers(RevealOut, 400, 404), **needs("elders.reveal_id")
)
def elder_reveal_id(request, response: HttpResponse, payload: RevealIn, elder_id: int = ELDER_ID):
    """The full ID number, for a stated reason. Every call is written to the read log."""
    _private(response)
    number = elder_reveal_id_number(
        actor=request.auth,
        elder_id=elder_id,
        reason=payload.reason,
        ip=client_ip(request),
        channel="api",
    )
    return {"id_number": number}


@router.get("/{elder_id}/health", response=answers(HealthOut, 404), **needs("elders.health"))
def elder_health(
    request,
    response: HttpResponse,
    params: Query[HealthQuery],
    elder_id: int = ELDER_ID,
):
    """The health profile. Every read is written to the read log."""
    _private(response)
    return health_profile_read(
        actor=request.auth,
        elder_id=elder_id,
        reason=params.reason,
        ip=client_ip(request),
        channel="api",
    )


@router.get("/{elder_id}/facts", response=answers(list[FactOut], 404), **needs("elders.view"))
def elder_facts(request, params: Query[FactQuery], elder_id: int = ELDER_ID):
    """What held of the person when: economic situation, insurance, living arrangement,
    residence, status and grades, each from a day until a day; superseded ones included."""
    return fact_rows(actor=request.auth, elder_id=elder_id, on=params.on)


@router.get(
    "/{elder_id}/guardians", response=answers(list[GuardianOut], 404), **needs("elders.view")
)
def elder_guardians(request, elder_id: int = ELDER_ID):
    """Guardians and emergency contacts, in call order."""
    return guardian_list(actor=request.auth, elder_id=elder_id)


@router.post(
    "/{elder_id}/guardians",
    response=answers(GuardianOut, 400, 404, status=201),
    **needs("elders.edit"),
)
def elder_guardian_new(request, payload: GuardianIn, elder_id: int = ELDER_ID):
    """Add a guardian or emergency contact."""
    guardian = guardian_add(actor=request.auth, elder_id=elder_id, **payload.dict())
    return Status(201, guardian)
