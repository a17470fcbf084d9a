"""Where demo people and organisations are: the division tree in memory, points, addresses."""

import random
from dataclasses import dataclass, field
from decimal import Decimal

from yiyang.core.divisions import district_of, street_of
from yiyang.regions.models import Region

from . import tables

CITY = "5301"
PLACES = Decimal("0.000001")
_SUFFIXES = ("社区居民委员会", "社区居委会", "村民委员会", "居民委员会", "居委会", "村委会", "社区")


@dataclass
class CityMap:
    """Kunming's districts, streets and communities, loaded once for the whole build."""

    city: Region
    districts: list[Region]
    streets: dict[str, list[Region]] = field(default_factory=dict)  # district code -> streets
    communities: dict[str, list[Region]] = field(default_factory=dict)  # street code -> ...
    by_code: dict[str, Region] = field(default_factory=dict)

    @classmethod
    def load(cls) -> "CityMap":
        rows = list(Region.objects.filter(code__startswith=CITY).order_by("code"))
        by_code = {r.code: r for r in rows}
        city = by_code[CITY]
        cmap = cls(city=city, districts=[r for r in rows if r.level == Region.Level.DISTRICT])
        cmap.by_code = by_code
        for region in rows:
            if region.level == Region.Level.STREET:
                cmap.streets.setdefault(district_of(region.code), []).append(region)
            elif region.level == Region.Level.COMMUNITY:
                cmap.communities.setdefault(street_of(region.code), []).append(region)
        return cmap

    def district_communities(self, district_code: str) -> list[Region]:
        return [c for s in self.streets.get(district_code, []) for c in self.communities[s.code]]


def stem(name: str) -> str:
    """尚义社区居委会 -> 尚义; 白邑村委会 -> 白邑."""
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def is_village(region: Region) -> bool:
    return region.name.endswith(("村委会", "村民委员会"))


def is_town(street: Region) -> bool:
    return street.name.endswith(("镇", "乡"))


def near(rng: random.Random, region: Region, spread: float) -> tuple[Decimal, Decimal]:
    """A point within `spread` degrees of the region's point (a street block, a village)."""
    lat = float(region.lat) + (rng.random() * 2 - 1) * spread
    lng = float(region.lng) + (rng.random() * 2 - 1) * spread * 1.1
    return Decimal(f"{lat:.6f}"), Decimal(f"{lng:.6f}")


def road_for(rng: random.Random, district_code: str, community: Region | None = None) -> str:
    roads = tables.districts()[district_code]["roads"]
    if community is not None and rng.random() < 0.5:
        base = stem(community.name)
        return base if base.endswith(("路", "街", "巷", "道")) else base + rng.choice("路街")
    return rng.choice(roads)


def home_address(rng: random.Random, district: Region, street: Region, community: Region) -> str:
    """A home address inside the community: road and number, compound, building, flat."""
    data = tables.compounds()
    if is_village(community):
        group = rng.choice(data["village_groups"])
        return (
            f"昆明市{district.name}{street.name}{stem(community.name)}村委会"
            f"{group}{rng.randrange(1, 180)}号"
        )
    road = road_for(rng, district.code, community)
    if rng.random() < 0.35:
        compound = rng.choice(data["work_units"]) + "宿舍"
    else:
        head = stem(community.name) if rng.random() < 0.5 else rng.choice(data["compound_stems"])
        compound = head + rng.choice(data["compound_suffixes"])
    floor = rng.randrange(1, 8)
    return (
        f"昆明市{district.name}{road}{rng.randrange(1, 400)}号{compound}"
        f"{rng.randrange(1, 16)}幢{rng.randrange(1, 5)}单元{floor}{rng.randrange(1, 5):02d}室"
    )
