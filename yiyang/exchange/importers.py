"""One importer per kind of data. Each takes a batch of rows, validates every row with the
same cleaner the form uses, and (when asked to write) saves the valid rows with bulk queries.

A batch costs a handful of queries whatever its size: the existing records of the batch are
fetched by their keys in one query, regions and organisations come from caches, and creates,
updates and history rows are bulk-inserted. The caller owns the transaction.
"""

import datetime as dt
import re
import secrets
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import connections, router
from django.db.models import Model, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yiyang.assessment import grading
from yiyang.assessment.errors import AnswersInvalid
from yiyang.assessment.labels import problem_message
from yiyang.assessment.models import Assessment
from yiyang.assessment.services import account_of, effective_events_publish
from yiyang.core import audit, crypto
from yiyang.core.divisions import district_of
from yiyang.core.exceptions import ValidationFailed
from yiyang.core.models import ChangeLog
from yiyang.core.scoping import region_in_scope
from yiyang.core.timeutils import local_day_range, local_today
from yiyang.core.validation import is_phone
from yiyang.institutions.errors import CREDIT_CODE_REASONS
from yiyang.institutions.models import Organisation
from yiyang.institutions.services import (
    FIELDS as ORGANISATION_FIELDS,
)
from yiyang.institutions.services import (
    OrganisationData,
    organisation_apply,
    organisation_build,
    organisation_clean,
    organisation_snapshot,
)
from yiyang.marketplace.models import ServiceItem
from yiyang.marketplace.services import (
    FIELDS as SERVICE_ITEM_FIELDS,
)
from yiyang.marketplace.services import (
    ServiceItemData,
    service_item_clean,
    service_item_snapshot,
)
from yiyang.people import idnumbers
from yiyang.people.errors import ID_REASONS, ElderNotEditable
from yiyang.people.models import Elder, Guardian, HealthProfile
from yiyang.people.services import EDITABLE as ELDER_EDITABLE
from yiyang.people.services import (
    ElderData,
    elder_apply,
    elder_build,
    elder_clean,
    elder_snapshot,
)
from yiyang.regions.models import Region

from .cells import FALSE_WORDS, TRUE_WORDS, parse_row
from .columns import COLUMNS, Column
from .workbooks import Layout

HEALTH_KEYS = ("chronic_conditions", "medications", "allergies")


@dataclass
class BatchResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    # (row number, raw values, reasons joined) of each bad row
    bad_rows: list[tuple[int, tuple, str]] = field(default_factory=list)
    # (row number, column header, reason) of each error
    errors: list[tuple[int, str, str]] = field(default_factory=list)


class RegionCache:
    """Regions by code, fetched once per code: `load` takes a batch's codes in one query and
    the cleaners call `.get(code)` as they would on a dict."""

    def __init__(self):
        self._cache: dict[str, Region | None] = {}

    def load(self, codes: set[str]) -> None:
        missing = {c for c in codes if c and c not in self._cache}
        if missing:
            for region in Region.objects.filter(code__in=missing):
                self._cache[region.code] = region
            for code in missing:
                self._cache.setdefault(code, None)

    def get(self, code, default=None):
        if code not in self._cache:
            self._cache[code] = Region.objects.filter(code=code).first()
        return self._cache[code] or default


def bulk_update(model: type[Model], objs: Sequence[Model], names: Sequence[str]) -> None:
    """Write `names` of every object with one UPDATE statement sent through executemany.

    QuerySet.bulk_update builds a CASE WHEN expression per row and field, which costs about
    three milliseconds a row in Python and made re-imports ten times slower than first
    imports; executemany is the same single round trip per batch without that cost. Values
    are converted exactly as the ORM converts them (get_db_prep_save).
    """
    if not objs:
        return
    connection = connections[router.db_for_write(model)]
    fields = [model._meta.get_field(name) for name in names]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in fields)
    # The identifiers come from the model's own meta and are quoted; values are parameters.
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    sql = f"UPDATE {table} SET {assignments} WHERE {pk} = %s"  # noqa: S608
    params = [
        [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields] + [obj.pk]
        for obj in objs
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _too_long(model: type[Model], values: dict, errors: dict, column_of: dict) -> None:
    """The cleaners trust the form's max_length; an import cell can hold 32,767 characters."""
    for name, value in values.items():
        if not isinstance(value, str):
            continue
        value = " ".join(value.split())
        try:
            limit = model._meta.get_field(name).max_length
        except FieldDoesNotExist:
            continue
        if limit and len(value) > limit:
            errors.setdefault(
                column_of.get(name, name), _("At most %(n)s characters.") % {"n": limit}
            )


class Importer:
    kind = ""
    model: type[Model]

    def __init__(self, *, actor, job, layout: Layout):
        self.actor = actor
        self.job = job
        self.layout = layout
        self.columns: tuple[Column, ...] = COLUMNS[self.kind]
        self.header_of = {c.key: c.header for c in self.columns}
        self.note = f"import #{job.pk}: {job.file_name}"[:500]
        self.seen: dict[Any, int] = {}  # in-file key -> first row number

    # -- shared helpers --------------------------------------------------------------------

    def column_for(self, name: str) -> str:
        for column in self.columns:
            if column.reports(name):
                return column.key
        return name

    def merge(self, errors: dict, exc: ValidationFailed) -> None:
        for name, reason in exc.fields.items():
            errors.setdefault(self.column_for(name), str(reason))

    def first_seen(self, key, number: int) -> int | None:
        """The earlier row with the same key, or None (a retried batch sees itself)."""
        if key is None:
            return None
        first = self.seen.setdefault(key, number)
        return first if first != number else None

    def reject(self, result: BatchResult, number: int, raw: tuple, errors: dict) -> None:
        order = {c.key: i for i, c in enumerate(self.columns)}
        items = sorted(errors.items(), key=lambda kv: order.get(kv[0], len(order)))
        for key, reason in items:
            result.errors.append((number, self.header_of.get(key, key), reason))
        reasons = "；".join(f"{self.header_of.get(k, k)}：{r}" for k, r in items)
        result.bad_rows.append((number, raw, reasons))

    def change(self, entity, action: str, changes: dict, region_code: str = "") -> ChangeLog:
        return ChangeLog(
            actor=self.job.actor,
            actor_label=self.actor.audit_label[:150],
            entity_type=entity._meta.label_lower,
            entity_id=entity.pk,
            entity_label=str(entity)[:200],
            region_code=region_code,
            action=action,
            changes=changes,
            note=self.note,
        )

    def process(self, rows: Sequence[tuple[int, tuple]], *, write: bool) -> BatchResult:
        raise NotImplementedError


# -- older people ----------------------------------------------------------------------------


def _created(snapshot: dict) -> dict:
    """audit.diff({}, snapshot) for plain values, without its per-value conversions (this
    runs once per imported person)."""
    return {k: [None, v] for k, v in sorted(snapshot.items()) if v is not None}


@dataclass
class _ElderRow:
    number: int
    raw: tuple
    cleaned: Any
    current: Elder | None
    health: dict
    guardian: dict | None


class ElderImporter(Importer):
    kind = "elders"
    model = Elder

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.regions = RegionCache()
        self.orgs_by_code: dict[str, Organisation | None] = {}
        self.orgs_by_pk: dict[int, Organisation] = {}

    def _load_orgs(self, codes: set[str]) -> None:
        missing = codes - self.orgs_by_code.keys()
        if not missing:
            return
        for org in Organisation.objects.filter(credit_code__in=missing):
            self.orgs_by_code[org.credit_code] = org
            self.orgs_by_pk[org.pk] = org
        for code in missing:
            self.orgs_by_code.setdefault(code, None)

    def process(self, rows, *, write):
        result = BatchResult()
        parsed = []
        for number, raw in rows:
            values, errors = parse_row(self.columns, self.layout, raw)
            number_text = idnumbers.normalise(values["id_number"]) if values["id_number"] else ""
            key = crypto.search_hash(number_text) if number_text else None
            first = self.first_seen(key, number)
            if first is not None:
                errors.setdefault(
                    "id_number",
                    _("The same ID number is already on row %(row)s of this file.")
                    % {"row": first},
                )
            parsed.append((number, raw, values, errors, key))

        hashes = {p[4] for p in parsed if p[4]}
        existing_qs = Elder.objects.filter(id_number_hash__in=hashes).select_related(
            "region", "institution"
        )
        if write:
            existing_qs = existing_qs.select_for_update(of=("self",))
        existing = {e.id_number_hash: e for e in existing_qs} if hashes else {}
        self._load_orgs({p[2]["institution_credit_code"].upper() for p in parsed} - {""})
        self.regions.load({p[2]["region_code"] for p in parsed})

        good: list[_ElderRow] = []
        for number, raw, values, errors, key in parsed:
            row = self._check(number, raw, values, errors, existing.get(key), existing)
            if errors:
                self.reject(result, number, raw, errors)
            else:
                good.append(row)
        if write and good:
            self._write(good, result)
        elif not write:
            for row in good:
                if row.current is None:
                    result.created += 1
                else:
                    result.updated += 1
        return result

    def _check(self, number, raw, values, errors, current, existing) -> _ElderRow:
        org = None
        code = values["institution_credit_code"].upper()
        if code:
            org = self.orgs_by_code.get(code)
            if org is None:
                errors.setdefault(
                    "institution_credit_code",
                    _("There is no organisation with this credit code."),
                )
        editable = current
        if current is not None:
            if not region_in_scope(self.actor, current.region_code):
                # Exactly what the form says: outsiders learn no more than that.
                errors.setdefault("id_number", str(ID_REASONS["duplicate"]))
                editable = None
            elif current.status != Elder.Status.ACTIVE:
                errors.setdefault("id_number", str(ElderNotEditable.default_message))
                editable = None
        data = ElderData(
            name=values["name"],
            id_number=values["id_number"],
            region_code=values["region_code"],
            address=values["address"],
            phone=values["phone"],
            ethnicity=values["ethnicity"] or "汉族",
            lat=values["lat"],
            lng=values["lng"],
            lives_alone=values["lives_alone"],
            empty_nest=values["empty_nest"],
            special_family=values["special_family"],
            economic_status=values["economic_status"],
            insurance=values["insurance"],
            living_arrangement=values["living_arrangement"],
            institution_id=org.pk if org is not None else None,
        )
        _too_long(Elder, {k: values[k] for k in ("address", "phone")}, errors, {})
        cleaned = None
        try:
            cleaned = elder_clean(
                actor=self.actor,
                data=data,
                current=editable,
                regions=self.regions,
                known_id_hashes=existing,
                institutions=self.orgs_by_pk,
            )
        except ValidationFailed as exc:
            self.merge(errors, exc)
        if cleaned is not None:
            _too_long(Elder, cleaned.values, errors, {})

        guardian = None
        g_name = " ".join(values["guardian_name"].split())
        g_relation = values["guardian_relation"]
        g_phone = values["guardian_phone"]
        if g_name or g_relation or g_phone:
            # guardian_add's rules, field by field.
            if not g_name:
                errors.setdefault("guardian_name", _("Enter the name."))
            elif len(g_name) > 40:
                errors.setdefault("guardian_name", _("At most 40 characters."))
            if g_relation not in Guardian.Relation.values:
                errors.setdefault("guardian_relation", _("Choose one of the listed options."))
            if not is_phone(g_phone):
                errors.setdefault(
                    "guardian_phone", _("Enter a phone number of digits (7 or more).")
                )
            guardian = {"name": g_name, "relation": g_relation, "phone": g_phone}
        health = {k: values[k] for k in HEALTH_KEYS if values[k]}
        return _ElderRow(number, raw, cleaned, editable, health, guardian)

    def _write(self, rows: list[_ElderRow], result: BatchResult) -> None:
        now = timezone.now()
        logs: list[ChangeLog] = []
        new_rows = [r for r in rows if r.current is None]
        old_rows = [r for r in rows if r.current is not None]

        elders = [elder_build(cleaned=r.cleaned) for r in new_rows]
        Elder.objects.bulk_create(elders)
        profiles, guardians = [], []
        for row, elder in zip(new_rows, elders, strict=True):
            changes = _created(elder_snapshot(elder))
            if row.health:
                profiles.append(HealthProfile(elder=elder, **row.health))
                changes.update(audit.diff({}, row.health, hidden=HEALTH_KEYS))
            if row.guardian:
                guardians.append(Guardian(elder=elder, is_guardian=True, **row.guardian))
                changes["guardian"] = [None, f"{row.guardian['name']}"]
            logs.append(self.change(elder, "create", changes, elder.region_code))
        result.created += len(elders)

        if old_rows:
            ids = [r.current.pk for r in old_rows]
            old_profiles = {p.elder_id: p for p in HealthProfile.objects.filter(elder_id__in=ids)}
            old_guardians = defaultdict(list)
            for g in Guardian.objects.filter(elder_id__in=ids):
                old_guardians[g.elder_id].append(g)
            changed_elders, changed_fields = [], set()
            profile_updates, guardian_updates = [], []
            for row in old_rows:
                elder = row.current
                changes = elder_apply(elder=elder, cleaned=row.cleaned)
                if changes:
                    elder.version += 1
                    elder.updated_at = now
                    changed_elders.append(elder)
                    changed_fields.update(changes)
                if row.health:
                    profile = old_profiles.get(elder.pk)
                    if profile is None:
                        profiles.append(HealthProfile(elder=elder, **row.health))
                        changes.update(audit.diff({}, row.health, hidden=HEALTH_KEYS))
                    else:
                        old = {k: getattr(profile, k) for k in row.health}
                        if old != row.health:
                            for k, v in row.health.items():
                                setattr(profile, k, v)
                            profile.updated_at = now
                            profile_updates.append(profile)
                            changes.update(audit.diff(old, row.health, hidden=HEALTH_KEYS))
                if row.guardian:
                    mine = old_guardians[elder.pk]
                    match = next((g for g in mine if g.name == row.guardian["name"]), None)
                    if match is None:
                        priority = max((g.priority for g in mine), default=0) + 1
                        guardians.append(
                            Guardian(
                                elder=elder,
                                is_guardian=True,
                                priority=min(priority, 9),
                                **row.guardian,
                            )
                        )
                        changes["guardian"] = [None, row.guardian["name"]]
                    elif (match.relation, match.phone) != (
                        row.guardian["relation"],
                        row.guardian["phone"],
                    ):
                        old_label = f"{match.name} {match.relation} {match.phone}"
                        match.relation = row.guardian["relation"]
                        match.phone = row.guardian["phone"]
                        guardian_updates.append(match)
                        changes["guardian"] = [
                            old_label,
                            f"{match.name} {match.relation} {match.phone}",
                        ]
                if changes:
                    logs.append(self.change(elder, "update", changes, elder.region_code))
                    result.updated += 1
                else:
                    result.unchanged += 1
            if changed_elders:
                fields = changed_fields & set(ELDER_EDITABLE)
                fields |= {"region_code", "name_pinyin", "name_initials", "version", "updated_at"}
                bulk_update(Elder, changed_elders, sorted(fields))
            if profile_updates:
                bulk_update(HealthProfile, profile_updates, [*HEALTH_KEYS, "updated_at"])
            if guardian_updates:
                bulk_update(Guardian, guardian_updates, ["relation", "phone"])
        HealthProfile.objects.bulk_create(profiles)
        Guardian.objects.bulk_create(guardians)
        ChangeLog.objects.bulk_create(logs)


# -- organisations ---------------------------------------------------------------------------


class OrganisationImporter(Importer):
    kind = "organisations"
    model = Organisation

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.regions = RegionCache()

    def process(self, rows, *, write):
        result = BatchResult()
        parsed = []
        for number, raw in rows:
            values, errors = parse_row(self.columns, self.layout, raw)
            values["credit_code"] = values["credit_code"].replace(" ", "").upper()
            values["name"] = " ".join(values["name"].split())
            code, name_key = values["credit_code"], (values["region_code"], values["name"])
            first = self.first_seen(("code", code) if code else None, number)
            if first is not None:
                errors.setdefault(
                    "credit_code",
                    _("The same credit code is already on row %(row)s of this file.")
                    % {"row": first},
                )
            first = self.first_seen(("name", name_key) if values["name"] else None, number)
            if first is not None:
                errors.setdefault(
                    "name",
                    _("The same name and region are already on row %(row)s of this file.")
                    % {"row": first},
                )
            parsed.append((number, raw, values, errors))

        codes = {p[2]["credit_code"] for p in parsed} - {""}
        names = {p[2]["name"] for p in parsed} - {""}
        self.regions.load({p[2]["region_code"] for p in parsed})
        qs = Organisation.objects.select_related("region")
        if write:
            qs = qs.select_for_update(of=("self",))
        by_code = {o.credit_code: o for o in qs.filter(credit_code__in=codes)} if codes else {}
        by_name = {(o.region_code, o.name): o for o in qs.filter(name__in=names)} if names else {}

        good = []
        for number, raw, values, errors in parsed:
            current = by_code.get(values["credit_code"]) if values["credit_code"] else None
            if current is None:
                named = by_name.get((values["region_code"], values["name"]))
                # Without a code, or filling in the code of a record that had none.
                if named is not None and (not values["credit_code"] or not named.credit_code):
                    current = named
            if current is not None and not region_in_scope(self.actor, current.region_code):
                if values["credit_code"]:
                    errors.setdefault("credit_code", str(CREDIT_CODE_REASONS["duplicate"]))
                else:
                    errors.setdefault(
                        "name", _("An organisation of this name is already registered here.")
                    )
                current = None
            data = OrganisationData(
                name=values["name"],
                kind=values["kind"],
                ownership=values["ownership"],
                region_code=values["region_code"],
                credit_code=values["credit_code"],
                address=values["address"],
                lat=values["lat"],
                lng=values["lng"],
                land_area=values["land_area"],
                floor_area=values["floor_area"],
                beds=values["beds"],
                has_medical_agreement=values["has_medical_agreement"],
                licence_number=values["licence_number"],
                licence_valid_from=values["licence_valid_from"],
                licence_valid_to=values["licence_valid_to"],
                contact_name=values["contact_name"],
                contact_phone=values["contact_phone"],
                is_active=current.is_active if current is not None else True,
            )
            _too_long(
                Organisation, {k: values[k] for k in ("address", "contact_phone")}, errors, {}
            )
            cleaned = None
            try:
                cleaned = organisation_clean(
                    actor=self.actor, data=data, current=current, regions=self.regions
                )
            except ValidationFailed as exc:
                self.merge(errors, exc)
            if cleaned is not None:
                _too_long(Organisation, cleaned, errors, {"region": "region_code"})
            if errors:
                self.reject(result, number, raw, errors)
            else:
                good.append((cleaned, current))

        if not write:
            result.created += sum(1 for _c, cur in good if cur is None)
            result.updated += sum(1 for _c, cur in good if cur is not None)
            return result
        now = timezone.now()
        logs = []
        new = [organisation_build(values=cleaned) for cleaned, cur in good if cur is None]
        Organisation.objects.bulk_create(new)
        for org in new:
            logs.append(
                self.change(
                    org, "create", audit.diff({}, organisation_snapshot(org)), org.region_code
                )
            )
        result.created += len(new)
        changed, changed_fields = [], set()
        for cleaned, org in good:
            if org is None:
                continue
            changes = organisation_apply(org=org, values=cleaned)
            if changes:
                org.version += 1
                org.updated_at = now
                changed.append(org)
                changed_fields.update(changes)
                logs.append(self.change(org, "update", changes, org.region_code))
                result.updated += 1
            else:
                result.unchanged += 1
        if changed:
            fields = (changed_fields & set(ORGANISATION_FIELDS)) | {
                "region_code",
                "name_pinyin",
                "name_initials",
                "version",
                "updated_at",
            }
            bulk_update(Organisation, changed, sorted(fields))
        ChangeLog.objects.bulk_create(logs)
        return result


# -- service items ---------------------------------------------------------------------------


class ServiceItemImporter(Importer):
    kind = "service_items"
    model = ServiceItem

    def process(self, rows, *, write):
        result = BatchResult()
        parsed = []
        for number, raw in rows:
            values, errors = parse_row(self.columns, self.layout, raw)
            first = self.first_seen(values["code"] or None, number)
            if first is not None:
                errors.setdefault(
                    "code",
                    _("The same code is already on row %(row)s of this file.") % {"row": first},
                )
            parsed.append((number, raw, values, errors))
        codes = {p[2]["code"] for p in parsed} - {""}
        qs = ServiceItem.objects.all()
        if write:
            qs = qs.select_for_update()
        existing = {i.code: i for i in qs.filter(code__in=codes)} if codes else {}

        good = []
        for number, raw, values, errors in parsed:
            current = existing.get(values["code"])
            data = ServiceItemData(
                code=values["code"],
                name=values["name"],
                category=values["category"],
                unit=values["unit"],
                duration_minutes=values["duration_minutes"],
                price=values["price"],
                qualification=values["qualification"],
                is_ltci=values["is_ltci"],
                is_active=current.is_active if current is not None else True,
                description=values["description"],
            )
            cleaned = None
            try:
                cleaned = service_item_clean(data=data, current=current)
            except ValidationFailed as exc:
                self.merge(errors, exc)
            if errors:
                self.reject(result, number, raw, errors)
            else:
                good.append((cleaned, current))

        if not write:
            result.created += sum(1 for _c, cur in good if cur is None)
            result.updated += sum(1 for _c, cur in good if cur is not None)
            return result
        now = timezone.now()
        region = self.actor.region_code or ""  # the catalogue's history sits with the editor
        logs = []
        new = [ServiceItem(**cleaned) for cleaned, cur in good if cur is None]
        ServiceItem.objects.bulk_create(new)
        for item in new:
            logs.append(
                self.change(item, "create", audit.diff({}, service_item_snapshot(item)), region)
            )
        result.created += len(new)
        changed = []
        for cleaned, item in good:
            if item is None:
                continue
            before = service_item_snapshot(item)
            for key, value in cleaned.items():
                setattr(item, key, value)
            changes = audit.diff(before, service_item_snapshot(item))
            if changes:
                item.updated_at = now
                changed.append(item)
                logs.append(self.change(item, "update", changes, region))
                result.updated += 1
            else:
                result.unchanged += 1
        if changed:
            bulk_update(ServiceItem, changed, [*SERVICE_ITEM_FIELDS, "updated_at"])
        ChangeLog.objects.bulk_create(logs)
        return result


# -- past assessment conclusions ---------------------------------------------------------------

S = Assessment.Status
IMPORTED = Assessment.Trigger.IMPORTED
# The legacy standards, kept "for records made before": the earlier systems often kept
# no end of validity for them, so their conclusions may be open-ended.
LEGACY_INSTRUMENTS = frozenset({"mzt-039-2013", "barthel"})
_SCORE_PARTS = re.compile(r"[;；\n]+")
_SCORE_PAIR = re.compile(r"^([^=＝:：]+?)\s*[=＝:：]\s*(.*)$")
_CODE_SPLIT = re.compile(r"[,，、/\s]+")
_WHOLE = re.compile(r"^\d{1,6}$")
UNKNOWN_PERSON = gettext_lazy("No older person with this ID number is on record in your region.")


def _alias(text: str) -> str:
    return "".join(str(text).split()).lower()


def _grade_of(instrument: grading.Instrument, text: str) -> int | None:
    """A grade written as its number (3) or as the standard writes it (重度失能Ⅰ级)."""
    text = text.strip()
    if text.isdecimal():
        value = int(text)
        return value if value in instrument.grades else None
    return next((g for g, label in instrument.grades.items() if label == text), None)


def _answers_of(instrument: grading.Instrument, text: str) -> tuple[dict, list[str]]:
    """The engine's answers from one cell (ADL1=10;ADL2=5;coma=1), and what could not be read.

    Only the cell's syntax is checked here; the engine judges the items and scores."""
    items: dict[str, Any] = {}
    answers: dict[str, Any] = {"items": items}
    risk: dict[str, int] = {}
    by_name = {item_id.upper(): item_id for item_id in instrument.items}
    problems: list[str] = []
    for part in _SCORE_PARTS.split(text):
        part = part.strip()
        if not part:
            continue
        match = _SCORE_PAIR.match(part)
        if match is None:
            problems.append(
                _("“%(part)s” is not written as item=score, such as ADL1=10.") % {"part": part[:30]}
            )
            continue
        name, value = match.group(1).strip(), match.group(2).strip()
        key = name.lower()
        if (
            (key in ("coma", "diagnoses") and key in answers)
            or key in risk
            or by_name.get(name.upper(), name) in items
        ):
            problems.append(_("%(item)s is given twice.") % {"item": name})
        elif key == "coma":
            if value.lower() in TRUE_WORDS or value.lower() in FALSE_WORDS:
                answers["coma"] = value.lower() in TRUE_WORDS
            else:
                problems.append(_("coma: enter 1 (yes) or 0 (no)."))
        elif key == "diagnoses":
            answers["diagnoses"] = [code for code in _CODE_SPLIT.split(value) if code]
        elif not _WHOLE.match(value):
            problems.append(
                _("%(item)s: the score must be a whole number, not “%(value)s”.")
                % {"item": name, "value": value[:20]}
            )
        elif key in instrument.risk_event_types:
            risk[key] = int(value)
        else:
            items[by_name.get(name.upper(), name)] = int(value)
    if risk:
        answers["risk_events"] = risk
    return answers, problems


def _problems_text(instrument: grading.Instrument, answers: dict, problems: list) -> str:
    """The engine's refusals naming each item, those of the same reason together."""
    parts: list[str] = []
    grouped: dict[str, list[str]] = {}
    for problem in problems:
        item = instrument.items.get(problem.item or "")
        if problem.code == "bad_score" and item is not None:
            parts.append(
                _("%(item)s: %(score)s is not one of its scores (%(scores)s).")
                % {
                    "item": item.id,
                    "score": answers["items"][item.id],
                    "scores": "、".join(str(s) for s in item.scores),
                }
            )
        else:
            grouped.setdefault(problem_message(problem), []).append(problem.item or "")
    for message, names in grouped.items():
        named = "、".join(n for n in names if n)
        parts.append(f"{named}：{message}" if named else message)
    return "；".join(parts)


def _newest(case: Assessment) -> tuple:
    """Which of one person's conclusions of a kind is the current one: the latest to take effect;
    on the same day the platform's own case before an imported one, then the later conclusion."""
    return (
        case.valid_from or dt.date.min,
        case.trigger != IMPORTED,
        case.applied_on,
        case.instrument,
        case.pk or 0,
    )


def _case_snapshot(case: Assessment) -> dict:
    return {
        "status": case.status,
        "instrument_version": case.instrument_version,
        "grade": case.grade,
        "grade_label": case.grade_label,
        "valid_from": case.valid_from,
        "valid_to": case.valid_to,
        "ended_on": case.ended_on,
        "superseded_by": case.superseded_by.number if case.superseded_by else None,
        "assessment_org": case.assessment_org.name if case.assessment_org else None,
        "note": case.note,
        "answers": case.answers,
    }


# Everything an import sets on a case, written back in one statement per batch.
CASE_FIELDS = (
    "number",
    "instrument_version",
    "status",
    "grade",
    "grade_label",
    "answers",
    "result",
    "valid_from",
    "valid_to",
    "ended_on",
    "superseded_by",
    "assessment_org",
    "note",
    "concluded_at",
    "version",
    "updated_at",
)


@dataclass
class _ConclusionRow:
    number: int
    raw: tuple
    elder: Elder
    instrument: grading.Instrument
    concluded_on: dt.date
    valid_from: dt.date
    valid_to: dt.date | None
    grade: int
    answers: dict | None
    result: dict | None
    org: Organisation | None
    note: str
    current: Assessment | None = None  # the case an earlier import of this row made


class AssessmentImporter(Importer):
    """Conclusions made in the city's earlier system, each stored as a concluded case with the
    trigger "imported". Whether it is the person's current conclusion is decided as the
    procedure decides it (assessment.services._make_effective): the newest effective one of
    the registry field wins, earlier ones are superseded, and the person's field follows."""

    kind = "assessments"
    model = Assessment

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.today = local_today()
        self.instruments = {i: grading.instrument_load(i) for i in grading.instrument_ids()}
        self.aliases: dict[str, str] = {}
        for instrument in self.instruments.values():
            self.aliases[_alias(instrument.id)] = instrument.id
            self.aliases.setdefault(_alias(instrument.version), instrument.id)
        self.orgs_by_name: dict[str, Organisation | None] = {}

    def _load_orgs(self, names: set[str]) -> None:
        missing = names - self.orgs_by_name.keys()
        if not missing:
            return
        found: dict[str, list[Organisation]] = defaultdict(list)
        for org in Organisation.objects.filter(name__in=missing):
            found[org.name].append(org)
        for name in missing:
            orgs = found.get(name, [])
            # The same name in two districts: the assessment organisation, if only one is.
            if len(orgs) > 1:
                orgs = [o for o in orgs if o.kind == Organisation.Kind.ASSESSMENT]
            self.orgs_by_name[name] = orgs[0] if len(orgs) == 1 else None

    def _field_of(self, instrument_id: str):
        """The registry field a conclusion by this instrument sets; a case under a definition
        no longer installed only ever competes with itself."""
        instrument = self.instruments.get(instrument_id)
        return instrument.registry_field if instrument is not None else ("?", instrument_id)

    def process(self, rows, *, write):
        result = BatchResult()
        parsed = []
        for number, raw in rows:
            values, errors = parse_row(self.columns, self.layout, raw)
            id_text = idnumbers.normalise(values["id_number"]) if values["id_number"] else ""
            key = crypto.search_hash(id_text) if id_text else None
            instrument_id = self.aliases.get(_alias(values["instrument"]))
            same = None
            if key and instrument_id and values["concluded_on"]:
                same = (key, instrument_id, values["concluded_on"])
            first = self.first_seen(same, number)
            if first is not None:
                errors.setdefault(
                    "concluded_on",
                    _(
                        "The same person, standard and conclusion date are already on row "
                        "%(row)s of this file."
                    )
                    % {"row": first},
                )
            parsed.append((number, raw, values, errors, key, instrument_id))

        hashes = {p[4] for p in parsed if p[4]}
        people_qs = Elder.objects.filter(id_number_hash__in=hashes)
        if write:
            people_qs = people_qs.select_for_update()
        people = {e.id_number_hash: e for e in people_qs} if hashes else {}
        self._load_orgs({" ".join(p[2]["assessment_org"].split()) for p in parsed} - {""})

        good: list[_ConclusionRow] = []
        for number, raw, values, errors, key, instrument_id in parsed:
            row = self._check(number, raw, values, errors, people.get(key), instrument_id)
            if errors:
                self.reject(result, number, raw, errors)
            else:
                good.append(row)
        if not good:
            return result

        # The person's effective conclusions, and every case an earlier import made for them.
        cases_qs = (
            Assessment.objects.filter(elder_id__in={r.elder.pk for r in good})
            .filter(Q(status=S.EFFECTIVE) | Q(trigger=IMPORTED))
            .select_related("superseded_by", "assessment_org")
        )
        if write:
            cases_qs = cases_qs.select_for_update(of=("self",))
        cases = list(cases_qs)
        imported = {
            (c.elder_id, c.instrument, c.applied_on): c for c in cases if c.trigger == IMPORTED
        }
        for row in good:
            row.current = imported.get((row.elder.pk, row.instrument.id, row.concluded_on))
        if not write:
            result.created += sum(1 for r in good if r.current is None)
            result.updated += sum(1 for r in good if r.current is not None)
            return result
        self._write(good, [c for c in cases if c.status == S.EFFECTIVE], result)
        return result

    def _check(self, number, raw, values, errors, elder, instrument_id) -> _ConclusionRow:
        if not values["id_number"]:
            errors.setdefault("id_number", str(ID_REASONS["required"]))
        elif elder is None or not region_in_scope(self.actor, elder.region_code):
            # Outside the officer's region reads exactly as not on record.
            elder = None
            try:
                idnumbers.parse(values["id_number"])
            except idnumbers.IdNumberError as exc:
                errors.setdefault("id_number", str(ID_REASONS.get(exc.reason, UNKNOWN_PERSON)))
            else:
                errors.setdefault("id_number", str(UNKNOWN_PERSON))
        elif elder.status != Elder.Status.ACTIVE:
            errors.setdefault("id_number", str(ElderNotEditable.default_message))

        instrument = self.instruments.get(instrument_id) if instrument_id else None
        if not values["instrument"]:
            errors.setdefault("instrument", _("Choose an assessment standard."))
        elif instrument is None:
            errors.setdefault(
                "instrument",
                _("There is no such standard; choose one of %(ids)s.")
                % {"ids": "、".join(self.instruments)},
            )

        concluded, start, end = values["concluded_on"], values["valid_from"], values["valid_to"]
        if concluded is None:
            errors.setdefault("concluded_on", _("Enter the day the conclusion was made."))
        elif concluded > self.today:
            errors.setdefault("concluded_on", _("The conclusion date cannot be in the future."))
        if start is None:
            errors.setdefault("valid_from", _("Enter the first day the conclusion is valid."))
        if end is None:
            if instrument is not None and instrument.id not in LEGACY_INSTRUMENTS:
                errors.setdefault(
                    "valid_to",
                    _(
                        "Enter the last day the conclusion is valid; only conclusions under "
                        "%(ids)s may be open-ended."
                    )
                    % {"ids": "、".join(sorted(LEGACY_INSTRUMENTS))},
                )
        elif start is not None and end < start:
            errors.setdefault("valid_to", _("The last day of validity cannot be before the first."))

        grade, answers, graded = None, None, None
        grade_text, scores_text = values["grade"], values["item_scores"]
        if instrument is not None:
            if grade_text:
                grade = _grade_of(instrument, grade_text)
                if grade is None:
                    errors.setdefault(
                        "grade",
                        _(
                            "“%(grade)s” is not a grade of %(instrument)s; its grades are %(grades)s."
                        )
                        % {
                            "grade": grade_text[:20],
                            "instrument": instrument.id,
                            "grades": "、".join(f"{g} {t}" for g, t in instrument.grades.items()),
                        },
                    )
            if scores_text:
                answers, problems = _answers_of(instrument, scores_text)
                if problems:
                    errors.setdefault("item_scores", "；".join(problems))
                else:
                    try:
                        graded = grading.answers_grade(instrument=instrument, answers=answers)
                    except AnswersInvalid as exc:
                        errors.setdefault(
                            "item_scores", _problems_text(instrument, answers, exc.problems)
                        )
                if graded is not None and grade_text and grade is not None:
                    if graded.grade != grade:
                        errors.setdefault(
                            "grade",
                            _("The scores give grade %(grade)s (%(label)s), not %(given)s.")
                            % {"grade": graded.grade, "label": graded.label, "given": grade},
                        )
                elif graded is not None and not grade_text:
                    grade = graded.grade
            elif not grade_text:
                errors.setdefault(
                    "grade", _("Enter the grade, or the item scores to compute it from.")
                )

        org_name = " ".join(values["assessment_org"].split())
        source_number = " ".join(values["source_number"].split())
        if len(org_name) > 120:
            errors.setdefault("assessment_org", _("At most %(n)s characters.") % {"n": 120})
        if len(source_number) > 60:
            errors.setdefault("source_number", _("At most %(n)s characters.") % {"n": 60})
        org = self.orgs_by_name.get(org_name) if org_name else None
        notes = []
        if source_number:
            notes.append(
                _("Case number in the earlier system: %(number)s") % {"number": source_number}
            )
        if org_name and org is None:
            notes.append(_("Assessed by %(name)s") % {"name": org_name})
        return _ConclusionRow(
            number=number,
            raw=raw,
            elder=elder,
            instrument=instrument,
            concluded_on=concluded,
            valid_from=start,
            valid_to=end,
            grade=grade,
            answers=answers if graded is not None else None,
            result=graded.as_dict() if graded is not None else None,
            org=org,
            note="; ".join(notes)[:300],
        )

    def _fill(self, case: Assessment, row: _ConclusionRow) -> None:
        instrument = row.instrument
        case.instrument_version = instrument.version
        case.grade = row.grade
        case.grade_label = instrument.grades[row.grade]
        case.answers = row.answers
        case.result = row.result or {
            "grade": row.grade,
            "label": case.grade_label,
            "instrument": instrument.id,
            "version": instrument.version,
            "imported": True,
        }
        case.valid_from = row.valid_from
        case.valid_to = row.valid_to
        case.assessment_org = row.org
        case.note = row.note
        case.concluded_at = local_day_range(row.concluded_on)[0]

    def _write(self, rows: list[_ConclusionRow], effective: list[Assessment], result) -> None:
        now = timezone.now()
        today = self.today
        before: dict[int, dict] = {}
        records: list[tuple[_ConclusionRow, Assessment]] = []
        new_cases: list[Assessment] = []
        for row in rows:
            case = row.current
            if case is None:
                case = Assessment(
                    number=f"tmp-{secrets.token_hex(8)}",
                    elder=row.elder,
                    region_code=row.elder.region_code,
                    instrument=row.instrument.id,
                    trigger=IMPORTED,
                    # The old system's channel is not known; the counter is the default of a
                    # paper application, and the trigger says where the case came from.
                    channel=Assessment.Channel.AGENCY,
                    applicant_name="",
                    applied_on=row.concluded_on,
                    acceptance_due=row.concluded_on,
                    due_on=row.concluded_on,
                    created_by=account_of(self.actor),
                )
                new_cases.append(case)
            else:
                before[case.pk] = _case_snapshot(case)
            self._fill(case, row)
            records.append((row, case))

        # Which conclusion is each person's current one, field by field.
        in_batch = {id(case) for _row, case in records}
        competing: dict[tuple, list[Assessment]] = defaultdict(list)
        for case in effective:
            if id(case) not in in_batch:
                competing[(case.elder_id, self._field_of(case.instrument))].append(case)
        groups: dict[tuple, list[Assessment]] = defaultdict(list)
        for row, case in records:
            if case.valid_to is None or case.valid_to >= today:
                groups[(row.elder.pk, row.instrument.registry_field)].append(case)
            elif case.status != S.SUPERSEDED or case.pk is None:
                # Past its validity: history only. (One superseded before it expired stays so.)
                case.status, case.ended_on = S.EXPIRED, case.valid_to + dt.timedelta(days=1)
                case.superseded_by = None
        elder_of = {id(case): row.elder for row, case in records}
        links: list[tuple[Assessment, Assessment]] = []
        winners: list[tuple[Assessment, str | None, Elder]] = []
        superseded: list[Assessment] = []
        for (elder_id, field_name), members in groups.items():
            rivals = competing.get((elder_id, field_name), [])
            winner = max([*members, *rivals], key=_newest)
            for case in members:
                if case is not winner:
                    case.status, case.superseded_by = S.SUPERSEDED, None
                    links.append((case, winner))
            for case in rivals:
                if case is not winner:
                    before[case.pk] = _case_snapshot(case)
                    case.status, case.superseded_by = S.SUPERSEDED, None
                    links.append((case, winner))
                    superseded.append(case)
            if id(winner) not in in_batch:
                continue  # an older import: history only, the person keeps their conclusion
            old = before.get(winner.pk) if winner.pk else None
            winner.status, winner.ended_on, winner.superseded_by = S.EFFECTIVE, None, None
            if old is None or any(
                old[k] != getattr(winner, k) for k in ("status", "grade", "valid_from", "valid_to")
            ):
                winners.append((winner, field_name, elder_of[id(winner)]))

        Assessment.objects.bulk_create(new_cases)
        for case in new_cases:
            case.number = f"IM{case.applied_on:%Y}{district_of(case.region_code)}{case.pk:07d}"
        for case, winner in links:
            # Superseded on the day the newer conclusion took effect, as the procedure does.
            case.superseded_by, case.ended_on = winner, winner.valid_from

        logs: list[ChangeLog] = []
        changed: list[Assessment] = list(new_cases)
        for case in new_cases:
            logs.append(
                self.change(
                    case,
                    "create",
                    audit.diff({}, _case_snapshot(case), hidden=("answers",)),
                    case.region_code,
                )
            )
        result.created += len(new_cases)
        for _row, case in records:
            if case.pk not in before:
                continue
            changes = audit.diff(before[case.pk], _case_snapshot(case), hidden=("answers",))
            if changes:
                case.version += 1
                case.updated_at = now
                changed.append(case)
                logs.append(self.change(case, "update", changes, case.region_code))
                result.updated += 1
            else:
                result.unchanged += 1
        for case in superseded:
            case.version += 1
            case.updated_at = now
            changed.append(case)
            changes = audit.diff(before[case.pk], _case_snapshot(case))
            logs.append(self.change(case, "status", changes, case.region_code))
        bulk_update(Assessment, changed, CASE_FIELDS)

        # The person's registry field follows the newest effective conclusion.
        people: dict[int, Elder] = {}
        people_changes: dict[int, dict] = defaultdict(dict)
        effective = []
        for winner, field_name, elder in winners:
            previous = getattr(elder, field_name) if field_name else None
            if field_name and previous != winner.grade:
                setattr(elder, field_name, winner.grade)
                people[elder.pk] = elder
                people_changes[elder.pk][field_name] = [previous, winner.grade]
            effective.append((winner, field_name, previous))
        # The people are locked above (select_for_update), as publishing about them requires.
        effective_events_publish(effective)
        for elder in people.values():
            elder.version += 1
            elder.updated_at = now
            logs.append(self.change(elder, "update", people_changes[elder.pk], elder.region_code))
        bulk_update(
            Elder,
            list(people.values()),
            ["ability_level", "disability_grade", "version", "updated_at"],
        )
        ChangeLog.objects.bulk_create(logs)


IMPORTERS: dict[str, type[Importer]] = {
    "elders": ElderImporter,
    "organisations": OrganisationImporter,
    "service_items": ServiceItemImporter,
    "assessments": AssessmentImporter,
}
