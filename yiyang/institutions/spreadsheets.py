"""The organisation register's Excel sheet: its columns, the importer that files every row
through the register's own cleaner and builders, and the export."""

from collections.abc import Iterator

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yiyang.core import audit
from yiyang.core.exceptions import ValidationFailed
from yiyang.core.models import ChangeLog
from yiyang.core.scoping import region_in_scope, scoped
from yiyang.exchange.cells import parse_row
from yiyang.exchange.columns import (
    BOOL,
    CHOICE,
    DATE,
    DECIMAL,
    INTEGER,
    PHONE_HELP,
    REGION,
    YES_NO,
    Column,
    label_of,
)
from yiyang.exchange.completeness import CompletenessTable, Requirement
from yiyang.exchange.importers import BatchResult, Importer, RegionCache, bulk_update, too_long
from yiyang.exchange.kinds import DataKind, Export
from yiyang.institutions.errors import CREDIT_CODE_REASONS
from yiyang.institutions.models import Organisation
from yiyang.institutions.services import FIELDS as ORGANISATION_FIELDS
from yiyang.institutions.services import (
    OrganisationData,
    organisation_apply,
    organisation_build,
    organisation_clean,
    organisation_snapshot,
)
from yiyang.regions.models import Region

from .forms import OrganisationFilterForm
from .selectors import organisation_list

ORG_KIND = (
    ("care_home", "养老机构"),
    ("community_centre", "街道养老服务中心"),
    ("community_station", "社区养老服务站"),
    ("home_care", "居家养老服务机构"),
    ("medical", "医疗机构"),
    ("assessment", "评估机构"),
    ("bureau", "政府部门"),
)
OWNERSHIP = (("public", "公办"), ("private", "民办"))

ORGANISATION_COLUMNS = (
    Column("name", "名称", required=True, help=_("Registered name."), width=24),
    Column(
        "credit_code",
        "统一社会信用代码",
        help=_(
            "18 characters with a check character. A code already on record updates that "
            "organisation; without a code, the name and region identify it."
        ),
        width=22,
    ),
    Column("kind", "类型", CHOICE, required=True, choices=ORG_KIND, width=18),
    Column("ownership", "公办/民办", CHOICE, required=True, choices=OWNERSHIP, width=10),
    Column(
        "region_code",
        "区划代码",
        REGION,
        required=True,
        help=_("Code of the district, street or community (see the code sheet)."),
        width=16,
        fields=("region",),
    ),
    Column("address", "地址", width=28),
    Column("lat", "纬度", DECIMAL, help=_("Decimal degrees, 3 to 54.")),
    Column("lng", "经度", DECIMAL, help=_("Decimal degrees, 73 to 136.")),
    Column("land_area", "用地面积(㎡)", DECIMAL, help=_("Square metres.")),
    Column("floor_area", "建筑面积(㎡)", DECIMAL, help=_("Square metres.")),
    Column("beds", "床位", INTEGER, help=_("Number of beds (care homes)."), width=8),
    Column(
        "has_medical_agreement",
        "医养结合协议",
        BOOL,
        help=_("是 if the organisation has a medical-care cooperation agreement."),
        width=10,
    ),
    Column("licence_number", "许可证号", help=_("Licence or filing number."), width=18),
    Column("licence_valid_from", "许可起始日期", DATE, help=_("A date such as 2024-01-31.")),
    Column("licence_valid_to", "许可截止日期", DATE, help=_("Not before the start date.")),
    Column("contact_name", "联系人", width=10),
    Column("contact_phone", "联系电话", help=PHONE_HELP, width=14),
)


# -- the importer ---------------------------------------------------------------------------


class OrganisationImporter(Importer):
    kind = "organisations"
    model = Organisation
    columns = ORGANISATION_COLUMNS

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
            too_long(Organisation, {k: values[k] for k in ("address", "contact_phone")}, errors, {})
            cleaned = None
            try:
                cleaned = organisation_clean(
                    actor=self.actor, data=data, current=current, regions=self.regions
                )
            except ValidationFailed as exc:
                self.merge(errors, exc)
            if cleaned is not None:
                too_long(Organisation, cleaned, errors, {"region": "region_code"})
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


# -- the export ------------------------------------------------------------------------------


def export_rows(qs) -> Iterator[list]:
    for o in qs.iterator(chunk_size=2000):
        yield [
            o.name,
            o.credit_code or "",
            label_of(ORG_KIND, o.kind),
            label_of(OWNERSHIP, o.ownership),
            o.region_code,
            o.address,
            o.lat,
            o.lng,
            o.land_area,
            o.floor_area,
            o.beds,
            YES_NO[o.has_medical_agreement],
            o.licence_number,
            o.licence_valid_from,
            o.licence_valid_to,
            o.contact_name,
            o.contact_phone,
        ]


def export_filters(query, *, actor):
    return OrganisationFilterForm(query, actor=actor).filters()


KIND = DataKind(
    key="organisations",
    label=gettext_lazy("Organisations"),
    columns=ORGANISATION_COLUMNS,
    sheet_title="机构信息",
    file_stem="organisations",
    importer=OrganisationImporter,
    import_capabilities=("imports.run", "orgs.edit"),
    template_levels=(Region.Level.DISTRICT, Region.Level.STREET, Region.Level.COMMUNITY),
    export=Export(
        capability="orgs.view",
        columns=lambda: list(ORGANISATION_COLUMNS),
        queryset=lambda actor, filters: organisation_list(actor=actor, filters=filters),
        filters=export_filters,
        rows=export_rows,
        entity="institutions.organisation",
    ),
    order=20,
)


# -- data completeness (exchange.completeness) -------------------------------------------------

LICENSED = (Organisation.Kind.CARE_HOME, Organisation.Kind.MEDICAL)

# Required fields of organisations in operation: credit code, address, coordinates, contact
# phone; beds for care homes; licence start and end dates for care homes and medical
# institutions.
ORGANISATION_REQUIREMENTS = (
    Requirement(
        "credit_code",
        gettext_lazy("Credit code"),
        Q(credit_code__isnull=False) & ~Q(credit_code=""),
    ),
    Requirement("address", gettext_lazy("Address"), ~Q(address="")),
    Requirement(
        "coordinates", gettext_lazy("Coordinates"), Q(lat__isnull=False, lng__isnull=False)
    ),
    Requirement(
        "beds",
        gettext_lazy("Beds"),
        Q(beds__isnull=False),
        applies=Q(kind=Organisation.Kind.CARE_HOME),
    ),
    Requirement(
        "licence",
        gettext_lazy("Licence dates"),
        Q(licence_valid_from__isnull=False, licence_valid_to__isnull=False),
        applies=Q(kind__in=LICENSED),
    ),
    Requirement("contact_phone", gettext_lazy("Contact phone"), ~Q(contact_phone="")),
)

COMPLETENESS = CompletenessTable(
    key="organisations",
    label=gettext_lazy("Organisations"),
    requirements=ORGANISATION_REQUIREMENTS,
    records=lambda actor, code: scoped(Organisation.objects.all(), actor).filter(
        is_active=True, region_code__startswith=code
    ),
    order=20,
)
