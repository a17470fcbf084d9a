"""Data completeness per district (seed 000: "92 % complete").

A record's completeness is the share of its required fields that are filled in; a region's is
the share over all its records and required fields. Each app declares its table (exchange
declarations: `declare_table(CompletenessTable(...))`): the records counted, and what each
requirement asks of them (people's registry: phone, address, a guardian...; the organisation
register: credit code, licence dates...). Everything is counted in the database with grouped
aggregates (COUNT ... FILTER / CASE WHEN), a handful of queries per page whatever the number of
records, so it works on a city of a million older people.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from yiyang.core.divisions import LENGTH_BY_LEVEL, BadDivisionCode, level_of
from yiyang.core.exceptions import NotFound
from yiyang.core.scoping import require
from yiyang.regions.models import Region
from yiyang.regions.selectors import region_in_scope_get, region_path


@dataclass(frozen=True)
class Related:
    """A requirement met by rows of another model (a guardian, a health profile): the rows
    inside the actor's scope under a region code, grouped by `code_field`, counting distinct
    `record` ids."""

    rows: Callable[[Any, str], QuerySet]
    code_field: str
    record: str


@dataclass(frozen=True)
class Requirement:
    key: str
    label: Promise
    filled: Q | None  # None: counted through `related`
    applies: Q | None = None  # None: every record
    related: Related | None = None


@dataclass(frozen=True)
class CompletenessTable:
    key: str
    label: Promise | str
    requirements: tuple[Requirement, ...]
    # The records counted: inside the actor's scope, under a region code.
    records: Callable[[Any, str], QuerySet]
    code_field: str = "region_code"
    order: int = 100


_tables: dict[str, CompletenessTable] = {}


def declare_table(table: CompletenessTable) -> None:
    if table.key in _tables:
        raise ImproperlyConfigured(f"completeness table {table.key} is declared twice")
    _tables[table.key] = table


def tables() -> list[CompletenessTable]:
    return sorted(_tables.values(), key=lambda t: (t.order, t.key))


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
    key: str = ""
    label: Promise | str = ""

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
    tables: list[Table]

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)


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


def _grouped(qs, length: int, code_field: str, record: str) -> dict[str, int]:
    rows = (
        qs.annotate(group=Substr(code_field, 1, length))
        .values("group")
        .annotate(n=Count(record, distinct=True))
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

    built = []
    for spec in tables():
        counts = _counts(spec.records(actor, code), spec.requirements, length, spec.code_field)
        extra = {
            r.key: _grouped(
                r.related.rows(actor, code), length, r.related.code_field, r.related.record
            )
            for r in spec.requirements
            if r.related is not None
        }
        table = _table(spec.requirements, counts, extra, region, children)
        table.key, table.label = spec.key, spec.label
        built.append(table)
    return Report(region=region, path=path, tables=built)
