"""Writes to the organisation register."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from yiyang.core import audit
from yiyang.core.exceptions import Conflict, ValidationFailed
from yiyang.core.pinyin import name_initials, name_pinyin
from yiyang.core.scoping import Actor, region_in_scope, require, scoped_get
from yiyang.core.validation import clean_date, clean_decimal, clean_phone
from yiyang.regions.models import Region

from .creditcode import CreditCodeError, credit_code_validate
from .errors import CREDIT_CODE_REASONS
from .models import Organisation

FIELDS = (
    "name",
    "credit_code",
    "kind",
    "ownership",
    "region",
    "address",
    "lat",
    "lng",
    "land_area",
    "floor_area",
    "beds",
    "has_medical_agreement",
    "licence_number",
    "licence_valid_from",
    "licence_valid_to",
    "contact_name",
    "contact_phone",
    "is_active",
)


@dataclass
class OrganisationData:
    name: str
    kind: str
    ownership: str
    region_code: str
    credit_code: str = ""
    address: str = ""
    lat: Decimal | str | None = None
    lng: Decimal | str | None = None
    land_area: Decimal | str | None = None
    floor_area: Decimal | str | None = None
    beds: int | str | None = None
    has_medical_agreement: bool = False
    licence_number: str = ""
    licence_valid_from: dt.date | None = None
    licence_valid_to: dt.date | None = None
    contact_name: str = ""
    contact_phone: str = ""
    is_active: bool = True


def _number(raw, name, errors, *, low=Decimal(0), high=Decimal("99999999"), places="0.01"):
    return clean_decimal(raw, field=name, errors=errors, low=low, high=high, places=places)


def organisation_clean(
    *,
    actor: Actor,
    data: OrganisationData,
    current: Organisation | None = None,
    regions: dict | None = None,
) -> dict:
    errors: dict[str, str] = {}
    name = " ".join((data.name or "").split())
    if not name:
        errors["name"] = _("Enter the name.")
    elif len(name) > 120:
        errors["name"] = _("At most 120 characters.")
    credit_code = None
    if (data.credit_code or "").strip():
        try:
            credit_code = credit_code_validate(data.credit_code)
        except CreditCodeError as exc:
            errors["credit_code"] = str(CREDIT_CODE_REASONS[exc.reason])
        else:
            clash = Organisation.objects.filter(credit_code=credit_code)
            if current is not None:
                clash = clash.exclude(pk=current.pk)
            if clash.exists():
                errors["credit_code"] = str(CREDIT_CODE_REASONS["duplicate"])
    if data.kind not in Organisation.Kind.values:
        errors["kind"] = _("Choose one of the listed options.")
    if data.ownership not in Organisation.Ownership.values:
        errors["ownership"] = _("Choose one of the listed options.")
    region = None
    code = (data.region_code or "").strip()
    if not code:
        errors["region"] = _("Choose the region.")
    else:
        region = (
            regions.get(code) if regions is not None else Region.objects.filter(code=code).first()
        )
        if region is None:
            errors["region"] = _("There is no region with this code.")
        elif region.level < Region.Level.DISTRICT:
            errors["region"] = _("Choose a district, street or community.")
        elif not region_in_scope(actor, region.code):
            errors["region"] = _("This region is outside your own.")
    lat = _number(data.lat, "lat", errors, low=Decimal(3), high=Decimal(54), places="0.000001")
    lng = _number(data.lng, "lng", errors, low=Decimal(73), high=Decimal(136), places="0.000001")
    land_area = _number(data.land_area, "land_area", errors)
    floor_area = _number(data.floor_area, "floor_area", errors)
    beds = _number(data.beds, "beds", errors, high=Decimal(100000), places="1")
    valid_from = clean_date(data.licence_valid_from, field="licence_valid_from", errors=errors)
    valid_to = clean_date(data.licence_valid_to, field="licence_valid_to", errors=errors)
    if valid_from and valid_to and valid_to < valid_from:
        errors["licence_valid_to"] = _("The end date is before the start date.")
    phone = clean_phone(data.contact_phone, field="contact_phone", errors=errors)
    if len(" ".join((data.address or "").split())) > 200:
        errors["address"] = _("At most 200 characters.")
    if region is not None and not errors:
        clash = Organisation.objects.filter(region=region, name=name)
        if current is not None:
            clash = clash.exclude(pk=current.pk)
        if clash.exists():
            errors["name"] = _("An organisation of this name is already registered here.")
    if errors or region is None:
        raise ValidationFailed(fields=errors)
    return {
        "name": name,
        "credit_code": credit_code,
        "kind": data.kind,
        "ownership": data.ownership,
        "region": region,
        "address": " ".join((data.address or "").split()),
        "lat": lat if lat is not None else region.lat,
        "lng": lng if lng is not None else region.lng,
        "land_area": land_area,
        "floor_area": floor_area,
        "beds": int(beds) if beds is not None else None,
        "has_medical_agreement": bool(data.has_medical_agreement),
        "licence_number": (data.licence_number or "").strip()[:60],
        "licence_valid_from": data.licence_valid_from,
        "licence_valid_to": data.licence_valid_to,
        "contact_name": (data.contact_name or "").strip()[:40],
        "contact_phone": phone,
        "is_active": bool(data.is_active),
    }


def organisation_snapshot(org: Organisation) -> dict:
    """The fields as history records them (shared by the form and bulk import)."""
    return {
        k: (str(v) if v is not None and not isinstance(v, bool | int | str) else v)
        for k, v in ((f, getattr(org, f)) for f in FIELDS)
    }


def organisation_apply(*, org: Organisation, values: dict) -> dict:
    """Set cleaned values on a loaded Organisation, unsaved; returns the history's changes."""
    before = organisation_snapshot(org)
    for key, value in values.items():
        setattr(org, key, value)
    org.region_code = org.region.code
    org.name_pinyin = name_pinyin(org.name, is_person=False)
    org.name_initials = name_initials(org.name, is_person=False)
    return audit.diff(before, organisation_snapshot(org))


def organisation_build(*, values: dict) -> Organisation:
    org = Organisation(**values)
    org.region_code = values["region"].code
    org.name_pinyin = name_pinyin(org.name, is_person=False)
    org.name_initials = name_initials(org.name, is_person=False)
    return org


@transaction.atomic
def organisation_create(*, actor: Actor, data: OrganisationData) -> Organisation:
    require(actor, "orgs.edit")
    org = organisation_build(values=organisation_clean(actor=actor, data=data))
    try:
        with transaction.atomic():
            org.save()
    except IntegrityError as exc:
        raise ValidationFailed(
            fields={"credit_code": str(CREDIT_CODE_REASONS["duplicate"])}
        ) from exc
    audit.record_change(
        actor=actor, entity=org, action="create", changes=audit.diff({}, organisation_snapshot(org))
    )
    return org


@transaction.atomic
def organisation_update(
    *, actor: Actor, organisation_id: int, data: OrganisationData, version: int | None = None
) -> Organisation:
    require(actor, "orgs.edit")
    org = scoped_get(Organisation.objects.select_for_update(), actor, pk=organisation_id)
    if version is not None and version != org.version:
        raise Conflict()
    values = organisation_clean(actor=actor, data=data, current=org)
    changes = organisation_apply(org=org, values=values)
    if changes:
        org.version += 1
        org.save()
        audit.record_change(actor=actor, entity=org, action="update", changes=changes)
    return org
