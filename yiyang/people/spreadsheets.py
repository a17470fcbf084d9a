"""The elder registry's Excel sheet: its columns (the Chinese headers districts fill in are part
of the file format), the importer that files every row through the registry's own cleaner and
builders (services.elder_clean, elder_build, elder_apply, guardian_clean), and the export."""

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yiyang.accounts.models import account_of
from yiyang.core import audit, crypto
from yiyang.core.exceptions import ValidationFailed
from yiyang.core.models import ChangeLog
from yiyang.core.scoping import region_in_scope, scoped
from yiyang.core.timeutils import local_today
from yiyang.exchange.cells import parse_row
from yiyang.exchange.columns import (
    BOOL,
    CHOICE,
    DATE,
    DECIMAL,
    ID_NUMBER,
    PHONE_HELP,
    REGION,
    YES_NO,
    Column,
    label_of,
)
from yiyang.exchange.completeness import CompletenessTable, Related, Requirement
from yiyang.exchange.importers import BatchResult, Importer, RegionCache, bulk_update, too_long
from yiyang.exchange.kinds import DataKind, Export
from yiyang.institutions.models import Organisation
from yiyang.people import idnumbers
from yiyang.people.errors import ID_REASONS, ElderNotEditable
from yiyang.people.models import Elder, Fact, Guardian, HealthProfile
from yiyang.people.services import EDITABLE as ELDER_EDITABLE
from yiyang.people.services import (
    ElderData,
    elder_apply,
    elder_build,
    elder_clean,
    elder_snapshot,
    fact_values,
    facts_changed,
    facts_opening,
    facts_record,
    guardian_clean,
)
from yiyang.regions.models import Region

from .forms import ElderFilterForm
from .selectors import elder_list

HEALTH_KEYS = ("chronic_conditions", "medications", "allergies")

ECONOMIC = (("tekun", "特困"), ("dibao", "低保"), ("low_income", "低收入"), ("ordinary", "普通"))
INSURANCE = (("employee", "职工医保"), ("resident", "居民医保"), ("none", "无"))
LIVING = (("home", "居家"), ("community", "社区"), ("institution", "机构"))
RELATION = (
    ("spouse", "配偶"),
    ("child", "子女"),
    ("child_in_law", "儿媳/女婿"),
    ("grandchild", "孙辈"),
    ("sibling", "兄弟姐妹"),
    ("relative", "其他亲属"),
    ("neighbour", "邻居"),
    ("community", "社区工作者"),
    ("other", "其他"),
)

ELDER_COLUMNS = (
    Column("name", "姓名", required=True, help=_("Full name as on the ID card."), width=10),
    Column(
        "id_number",
        "身份证号",
        ID_NUMBER,
        required=True,
        help=_(
            "18-character national ID number, entered as text. Birth date and sex are taken "
            "from it. A number already on record updates that person instead of adding them."
        ),
        width=22,
        fields=("birth_date", "sex"),
    ),
    Column(
        "region_code",
        "社区(村)代码",
        REGION,
        required=True,
        help=_(
            "12-digit statistical code of the community or village (see the code sheet); "
            "it must lie inside your region."
        ),
        width=16,
        fields=("region",),
    ),
    Column("address", "地址", required=True, help=_("Home address."), width=28),
    Column("phone", "电话", help=PHONE_HELP, width=14),
    Column("ethnicity", "民族", default="汉族", help=_("Empty means 汉族."), width=8),
    Column(
        "lat", "纬度", DECIMAL, help=_("Decimal degrees, 3 to 54; empty takes the community's.")
    ),
    Column(
        "lng", "经度", DECIMAL, help=_("Decimal degrees, 73 to 136; empty takes the community's.")
    ),
    Column("lives_alone", "独居", BOOL, help=_("是 or 否; empty means 否."), width=8),
    Column("empty_nest", "空巢", BOOL, help=_("是 or 否; empty means 否."), width=8),
    Column(
        "special_family", "计划生育特殊家庭", BOOL, help=_("是 or 否; empty means 否."), width=10
    ),
    Column(
        "economic_status",
        "经济状况",
        CHOICE,
        choices=ECONOMIC,
        default="ordinary",
        help=_("Empty means 普通."),
        width=10,
    ),
    Column(
        "insurance",
        "医保类型",
        CHOICE,
        choices=INSURANCE,
        default="resident",
        help=_("Empty means 居民医保."),
        width=10,
    ),
    Column(
        "living_arrangement",
        "居住方式",
        CHOICE,
        choices=LIVING,
        default="home",
        help=_("Empty means 居家. 机构 requires the institution's credit code."),
        width=10,
    ),
    Column(
        "institution_credit_code",
        "机构信用代码",
        help=_(
            "Unified social credit code of the care home or day-care centre the person "
            "lives in or attends (for 机构 and 社区)."
        ),
        width=22,
        fields=("institution",),
    ),
    Column(
        "facts_from",
        "情况变更日期",
        DATE,
        help=_(
            "The day this row's economic situation, insurance, living arrangement and community "
            "hold from, when they change (e.g. 2026-03-01); empty means the day of the import."
        ),
        width=12,
    ),
    Column(
        "guardian_name",
        "监护人姓名",
        help=_("One guardian or emergency contact; leave the three columns empty if none."),
        width=10,
    ),
    Column(
        "guardian_relation",
        "监护人关系",
        CHOICE,
        choices=RELATION,
        help=_("Relation of the guardian to the older person."),
        width=10,
    ),
    Column("guardian_phone", "监护人电话", help=PHONE_HELP, width=14),
    Column(
        "chronic_conditions",
        "慢性病",
        help=_("Chronic conditions. Health data: empty leaves what is on record."),
        width=16,
    ),
    Column("medications", "用药", help=_("Regular medications."), width=16),
    Column("allergies", "过敏", help=_("Allergies."), width=12),
)


# -- the importer ----------------------------------------------------------------------------


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
    columns = ELDER_COLUMNS

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
            facts_from=values["facts_from"],
        )
        too_long(Elder, {k: values[k] for k in ("address", "phone")}, errors, {})
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
            too_long(Elder, cleaned.values, errors, {})

        guardian = None
        given = (values["guardian_name"], values["guardian_relation"], values["guardian_phone"])
        if any(given):
            try:
                guardian = guardian_clean(name=given[0], relation=given[1], phone=given[2])
            except ValidationFailed as exc:
                for name, reason in exc.fields.items():
                    errors.setdefault(f"guardian_{name}", str(reason))
            else:
                del guardian["priority"]  # the call order follows the person's other contacts
        health = {k: values[k] for k in HEALTH_KEYS if values[k]}
        return _ElderRow(number, raw, cleaned, editable, health, guardian)

    def _write(self, rows: list[_ElderRow], result: BatchResult) -> None:
        now = timezone.now()
        now_day = local_today()
        logs: list[ChangeLog] = []
        new_rows = [r for r in rows if r.current is None]
        old_rows = [r for r in rows if r.current is not None]

        elders = [elder_build(cleaned=r.cleaned) for r in new_rows]
        Elder.objects.bulk_create(elders)
        profiles, guardians, facts = [], [], []
        by = account_of(self.actor)
        for row, elder in zip(new_rows, elders, strict=True):
            facts += [
                Fact(elder=elder, **f)
                for f in facts_opening(
                    row.cleaned.values | {"region_code": elder.region_code, "status": "active"},
                    on=row.cleaned.facts_from,
                    source=Fact.Source.IMPORT,
                    reference=f"import #{self.job.pk}",
                    recorded_at=now,
                    recorded_by_id=by.pk if by else None,
                )
            ]
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
            facts_by_day: dict = defaultdict(list)
            for row in old_rows:
                elder = row.current
                before = fact_values(elder)
                changes = elder_apply(elder=elder, cleaned=row.cleaned)
                changed = facts_changed(before, fact_values(elder))
                if changed:
                    facts_by_day[row.cleaned.facts_from].append((elder, changed))
                    if row.cleaned.facts_from != now_day:
                        changes["facts_from"] = [None, row.cleaned.facts_from.isoformat()]
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
            for day, people in facts_by_day.items():
                facts_record(
                    people,
                    on=day,
                    source=Fact.Source.IMPORT,
                    reference=f"import #{self.job.pk}",
                    actor=self.actor,
                )
            if changed_elders:
                fields = changed_fields & set(ELDER_EDITABLE)
                fields |= {"region_code", "name_pinyin", "name_initials", "phone_digits"}
                fields |= {"version", "updated_at"}
                bulk_update(Elder, changed_elders, sorted(fields))
            if profile_updates:
                bulk_update(HealthProfile, profile_updates, [*HEALTH_KEYS, "updated_at"])
            if guardian_updates:
                bulk_update(Guardian, guardian_updates, ["relation", "phone"])
        Fact.objects.bulk_create(facts)
        HealthProfile.objects.bulk_create(profiles)
        Guardian.objects.bulk_create(guardians)
        ChangeLog.objects.bulk_create(logs)


# -- the export ------------------------------------------------------------------------------


def export_columns() -> list[Column]:
    # The facts' dates are on the record page, not one per row.
    base = [c for c in ELDER_COLUMNS if c.key not in (*HEALTH_KEYS, "facts_from")]
    base = [replace(c, header="身份证号(脱敏)") if c.key == "id_number" else c for c in base]
    return [
        *base,
        Column("birth_date", "出生日期", DATE),
        Column("sex", "性别", width=6),
        Column("status", "状态", width=8),
    ]


def export_queryset(actor, filters):
    return (
        elder_list(actor=actor, filters=filters)
        .select_related("institution")
        .prefetch_related("guardians")
    )


def export_filters(query, *, actor):
    """The elder list's own filters, read from its query string exactly as the list reads it."""
    return ElderFilterForm(query, actor=actor).filters()


def export_rows(qs) -> Iterator[list]:
    sex = {"M": "男", "F": "女"}
    status = {"active": "在册", "moved_out": "迁出", "deceased": "死亡"}
    for e in qs.iterator(chunk_size=2000):
        guardian = next(iter(e.guardians.all()), None)
        yield [
            e.name,
            e.id_number_masked,
            e.region_code,
            e.address,
            e.phone,
            e.ethnicity,
            e.lat,
            e.lng,
            YES_NO[e.lives_alone],
            YES_NO[e.empty_nest],
            YES_NO[e.special_family],
            label_of(ECONOMIC, e.economic_status),
            label_of(INSURANCE, e.insurance),
            label_of(LIVING, e.living_arrangement),
            e.institution.credit_code if e.institution_id and e.institution else "",
            guardian.name if guardian else "",
            label_of(RELATION, guardian.relation) if guardian else "",
            guardian.phone if guardian else "",
            e.birth_date,
            sex.get(e.sex, e.sex),
            status.get(e.status, e.status),
        ]


KIND = DataKind(
    key="elders",
    label=gettext_lazy("Older people"),
    columns=ELDER_COLUMNS,
    sheet_title="老人信息",
    file_stem="elders",
    importer=ElderImporter,
    import_capabilities=("imports.run", "elders.edit"),
    template_levels=(Region.Level.COMMUNITY,),
    export=Export(
        capability="elders.view",
        columns=export_columns,
        queryset=export_queryset,
        filters=export_filters,
        rows=export_rows,
        entity="people.elder",
    ),
    order=10,
)


# -- data completeness (exchange.completeness) -------------------------------------------------

HEALTH_RECORDED = (
    ~Q(chronic_conditions="") | ~Q(medications="") | ~Q(allergies="") | ~Q(blood_type="")
)


def _active(actor, code):
    return scoped(Elder.objects.all(), actor).filter(
        status=Elder.Status.ACTIVE, region_code__startswith=code
    )


def _guardians(actor, code):
    return scoped(Guardian.objects.all(), actor).filter(
        elder__status=Elder.Status.ACTIVE, elder__region_code__startswith=code
    )


def _health(actor, code):
    return (
        scoped(HealthProfile.objects.all(), actor)
        .filter(elder__status=Elder.Status.ACTIVE, elder__region_code__startswith=code)
        .filter(HEALTH_RECORDED)
    )


# Required fields of the elder registry (active people only): phone, address, coordinates,
# ethnicity, living arrangement (with the institution for people in one), economic situation,
# medical insurance, at least one guardian or emergency contact, and a health profile with
# something recorded in it.
ELDER_REQUIREMENTS = (
    Requirement("phone", gettext_lazy("Phone"), ~Q(phone="")),
    Requirement("address", gettext_lazy("Address"), ~Q(address="")),
    Requirement(
        "coordinates", gettext_lazy("Coordinates"), Q(lat__isnull=False, lng__isnull=False)
    ),
    Requirement("ethnicity", gettext_lazy("Ethnicity"), ~Q(ethnicity="")),
    Requirement(
        "living_arrangement",
        gettext_lazy("Living arrangement"),
        Q(living_arrangement="home")
        | Q(living_arrangement__in=["community", "institution"], institution__isnull=False),
    ),
    Requirement("economic_status", gettext_lazy("Economic situation"), ~Q(economic_status="")),
    Requirement("insurance", gettext_lazy("Medical insurance"), ~Q(insurance="")),
    Requirement(
        "contact",
        gettext_lazy("Guardian or emergency contact"),
        None,
        related=Related(_guardians, "elder__region_code", "elder_id"),
    ),
    Requirement(
        "health",
        gettext_lazy("Health profile"),
        None,
        related=Related(_health, "elder__region_code", "elder_id"),
    ),
)

COMPLETENESS = CompletenessTable(
    key="elders",
    label=gettext_lazy("Older people"),
    requirements=ELDER_REQUIREMENTS,
    records=_active,
    order=10,
)
