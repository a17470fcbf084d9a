"""Data completeness per district (seed 000: "92 % complete").

A record's completeness is the share of its required fields that are filled in; a region's is
the share over all its records and required fields. Everything is counted in the database with
grouped aggregates (COUNT ... FILTER / CASE WHEN), a handful of queries per page whatever the
number of people, so it works on a city of a million older people.

Required fields of the elder registry (active people only):
  phone, address, coordinates, ethnicity, living arrangement (with the institution for people in
  one), economic situation, medical insurance, at least one guardian or emergency contact, and a
  health profile with something recorded in it.
Required fields of organisations (those in operation):
  credit code, address, coordinates, contact phone; beds for care homes; licence start and end
  dates for care homes and medical institutions.
"""

from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.db.models.functions import Substr
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from yiyang.core.divisions import LENGTH_BY_LEVEL, BadDivisionCode, level_of
from yiyang.core.exceptions import NotFound
from yiyang.core.scoping import require, scoped
from yiyang.institutions.models import Organisation
from yiyang.people.models import Elder, Guardian, HealthProfile
from yiyang.regions.models import Region
from yiyang.regions.selectors import region_in_scope_get, region_path


@dataclass(frozen=True)
class Requirement:
    key: str
    label: Promise
    filled: Q | None  # None: counted by a separate grouped query (see _elder_groups)
    applies: Q | None = None  # None: every record


ELDER_REQUIREMENTS = (
    Requirement("phone", _("Phone"), ~Q(phone="")),
    Requirement("address", _("Address"), ~Q(address="")),
    Requirement("coordinates", _("Coordinates"), Q(lat__isnull=False, lng__isnull=False)),
    Requirement("ethnicity", _("Ethnicity"), ~Q(ethnicity="")),
    Requirement(
        "living_arrangement",
        _("Living arrangement"),
        Q(living_arrangement="home")
        | Q(living_arrangement__in=["community", "institution"], institution__isnull=False),
    ),
    Requirement("economic_status", _("Economic situation"), ~Q(economic_status="")),
    Requirement("insurance", _("Medical insurance"), ~Q(insurance="")),
    Requirement("contact", _("Guardian or emergency contact"), None),
    Requirement("health", _("Health profile"), None),
)

LICENSED = ("care_home", "medical")
ORGANISATION_REQUIREMENTS = (
    Requirement("credit_code", _("Credit code"), Q(credit_code__isnull=False) & ~Q(credit_code="")),
    Requirement("address", _("Address"), ~Q(address="")),
    Requirement("coordinates", _("Coordinates"), Q(lat__isnull=False, lng__isnull=False)),
    Requirement("beds", _("Beds"), Q(beds__isnull=False), applies=Q(kind="care_home")),
    Requirement(
        "licence",
        _("Licence dates"),
        Q(licence_valid_from__isnull=False, licence_valid_to__isnull=False),
        applies=Q(kind__in=LICENSED),
    ),
    Requirement("contact_phone", _("Contact phone"), ~Q(contact_phone="")),
)
HEALTH_RECORDED = (
    ~Q(chronic_conditions="") | ~Q(medications="") | ~Q(allergies="") | ~Q(blood_type="")
)


@dataclass
class Cell:
    filled: int = 0
    applicable: int = 0

    @property
    def percent(self) -> float | None:
        if not self.applicable:
            return None
        return round(100 * self.filled / self.applicable, 1)


@dataclass
class Line:
    code: str
    name: str
    records: int = 0
    cells: dict[str, Cell] = field(default_factory=dict)
    can_drill: bool = False

    @property
    def filled(self) -> int:
        return sum(c.filled for c in self.cells.values())

    @property
    def applicable(self) -> int:
        return sum(c.applicable for c in self.cells.values())

    @property
    def percent(self) -> float | None:
        return Cell(self.filled, self.applicable).percent

    def ordered(self, requirements) -> list[Cell]:
        return [self.cells.get(r.key, Cell()) for r in requirements]


@dataclass
class Table:
    requirements: tuple[Requirement, ...]
    lines: list[Line]
    total: Line

    def rows(self):
        """(line, cells in requirement order) for the template."""
        return [(line, line.ordered(self.requirements)) for line in self.lines]

    @property
    def total_cells(self) -> list[Cell]:
        return self.total.ordered(self.requirements)


@dataclass
class Report:
    region: Region
    path: list[Region]
    elders: Table
    organisations: Table


def _child_length(code: str) -> int:
    level = level_of(code)
    return LENGTH_BY_LEVEL.get(level + 1, len(code))


def _counts(qs, requirements, length: int, code_field: str) -> dict[str, dict]:
    """One grouped query: per child-region prefix, the record count and per requirement the
    applicable and filled counts."""
    aggregates = {"records": Count("pk")}
    for r in requirements:
        if r.filled is None:
            continue
        applies = r.applies if r.applies is not None else Q()
        aggregates[f"{r.key}__a"] = Count("pk", filter=applies) if r.applies else Count("pk")
        aggregates[f"{r.key}__f"] = Count("pk", filter=applies & r.filled)
    rows = (
        qs.annotate(group=Substr(code_field, 1, length))
        .values("group")
        .annotate(**aggregates)
        .order_by("group")
    )
    return {row["group"]: row for row in rows}


def _grouped(qs, length: int, code_field: str) -> dict[str, int]:
    rows = (
        qs.annotate(group=Substr(code_field, 1, length))
        .values("group")
        .annotate(n=Count("elder_id", distinct=True))
        .order_by("group")
    )
    return {row["group"]: row["n"] for row in rows}


def _table(
    requirements, counts: dict[str, dict], extra: dict[str, dict[str, int]], region, children
):
    names = {c.code: c.name for c in children}
    codes = [c.code for c in children]
    codes += sorted(set(counts) - set(codes))
    lines = []
    total = Line(code=region.code, name=region.name)
    for code in codes:
        row = counts.get(code)
        name = names.get(code)
        if name is None:
            if code != region.code:
                name = code
            elif children:
                name = str(_("%(name)s (recorded at this level)") % {"name": region.name})
            else:
                name = region.name
        line = Line(code=code, name=name, can_drill=code in names and len(code) < 12)
        line.records = row["records"] if row else 0
        for r in requirements:
            if r.filled is None:
                cell = Cell(extra[r.key].get(code, 0), line.records)
            else:
                cell = Cell(row[f"{r.key}__f"], row[f"{r.key}__a"]) if row else Cell()
            line.cells[r.key] = cell
            total_cell = total.cells.setdefault(r.key, Cell())
            total_cell.filled += cell.filled
            total_cell.applicable += cell.applicable
        total.records += line.records
        lines.append(line)
    return Table(requirements=requirements, lines=lines, total=total)


def completeness_report(*, actor, region_code: str = "") -> Report:
    """Completeness of the registry and the organisation register for the children of one
    region (a district's streets, a city's districts) inside the actor's scope."""
    require(actor, "completeness.view")
    # The region must lie inside the actor's scope, like any record they read.
    region = region_in_scope_get(actor=actor, code=region_code or actor.region_code)
    code = region.code
    try:
        length = _child_length(code)
    except BadDivisionCode as exc:
        raise NotFound() from exc
    children = list(Region.objects.filter(parent=region).order_by("code"))
    path = [r for r in region_path(region) if len(r.code) >= len(actor.region_code)]

    elders = scoped(Elder.objects.all(), actor).filter(
        status=Elder.Status.ACTIVE, region_code__startswith=code
    )
    elder_counts = _counts(elders, ELDER_REQUIREMENTS, length, "region_code")
    guardians = scoped(Guardian.objects.all(), actor).filter(
        elder__status=Elder.Status.ACTIVE, elder__region_code__startswith=code
    )
    health = (
        scoped(HealthProfile.objects.all(), actor)
        .filter(elder__status=Elder.Status.ACTIVE, elder__region_code__startswith=code)
        .filter(HEALTH_RECORDED)
    )
    extra = {
        "contact": _grouped(guardians, length, "elder__region_code"),
        "health": _grouped(health, length, "elder__region_code"),
    }
    organisations = scoped(Organisation.objects.all(), actor).filter(
        is_active=True, region_code__startswith=code
    )
    org_counts = _counts(organisations, ORGANISATION_REQUIREMENTS, length, "region_code")
    return Report(
        region=region,
        path=path,
        elders=_table(ELDER_REQUIREMENTS, elder_counts, extra, region, children),
        organisations=_table(ORGANISATION_REQUIREMENTS, org_counts, {}, region, children),
    )
