"""The organisation register: care homes, community centres and stations, providers,
medical institutions and bureaus, each seen only inside the caller's region."""

import datetime as dt
from decimal import Decimal

from ninja import Field, Path, Query, Router, Schema
from ninja.responses import Status

from yiyang.api.auth import needs
from yiyang.api.pagination import PageParams, page_schema, paginate
from yiyang.api.schemas import Area, Coordinate, Day, InputSchema, answers
from yiyang.institutions.models import Organisation
from yiyang.institutions.selectors import (
    OrganisationFilters,
    organisation_get,
    organisation_list,
)
from yiyang.institutions.services import (
    OrganisationData,
    organisation_create,
    organisation_update,
)

router = Router(tags=["organisations"])

ORG_ID = Path(..., ge=1, le=2**63 - 1, description="The organisation's id.")


class OrganisationOut(Schema):
    id: int
    name: str
    credit_code: str | None
    kind: Organisation.Kind
    ownership: Organisation.Ownership
    region_code: str
    region_name: str = Field(..., alias="region.name")
    address: str
    lat: Coordinate | None
    lng: Coordinate | None
    land_area: Area | None
    floor_area: Area | None
    beds: int | None
    has_medical_agreement: bool
    licence_number: str
    licence_valid_from: dt.date | None
    licence_valid_to: dt.date | None
    contact_name: str
    contact_phone: str
    is_active: bool
    version: int
    updated_at: dt.datetime


OrganisationPage = page_schema("OrganisationPage", OrganisationOut)


class OrganisationQuery(PageParams):
    kind: Organisation.Kind | None = None
    ownership: Organisation.Ownership | None = None
    region: str | None = Field(
        None, pattern=r"^\d{2,12}$", description="Division code; its whole subtree matches."
    )
    q: str | None = Field(
        None, max_length=60, description="Name (characters or pinyin) or exact credit code."
    )


class OrganisationIn(InputSchema):
    name: str = Field(..., max_length=200)
    kind: Organisation.Kind
    ownership: Organisation.Ownership
    region: str = Field(..., max_length=12, description="Code of a district, street or community.")
    credit_code: str = Field("", max_length=40, description="Unified social credit code.")
    address: str = Field("", max_length=200)
    lat: Decimal | None = None
    lng: Decimal | None = None
    land_area: Decimal | None = Field(None, description="m²")
    floor_area: Decimal | None = Field(None, description="m²")
    beds: int | None = Field(None, ge=0, le=100000)
    has_medical_agreement: bool = False
    licence_number: str = Field("", max_length=60)
    licence_valid_from: Day | None = None
    licence_valid_to: Day | None = None
    contact_name: str = Field("", max_length=40)
    contact_phone: str = Field("", max_length=20)
    is_active: bool = True

    def to_data(self) -> OrganisationData:
        values = self.dict(exclude={"region", "version"})
        return OrganisationData(region_code=self.region, **values)


class OrganisationUpdateIn(OrganisationIn):
    version: int = Field(..., ge=1, description="`version` as read; a mismatch answers 409.")


@router.get("", response=answers(OrganisationPage), **needs("orgs.view"))
def organisations(request, params: Query[OrganisationQuery]):
    """Organisations in the caller's region, in id order, a page at a time."""
    filters = OrganisationFilters(
        q=params.q or "",
        kind=params.kind or "",
        ownership=params.ownership or "",
        region_code=params.region or "",
    )
    return paginate(
        organisation_list(actor=request.auth, filters=filters),
        kind="organisations",
        cursor=params.cursor,
        limit=params.limit,
    )


@router.get("/{organisation_id}", response=answers(OrganisationOut, 404), **needs("orgs.view"))
def organisation_detail(request, organisation_id: int = ORG_ID):
    return organisation_get(actor=request.auth, organisation_id=organisation_id)


@router.post("", response=answers(OrganisationOut, 400, status=201), **needs("orgs.edit"))
def organisation_new(request, payload: OrganisationIn):
    """Register an organisation. The credit code is checked (GB 32100) and must be unique."""
    return Status(201, organisation_create(actor=request.auth, data=payload.to_data()))


@router.put(
    "/{organisation_id}", response=answers(OrganisationOut, 400, 404, 409), **needs("orgs.edit")
)
def organisation_edit(request, payload: OrganisationUpdateIn, organisation_id: int = ORG_ID):
    """Replace an organisation's fields. Send the `version` you read; if someone saved in
    between, the answer is 409 "conflict" and nothing is written."""
    return organisation_update(
        actor=request.auth,
        organisation_id=organisation_id,
        data=payload.to_data(),
        version=payload.version,
    )
