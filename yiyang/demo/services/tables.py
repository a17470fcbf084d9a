"""The reference tables in yiyang/demo/data, read once (see data/SOURCE.md)."""

import csv
import json
from decimal import Decimal
from functools import lru_cache
from itertools import accumulate
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


def _json(name: str) -> dict:
    with (DATA_DIR / name).open(encoding="utf-8") as fh:
        return json.load(fh)


@lru_cache(maxsize=1)
def districts() -> dict[str, dict]:
    return _json("districts.json")["districts"]


@lru_cache(maxsize=1)
def surnames() -> tuple[list[str], list[float]]:
    """Surnames and their cumulative weights, for random.Random.choices(cum_weights=...)."""
    with (DATA_DIR / "surnames.csv").open(encoding="utf-8", newline="") as fh:
        rows = [(r["surname"], float(r["weight"])) for r in csv.DictReader(fh)]
    return [s for s, _w in rows], list(accumulate(w for _s, w in rows))


@lru_cache(maxsize=1)
def given_names() -> dict:
    return _json("given_names.json")


@lru_cache(maxsize=1)
def health() -> dict:
    return _json("health.json")


@lru_cache(maxsize=1)
def compounds() -> dict:
    return _json("compounds.json")


@lru_cache(maxsize=1)
def organisation_names() -> dict:
    return _json("organisation_names.json")


@lru_cache(maxsize=1)
def panlong_care_homes() -> list[dict]:
    """Seed 001's table: name, land and floor area (m²), beds, public/private."""
    with (DATA_DIR / "panlong_care_homes.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        row["land_area"] = Decimal(row["land_area"])
        row["floor_area"] = Decimal(row["floor_area"])
        row["beds"] = int(row["beds"])
    return rows
