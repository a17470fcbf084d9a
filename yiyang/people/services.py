"""Writes to the elder registry. Each function checks the actor's right, validates every
field (collecting all errors at once), writes, and records the change in the history."""

import datetime as dt
from collections import defaultdict
from collections.abc import Container, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yiyang.accounts.models import User, account_of
from yiyang.accounts.roles import Role
from yiyang.core import audit, crypto
from yiyang.core.exceptions import ValidationFailed
from yiyang.core.pinyin import name_initials, name_pinyin
from yiyang.core.scoping import Actor, region_in_scope, require, scoped_get
from yiyang.core.timeutils import age_on, local_today
from yiyang.core.validation import clean_decimal, clean_phone, phone_digits
from yiyang.institutions.models import Organisation
from yiyang.regions.models import Region

from . import idnumbers
from .errors import ID_REASONS, ElderNotEditable, StaleVersion
from .models import Elder, Fact, Guardian, HealthProfile

MINIMUM_AGE = 60
COORDINATE = "0.000001"

# Fields an officer may set directly; the ID-derived ones (birth date, sex) are not here.
EDITABLE = (
    "name",
    "ethnicity",
    "phone",
    "region",
    "address",
    "lat",
    "lng",
    "lives_alone",
    "empty_nest",
    "special_family",
    "economic_status",
    "insurance",
    "living_arrangement",
    "institution",
)
HISTORY_HIDDEN = ("id_number",)

audit.register_notes(
    {
        "health profile": gettext_lazy("Health profile"),
        "guardian added": gettext_lazy("Guardian or contact added"),
        "guardian removed": gettext_lazy("Guardian or contact removed"),
        "import": gettext_lazy("import"),
    }
)
# What an older person's history writes besides the Elder's own fields: the health profile's
# fields and the guardians.
audit.register_change_labels(
    "people.elder",
    {
        **{f.name: f.verbose_name for f in HealthProfile._meta.get_fields() if f.concrete},
        "guardian": Guardian._meta.verbose_name,
    },
)


@dataclass
class ElderData:
    """Everything an officer types on the registration form or in an import row."""

    name: str
    id_number: str
    region_code: str
    address: str
    phone: str = ""
    ethnicity: str = "汉族"
    lat: Decimal | str | None = None
    lng: Decimal | str | None = None
    lives_alone: bool = False
    empty_nest: bool = False
    special_family: bool = False
    economic_status: str = Elder.Economic.ORDINARY
    insurance: str = Elder.Insurance.RESIDENT
    living_arrangement: str = Elder.Living.HOME
    institution_id: int | None = None
    birth_date: dt.date | None = None  # optional: when given, it must match the ID number
    sex: str | None = None  # optional: when given, it must match the ID number
    health: dict = field(default_factory=dict)
    # The day a change of economic situation, insurance, living arrangement or residence holds
    # from (today when not stated); a new record's facts hold from it too.
    facts_from: dt.date | None = None


@dataclass
class Cleaned:
    values: dict
    id_number: idnumbers.IdNumber | None
    region: Region
    institution: Organisation | None
    facts_from: dt.date


def elder_clean(
    *,
    actor: Actor,
    data: ElderData,
    current: Elder | None = None,
    regions: dict | None = None,
    known_id_hashes: Container[str] | None = None,
    institutions: dict | None = None,
) -> Cleaned:
    """Validate every field and return clean values, or raise ValidationFailed naming each
    bad field and its reason. `regions` lets a bulk import pass a pre-fetched code map;
    `known_id_hashes` (the search hashes already on record) and `institutions` (pk ->
    Organisation) spare it the per-row queries."""
    errors: dict[str, str] = {}
    today = local_today()
    name = " ".join((data.name or "").split())
    if not name:
        errors["name"] = _("Enter the name.")
    elif len(name) > 40:
        errors["name"] = _("At most 40 characters.")

    parsed = None
    if current is None:
        raw = (data.id_number or "").strip()
        if not raw:
            errors["id_number"] = str(ID_REASONS["required"])
        else:
            try:
                parsed = idnumbers.parse(raw, today=today)
            except idnumbers.IdNumberError as exc:
                errors["id_number"] = str(ID_REASONS[exc.reason])
            else:
                if age_on(parsed.birth_date, today) < MINIMUM_AGE:
                    errors["id_number"] = str(ID_REASONS["too_young"])
                elif data.birth_date and data.birth_date != parsed.birth_date:
                    errors["birth_date"] = str(ID_REASONS["birth_mismatch"])
                elif data.sex and data.sex != parsed.sex:
                    errors["sex"] = str(ID_REASONS["sex_mismatch"])
                elif (
                    crypto.search_hash(parsed.number) in known_id_hashes
                    if known_id_hashes is not None
                    else Elder.objects.filter(
                        id_number_hash=crypto.search_hash(parsed.number)
                    ).exists()
                ):
                    errors["id_number"] = str(ID_REASONS["duplicate"])

    region = None
    code = (data.region_code or "").strip()
    if not code:
        errors["region"] = _("Choose the community or village.")
    else:
        region = (
            regions.get(code) if regions is not None else Region.objects.filter(code=code).first()
        )
        if region is None:
            errors["region"] = _("There is no community or village with this code.")
        elif region.level != Region.Level.COMMUNITY:
            errors["region"] = _("Choose a community or village, not a higher division.")
        elif not region_in_scope(actor, region.code):
            errors["region"] = _("This community is outside your region.")

    address = " ".join((data.address or "").split())
    if not address:
        errors["address"] = _("Enter the home address.")
    elif len(address) > 200:
        errors["address"] = _("At most 200 characters.")
    phone = clean_phone(data.phone, field="phone", errors=errors)
    lat = clean_decimal(
        data.lat, field="lat", errors=errors, low=Decimal(3), high=Decimal(54), places=COORDINATE
    )
    lng = clean_decimal(
        data.lng, field="lng", errors=errors, low=Decimal(73), high=Decimal(136), places=COORDINATE
    )

    for name_, choices in (
        ("economic_status", Elder.Economic),
        ("insurance", Elder.Insurance),
        ("living_arrangement", Elder.Living),
    ):
        if getattr(data, name_) not in choices.values:
            errors[name_] = _("Choose one of the listed options.")

    institution = None
    if data.living_arrangement in (Elder.Living.INSTITUTION, Elder.Living.COMMUNITY):
        if data.institution_id:
            institution = (
                institutions.get(data.institution_id)
                if institutions is not None
                else Organisation.objects.filter(pk=data.institution_id).first()
            )
            if institution is None or not region_in_scope(actor, institution.region_code):
                errors["institution"] = _("Choose an organisation in your region.")
        elif data.living_arrangement == Elder.Living.INSTITUTION:
            errors["institution"] = _("Choose the institution the person lives in.")

    facts_from = facts_from_clean(data.facts_from, errors=errors)
    born = current.birth_date if current is not None else parsed.birth_date if parsed else None
    if born is not None and "facts_from" not in errors and facts_from < born:
        errors["facts_from"] = _("The date cannot be before the date of birth.")

    if errors or region is None:
        raise ValidationFailed(fields=errors)
    values = {
        "name": name,
        "ethnicity": (data.ethnicity or "汉族").strip()[:20],
        "phone": phone,
        "region": region,
        "address": address,
        "lat": lat if lat is not None else region.lat,
        "lng": lng if lng is not None else region.lng,
        "lives_alone": bool(data.lives_alone),
        "empty_nest": bool(data.empty_nest),
        "special_family": bool(data.special_family),
        "economic_status": data.economic_status,
        "insurance": data.insurance,
        "living_arrangement": data.living_arrangement,
        "institution": institution,
    }
    return Cleaned(
        values=values,
        id_number=parsed,
        region=region,
        institution=institution,
        facts_from=facts_from,
    )


def elder_snapshot(elder: Elder) -> dict:
    """The editable fields as history records them (shared by the form and bulk import)."""
    snap = {}
    for name in EDITABLE:
        value = getattr(elder, name)
        if isinstance(value, Region | Organisation | Decimal):
            value = str(value)
        snap[name] = value
    snap["status"] = elder.status
    return snap


def elder_derived(
    *, name: str, region_code: str, phone: str = "", number: idnumbers.IdNumber | None = None
) -> dict:
    """The columns a record derives from its name, community, phone and ID number: the search
    keys, the denormalised region code that scoping reads, the ID number encrypted, hashed for
    search and masked, and the birth date and sex it carries. The form, the import and the demo
    city all build people with this."""
    values: dict[str, object] = {
        "region_code": region_code,
        "name_pinyin": name_pinyin(name),
        "name_initials": name_initials(name),
        "phone_digits": phone_digits(phone),
    }
    if number is not None:
        values.update(
            id_number_cipher=crypto.encrypt(number.number),
            id_number_hash=crypto.search_hash(number.number),
            id_number_masked=number.masked,
            birth_date=number.birth_date,
            sex=number.sex,
        )
    return values


def elder_apply(*, elder: Elder, cleaned: Cleaned) -> dict:
    """Set cleaned values on a loaded Elder, unsaved; returns the history's changes (empty
    when nothing changed). Shared by elder_update and bulk import."""
    before = elder_snapshot(elder)
    for key, value in cleaned.values.items():
        setattr(elder, key, value)
    derived = elder_derived(name=elder.name, region_code=cleaned.region.code, phone=elder.phone)
    for key, value in derived.items():
        setattr(elder, key, value)
    return audit.diff(before, elder_snapshot(elder))


def elder_build(*, cleaned: Cleaned) -> Elder:
    """An unsaved Elder from cleaned values (shared by the form and bulk import)."""
    if cleaned.id_number is None:  # cleaned with `current`: an edit, which elder_apply makes
        raise ValueError("elder_build makes a new record: clean its data without `current`")
    return Elder(
        **cleaned.values,
        **elder_derived(
            name=cleaned.values["name"],
            region_code=cleaned.region.code,
            phone=cleaned.values["phone"],
            number=cleaned.id_number,
        ),
    )


@transaction.atomic
def elder_create(*, actor: Actor, data: ElderData) -> Elder:
    require(actor, "elders.edit")
    cleaned = elder_clean(actor=actor, data=data)
    elder = elder_build(cleaned=cleaned)
    try:
        with transaction.atomic():
            elder.save()
    except IntegrityError as exc:  # two officers registering the same person at once
        raise ValidationFailed(fields={"id_number": str(ID_REASONS["duplicate"])}) from exc
    facts_file_opening(elder, on=cleaned.facts_from, source=Fact.Source.REGISTRY, actor=actor)
    if data.health:
        HealthProfile.objects.create(elder=elder, **_health_values(data.health))
    audit.record_change(
        actor=actor, entity=elder, action="create", changes=audit.diff({}, elder_snapshot(elder))
    )
    return elder


def elder_get_for_update(*, actor: Actor, elder_id: int) -> Elder:
    require(actor, "elders.edit")
    qs = Elder.objects.select_for_update()
    return scoped_get(qs, actor, pk=elder_id)


@transaction.atomic
def elder_update(
    *, actor: Actor, elder_id: int, data: ElderData, version: int | None = None
) -> Elder:
    elder = elder_get_for_update(actor=actor, elder_id=elder_id)
    if elder.status != Elder.Status.ACTIVE:
        raise ElderNotEditable()
    if version is not None and version != elder.version:
        raise StaleVersion()
    cleaned = elder_clean(actor=actor, data=data, current=elder)
    before = fact_values(elder)
    changes = elder_apply(elder=elder, cleaned=cleaned)
    if not changes:
        return elder
    changed = facts_changed(before, fact_values(elder))
    facts_record(
        [(elder, changed)], on=cleaned.facts_from, source=Fact.Source.REGISTRY, actor=actor
    )
    if changed and cleaned.facts_from != local_today():
        changes["facts_from"] = [None, cleaned.facts_from.isoformat()]
    elder.version += 1
    elder.save()
    audit.record_change(actor=actor, entity=elder, action="update", changes=changes)
    return elder


@transaction.atomic
def elder_change_status(
    *, actor: Actor, elder_id: int, status: str, on: dt.date, note: str = ""
) -> Elder:
    """Move out, death, or a return to active; the date is required and kept."""
    elder = elder_get_for_update(actor=actor, elder_id=elder_id)
    errors = {}
    if status not in Elder.Status.values:
        errors["status"] = _("Choose one of the listed options.")
    elif status == elder.status:
        errors["status"] = _("The record already has this status.")
    if on is None:
        errors["status_date"] = _("Enter the date.")
    elif on > local_today():
        errors["status_date"] = _("The date cannot be in the future.")
    elif on < elder.birth_date:
        errors["status_date"] = _("The date cannot be before the date of birth.")
    if elder.status == Elder.Status.DECEASED and not errors:
        errors["status"] = _("A death on record is final; correct it through the audit office.")
    if errors:
        raise ValidationFailed(fields=errors)
    before = {"status": elder.status, "status_date": str(elder.status_date or "")}
    facts_record(
        [(elder, {Fact.Kind.STATUS: status})], on=on, source=Fact.Source.REGISTRY, actor=actor
    )
    elder.status_date = on
    elder.version += 1
    elder.save(update_fields=["status", "status_date", "version", "updated_at"])
    audit.record_change(
        actor=actor,
        entity=elder,
        action="status",
        note=note,
        changes=audit.diff(before, {"status": status, "status_date": str(on)}),
    )
    return elder


def elder_reveal_id_number(
    *, actor: Actor, elder_id: int, reason: str, ip: str | None = None, channel: str = "web"
) -> str:
    """The full number, for a stated reason, logged. Outsiders get NotFound as everywhere."""
    require(actor, "elders.reveal_id")
    # Scope first: an outsider learns nothing, not even whether the reason would have passed.
    elder = scoped_get(Elder.objects.all(), actor, pk=elder_id)
    reason = " ".join((reason or "").split())
    if len(reason) < 4:
        raise ValidationFailed(fields={"reason": _("State why you need the full number.")})
    audit.record_read(
        actor=actor, kind="id_number", entity=elder, reason=reason, ip=ip, channel=channel
    )
    return crypto.decrypt(elder.id_number_cipher)


def _health_values(data: dict) -> dict:
    keys = ("chronic_conditions", "medications", "allergies", "blood_type", "notes")
    return {k: str(data.get(k) or "").strip() for k in keys}


def health_profile_read(
    *, actor: Actor, elder_id: int, reason: str = "", ip: str | None = None, channel: str = "web"
) -> HealthProfile:
    """Health data is read deliberately and every read is logged."""
    require(actor, "elders.health")
    elder = scoped_get(Elder.objects.all(), actor, pk=elder_id)
    profile, _created = HealthProfile.objects.get_or_create(elder=elder)
    audit.record_read(
        actor=actor, kind="health", entity=elder, reason=reason, ip=ip, channel=channel
    )
    return profile


@transaction.atomic
def health_profile_update(*, actor: Actor, elder_id: int, data: dict) -> HealthProfile:
    elder = elder_get_for_update(actor=actor, elder_id=elder_id)
    profile, _created = HealthProfile.objects.get_or_create(elder=elder)
    values = _health_values(data)
    if len(values["blood_type"]) > 8:
        raise ValidationFailed(fields={"blood_type": _("At most 8 characters.")})
    before = {k: getattr(profile, k) for k in values}
    for k, v in values.items():
        setattr(profile, k, v)
    profile.save()
    # The history says which health fields changed, never their contents.
    audit.record_change(
        actor=actor,
        entity=elder,
        action="update",
        note="health profile",
        changes=audit.diff(before, values, hidden=values.keys()),
    )
    return profile


NAME_MAX = 40  # Guardian.name's max_length


def guardian_clean(
    *, name: str, relation: str, phone: str, priority=1, errors: dict | None = None
) -> dict:
    """A guardian's or contact's name, relation, phone and call order, clean, or
    ValidationFailed naming each bad field (with any `errors` found before). The form and the
    registry import both file guardians through it."""
    errors = dict(errors or {})
    name = " ".join((name or "").split())
    if not name:
        errors["name"] = _("Enter the name.")
    elif len(name) > NAME_MAX:
        errors["name"] = _("At most 40 characters.")
    if relation not in Guardian.Relation.values:
        errors["relation"] = _("Choose one of the listed options.")
    phone = clean_phone(phone, field="phone", errors=errors, required=True)
    try:
        priority = int(priority or 0)
    except (TypeError, ValueError):
        priority = 0
    if not (1 <= priority <= 9):
        errors["priority"] = _("Must be between 1 and 9.")
    if errors:
        raise ValidationFailed(fields=errors)
    return {"name": name, "relation": relation, "phone": phone, "priority": priority}


@transaction.atomic
def guardian_add(
    *,
    actor: Actor,
    elder_id: int,
    name: str,
    relation: str,
    phone: str,
    is_guardian: bool = False,
    is_emergency_contact: bool = True,
    priority: int = 1,
    account=None,
    account_username: str = "",
) -> Guardian:
    """A guardian or contact; `account_username` links a family account (role family, in the
    officer's region), which then sees this person's record."""
    elder = elder_get_for_update(actor=actor, elder_id=elder_id)
    errors: dict[str, str] = {}
    if account is None and (account_username or "").strip():
        account = (
            User.objects.filter(username=account_username.strip(), role=Role.FAMILY)
            .only("id", "region_code", "username")
            .first()
        )
        if account is None or not region_in_scope(actor, account.region_code):
            errors["account_username"] = _(
                "There is no family account with this user name in your region."
            )
    values = guardian_clean(
        name=name, relation=relation, phone=phone, priority=priority, errors=errors
    )
    guardian = Guardian.objects.create(
        elder=elder,
        is_guardian=is_guardian,
        is_emergency_contact=is_emergency_contact,
        account=account,
        **values,
    )
    audit.record_change(
        actor=actor,
        entity=elder,
        action="update",
        note="guardian added",
        changes={"guardian": [None, str(guardian)]},
    )
    return guardian


@transaction.atomic
def guardian_remove(*, actor: Actor, elder_id: int, guardian_id: int) -> None:
    elder = elder_get_for_update(actor=actor, elder_id=elder_id)
    guardian = Guardian.objects.filter(elder=elder, pk=guardian_id).first()
    if guardian is None:
        from yiyang.core.exceptions import NotFound

        raise NotFound()
    label = str(guardian)
    guardian.delete()
    audit.record_change(
        actor=actor,
        entity=elder,
        action="update",
        note="guardian removed",
        changes={"guardian": [label, None]},
    )


# --- Dated facts (docs/decisions/0011-facts-about-people-are-dated.md) ---------------------------

# The Elder column that holds each fact's value today.
FACT_COLUMNS: dict[str, str] = {
    Fact.Kind.ECONOMIC: "economic_status",
    Fact.Kind.INSURANCE: "insurance",
    Fact.Kind.LIVING: "living_arrangement",
    Fact.Kind.RESIDENCE: "region_code",
    Fact.Kind.STATUS: "status",
    Fact.Kind.ABILITY: "ability_level",
    Fact.Kind.DISABILITY: "disability_grade",
}
_GRADES = (Fact.Kind.ABILITY, Fact.Kind.DISABILITY)


def fact_values(values: Mapping[str, object] | Elder) -> dict[str, str]:
    """The facts a person's columns state, kind -> value as facts keep it; a column without a
    value (no grade yet) states none."""
    get = values.get if isinstance(values, Mapping) else lambda c: getattr(values, c, None)
    out = {}
    for kind, column in FACT_COLUMNS.items():
        value = get(column)
        if value is not None and value != "":
            out[kind] = str(value)
    return out


def facts_opening(
    values: Mapping[str, object],
    *,
    on: dt.date,
    source: str,
    reference: str = "",
    recorded_at: dt.datetime,
    recorded_by_id: int | None = None,
) -> list[dict]:
    """The fact rows of a person filed now (without their elder): each column's value holds
    from `on`; a person filed as moved out or deceased was active until their status date.
    The form, the import and the demo city all file people's first facts with this."""
    base = {
        "source": source,
        "reference": reference,
        "recorded_at": recorded_at,
        "recorded_by_id": recorded_by_id,
        "superseded_at": None,
    }
    rows = []
    for kind, value in fact_values(values).items():
        start = on
        if kind == Fact.Kind.STATUS and value != Elder.Status.ACTIVE:
            status_date = values.get("status_date")
            if isinstance(status_date, dt.date):
                if on < status_date:
                    rows.append(
                        {
                            "kind": kind,
                            "value": Elder.Status.ACTIVE,
                            "valid_from": on,
                            "valid_to": status_date,
                            **base,
                        }
                    )
                start = status_date
        rows.append({"kind": kind, "value": value, "valid_from": start, "valid_to": None, **base})
    return rows


def facts_file_opening(elder: Elder, *, on: dt.date, source: str, actor: Actor | None) -> None:
    now = timezone.now()
    Fact.objects.bulk_create(
        Fact(elder=elder, **row)
        for row in facts_opening(
            {
                **{c: getattr(elder, c) for c in FACT_COLUMNS.values()},
                "status_date": elder.status_date,
            },
            on=on,
            source=source,
            recorded_at=now,
            recorded_by_id=getattr(account_of(actor), "pk", None),
        )
    )


def facts_from_clean(on: dt.date | None, *, errors: dict, field: str = "facts_from") -> dt.date:
    """The day changed facts hold from: today unless stated, never in the future."""
    today = local_today()
    if on is None:
        return today
    if on > today:
        errors[field] = _("Changes cannot take effect in the future; record them on the day.")
    elif on < today - dt.timedelta(days=FACTS_BACKDATE_DAYS):
        errors[field] = _("A change can be dated at most ten years back.")
    return on


FACTS_BACKDATE_DAYS = 3660


@dataclass
class _FactPlan:
    supersede: list[int] = field(default_factory=list)
    close: list[int] = field(default_factory=list)
    reopen: list[int] = field(default_factory=list)
    create: list[Fact] = field(default_factory=list)


def _fact_plan(
    plan: _FactPlan, live: list[Fact], *, elder_id: int, kind: str, value: str, on: dt.date, make
) -> None:
    """The one rule (ADR 0011): a value stated from `on` holds from then on. Facts of the kind
    starting on or after `on` are superseded (kept, never in force again); the fact before
    (covering `on` or ending on it) is extended when it has the same value, else it ends on
    `on` and a new fact opens."""
    later = [f for f in live if f.valid_from >= on]
    prior = next(
        (f for f in live if f.valid_from < on and (f.valid_to is None or f.valid_to >= on)), None
    )
    if not later and prior is not None and prior.value == value and prior.valid_to is None:
        return  # nothing changes
    plan.supersede += [f.pk for f in later]
    if prior is not None and prior.value == value:
        if prior.valid_to is not None:
            plan.reopen.append(prior.pk)
        return
    if prior is not None and (prior.valid_to is None or prior.valid_to > on):
        plan.close.append(prior.pk)  # it held until `on`
    plan.create.append(make(elder_id=elder_id, kind=kind, value=value, valid_from=on))


def facts_record(
    changes: Iterable[tuple[Elder, Mapping[str, str]]],
    *,
    on: dt.date,
    source: str,
    reference: str = "",
    references: Mapping[int, str] | None = None,
    actor: Actor | None = None,
) -> int:
    """Record, for each person, the values that hold from `on` (kind -> value), and set the
    columns that show them today on the (unsaved) Elder objects: the caller saves them, in the
    same transaction. Changes of many people cost four queries, so the import uses this too.
    `references` (person id -> reference) names each person's own source document, else
    `reference` names one for all. Returns the number of facts opened."""
    changes = [(elder, dict(values)) for elder, values in changes if values]
    if not changes:
        return 0
    if on > local_today():
        raise ValueError("facts are recorded from today or an earlier day")
    ids = {elder.pk for elder, _values in changes}
    kinds = {kind for _elder, values in changes for kind in values}
    live: dict[tuple[int, str], list[Fact]] = defaultdict(list)
    rows = Fact.objects.filter(elder_id__in=ids, kind__in=kinds, superseded_at__isnull=True).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=on)
    )
    for fact in rows.order_by("valid_from"):
        live[(fact.elder_id, fact.kind)].append(fact)
    now = timezone.now()
    by = account_of(actor)

    def make(*, elder_id: int, **kw) -> Fact:
        ref = references.get(elder_id, reference) if references else reference
        return Fact(
            elder_id=elder_id,
            source=source,
            reference=ref[:40],
            recorded_at=now,
            recorded_by=by,
            **kw,
        )

    plan = _FactPlan()
    for elder, values in changes:
        for kind, value in values.items():
            if kind not in FACT_COLUMNS or not value:
                raise ValueError(f"a fact needs a known kind and a value: {kind}={value!r}")
            _fact_plan(
                plan,
                live[(elder.pk, kind)],
                elder_id=elder.pk,
                kind=kind,
                value=value,
                on=on,
                make=make,
            )
            column = FACT_COLUMNS[kind]
            setattr(elder, column, int(value) if kind in _GRADES else value)
    # In this order, so that the database's one-open and one-start rules hold at every step.
    Fact.objects.filter(pk__in=plan.supersede).update(superseded_at=now)
    Fact.objects.filter(pk__in=plan.close).update(valid_to=on)
    Fact.objects.filter(pk__in=plan.reopen).update(valid_to=None)
    Fact.objects.bulk_create(plan.create)
    return len(plan.create)


def facts_changed(before: Mapping[str, str], after: Mapping[str, str]) -> dict[str, str]:
    return {kind: value for kind, value in after.items() if before.get(kind) != value}
