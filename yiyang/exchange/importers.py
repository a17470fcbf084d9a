"""One importer per kind of data. Each takes a batch of rows, validates every row with the
same cleaner the form uses, and (when asked to write) saves the valid rows with bulk queries.

A batch costs a handful of queries whatever its size: the existing records of the batch are
fetched by their keys in one query, regions and organisations come from caches, and creates,
updates and history rows are bulk-inserted. The caller owns the transaction.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import connections, router
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from yiyang.core import audit, crypto
from yiyang.core.exceptions import ValidationFailed
from yiyang.core.models import ChangeLog
from yiyang.core.scoping import region_in_scope
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

from .cells import parse_row
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


IMPORTERS: dict[str, type[Importer]] = {
    "elders": ElderImporter,
    "organisations": OrganisationImporter,
    "service_items": ServiceItemImporter,
}
