"""The demo city's organisations: seed 001's ten Panlong care homes exactly as listed, and
generated care homes, street service centres, community stations, home-care providers, medical
institutions, an assessment organisation and the bureaus of the city and its districts."""

import datetime as dt
import math
import random
from dataclasses import dataclass, field
from decimal import Decimal

from yiyang.core.divisions import district_of
from yiyang.core.timeutils import years_before
from yiyang.institutions.models import Organisation
from yiyang.institutions.services import organisation_build
from yiyang.regions.models import Region

from . import creditcodes, tables
from .names import NameBook
from .places import CityMap, is_town, is_village, near, road_for, stem

PANLONG = "530103"
KIND = Organisation.Kind
PUBLIC, PRIVATE = Organisation.Ownership.PUBLIC, Organisation.Ownership.PRIVATE

# Share of older people living in an institution (seed 001: 90 % home, 7 % community, 3 %
# institution); homes get 25 % more beds than that needs, as real homes are never full.
INSTITUTION_SHARE = 0.03
SPARE_BEDS = 1.25
HOME_CARE_PER_DISTRICT = 3

SEED_CLINICS = (
    # Named in seed 001 (家庭医生签约 pilots): station or centre, community code.
    ("桃源社区卫生服务站", "530103002001"),
    ("金实社区卫生服务站", "530103005005"),
    ("金色交响社区卫生服务中心", "530103003008"),
)
BUREAUS = (
    ("民政局", "民政局"),
    ("卫生健康委员会", "卫生健康局"),
    ("医疗保障局", "医疗保障局"),
)
ASSESSMENT_NAME = "昆明市颐康老年人能力评估中心"


def _brands() -> list[str]:
    return tables.organisation_names()["brands"]


def _care_home_suffixes() -> list[str]:
    return tables.organisation_names()["care_home_suffixes"]


@dataclass
class CityOrganisations:
    care_homes: dict[str, list[Organisation]] = field(default_factory=dict)  # by district
    free_beds: dict[int, int] = field(default_factory=dict)  # care home id -> beds left
    centre_of_street: dict[str, Organisation] = field(default_factory=dict)
    station_of_community: dict[str, Organisation] = field(default_factory=dict)
    home_care: dict[str, list[Organisation]] = field(default_factory=dict)  # by district
    every: list[Organisation] = field(default_factory=list)


class _Builder:
    def __init__(self, rng: random.Random, cmap: CityMap, names: NameBook, as_of: dt.date):
        self.rng = rng
        self.cmap = cmap
        self.names = names
        self.as_of = as_of
        self.codes = creditcodes.CreditCodes(rng)
        self.orgs: list[Organisation] = []
        self.taken: set[tuple[str, str]] = set()

    def contact(self) -> tuple[str, str]:
        rng = self.rng
        sex = rng.choice("MF")
        name = self.names.person(sex, rng.randrange(1965, 1996))
        phone = self.names.mobile() if rng.random() < 0.7 else self.names.landline()
        return name, phone

    def add(
        self,
        *,
        name: str,
        kind: str,
        ownership: str,
        region: Region,
        registrar: str | None,
        spread: float = 0.002,
        address: str | None = None,
        **values,
    ) -> Organisation | None:
        if (region.code, name) in self.taken:
            return None
        self.taken.add((region.code, name))
        district = self.cmap.by_code[district_of(region.code)] if len(region.code) >= 6 else None
        lat, lng = near(self.rng, region, spread)
        if address is None and district is not None:
            community = region if region.level == Region.Level.COMMUNITY else None
            road = road_for(self.rng, district.code, community)
            address = f"昆明市{district.name}{road}{self.rng.randrange(1, 300)}号"
        contact_name, contact_phone = self.contact()
        org = organisation_build(
            values={
                "name": name,
                "credit_code": self.codes.make(registrar, district_of(region.code).ljust(6, "0"))
                if registrar
                else None,
                "kind": kind,
                "ownership": ownership,
                "region": region,
                "address": address or f"昆明市{region.name}",
                "lat": lat,
                "lng": lng,
                "contact_name": contact_name,
                "contact_phone": contact_phone,
                "is_active": True,
                **values,
            }
        )
        self.orgs.append(org)
        return org

    def since(self, first_year: int, last_year: int) -> dt.date:
        """A day in these years, never after the reference date."""
        end = min(dt.date(last_year, 12, 31), self.as_of - dt.timedelta(days=1))
        start = dt.date(first_year, 1, 1)
        if start >= end:
            start = end - dt.timedelta(days=365)
        return start + dt.timedelta(days=self.rng.randrange((end - start).days))


def organisations_plan(
    *,
    rng: random.Random,
    cmap: CityMap,
    names: NameBook,
    elders_by_district: dict[str, int],
    as_of: dt.date,
) -> tuple[list[Organisation], CityOrganisations]:
    """Unsaved organisations in a fixed order, and how the elder generator will use them."""
    b = _Builder(rng, cmap, names, as_of)
    city = CityOrganisations()
    _care_homes(b, city, elders_by_district)
    _community_services(b, city)
    _home_care(b, city)
    _medical(b)
    _assessment_and_bureaus(b)
    city.every = b.orgs
    return b.orgs, city


def _care_home_values(b: _Builder, beds: int, *, rural: bool) -> dict:
    rng = b.rng
    floor = Decimal(beds * rng.randrange(22, 45))
    land = floor * Decimal(rng.choice((0.6, 0.9, 1.2, 2.0, 3.5) if rural else (0.4, 0.6, 0.9, 1.3)))
    year = rng.randrange(2008, 2024)
    return {
        "beds": beds,
        "floor_area": floor.quantize(Decimal("1")),
        "land_area": land.quantize(Decimal("1")),
        "has_medical_agreement": rng.random() < 0.8,
        "licence_number": f"民养备〔{max(year, 2019)}〕{rng.randrange(1, 60)}号",
        "licence_valid_from": b.since(year, year),
    }


def _care_homes(b: _Builder, city: CityOrganisations, elders_by_district: dict[str, int]) -> None:
    rng = b.rng
    homes = tables.panlong_care_homes()
    for i, row in enumerate(homes, start=1):
        region = b.cmap.by_code[row["community_code"]]
        year = rng.randrange(2005, 2017)
        public = row["ownership"] == "public"
        org = b.add(
            name=row["name"],
            kind=KIND.CARE_HOME,
            ownership=PUBLIC if public else PRIVATE,
            region=region,
            registrar=creditcodes.PUBLIC_INSTITUTION
            if public
            else creditcodes.PRIVATE_NON_ENTERPRISE,
            address=row["address"],
            land_area=row["land_area"],
            floor_area=row["floor_area"],
            beds=row["beds"],
            # Seed 001: all ten homes give their residents medical care "in different forms",
            # first among them by signed agreements with medical institutions.
            has_medical_agreement=True,
            licence_number=f"盘民养备〔2019〕{i}号",
            licence_valid_from=b.since(year, year),
        )
        city.care_homes.setdefault(PANLONG, []).append(org)
    for district in b.cmap.districts:
        code = district.code
        needed = math.ceil(elders_by_district.get(code, 0) * INSTITUTION_SHARE * SPARE_BEDS)
        have = sum(o.beds for o in city.care_homes.get(code, []))
        streets = b.cmap.streets[code]
        n = 0
        while have < needed or (code != PANLONG and n < 2):
            n += 1
            if n == 1 and code != PANLONG:
                name, public, street = f"{district.name}社会福利院", True, streets[0]
            elif n <= 3 and code != PANLONG and any(is_town(s) for s in streets):
                street = rng.choice([s for s in streets if is_town(s)])
                name, public = f"{street.name}敬老院", True
            else:
                street = rng.choice(streets)
                name = district.name + rng.choice(_brands()) + rng.choice(_care_home_suffixes())
                public = False
            community = rng.choice(b.cmap.communities[street.code])
            beds = rng.choice((40, 60, 80, 100, 120, 150, 200, 260, 300))
            org = b.add(
                name=name,
                kind=KIND.CARE_HOME,
                ownership=PUBLIC if public else PRIVATE,
                region=community,
                registrar=creditcodes.PUBLIC_INSTITUTION
                if public
                else creditcodes.PRIVATE_NON_ENTERPRISE,
                **_care_home_values(b, beds, rural=is_village(community)),
            )
            if org is not None:
                city.care_homes.setdefault(code, []).append(org)
                have += beds


def _community_services(b: _Builder, city: CityOrganisations) -> None:
    rng = b.rng
    for district in b.cmap.districts:
        for street in b.cmap.streets[district.code]:
            org = b.add(
                name=f"{street.name}养老服务中心",
                kind=KIND.COMMUNITY_CENTRE,
                ownership=PUBLIC,
                region=street,
                registrar=creditcodes.PUBLIC_INSTITUTION,
                spread=0.004,
                beds=rng.randrange(20, 61, 5),
                floor_area=Decimal(rng.randrange(600, 2500, 50)),
                has_medical_agreement=rng.random() < 0.5,
            )
            city.centre_of_street[street.code] = org
            for community in b.cmap.communities[street.code]:
                village = is_village(community)
                if rng.random() >= (0.2 if village else 0.45):
                    continue
                private = rng.random() < 0.3
                suffix = "村养老服务站" if village else "社区居家养老服务站"
                org = b.add(
                    name=stem(community.name) + suffix,
                    kind=KIND.COMMUNITY_STATION,
                    ownership=PRIVATE if private else PUBLIC,
                    region=community,
                    # Stations a community runs itself are not separate legal persons.
                    registrar=creditcodes.PRIVATE_NON_ENTERPRISE if private else None,
                    beds=rng.randrange(4, 21, 2),
                    floor_area=Decimal(rng.randrange(150, 800, 10)),
                    has_medical_agreement=rng.random() < 0.2,
                )
                if org is not None:
                    city.station_of_community[community.code] = org


def _home_care(b: _Builder, city: CityOrganisations) -> None:
    rng = b.rng
    brands = list(_brands())
    rng.shuffle(brands)
    for district in b.cmap.districts:
        for k in range(HOME_CARE_PER_DISTRICT):
            brand = brands.pop()
            street = rng.choice(b.cmap.streets[district.code])
            company = k != 1
            name = (
                f"昆明{brand}居家养老服务有限公司"
                if company
                else f"{district.name}{brand}居家养老服务中心"
            )
            org = b.add(
                name=name,
                kind=KIND.HOME_CARE,
                ownership=PRIVATE,
                region=street,
                registrar=creditcodes.COMPANY if company else creditcodes.PRIVATE_NON_ENTERPRISE,
                spread=0.004,
                licence_valid_from=b.since(2015, 2023),
            )
            city.home_care.setdefault(district.code, []).append(org)


def _medical_licence(b: _Builder) -> dict:
    start = b.since(2020, 2025)
    return {
        "licence_number": f"PDY{b.rng.randrange(10**7):07d}",
        "licence_valid_from": start,
        "licence_valid_to": years_before(start, -5) - dt.timedelta(days=1),
    }


def _medical(b: _Builder) -> None:
    rng = b.rng
    for district in b.cmap.districts:
        for street in b.cmap.streets[district.code]:
            if street.code == "530103011":
                name = "滇源街道社区卫生服务中心（滇源中心卫生院）"  # so named in seed 001
            elif is_town(street):
                name = f"{street.name}卫生院"
            else:
                name = f"{street.name}社区卫生服务中心"
            b.add(
                name=name,
                kind=KIND.MEDICAL,
                ownership=PUBLIC,
                region=street,
                registrar=creditcodes.PUBLIC_INSTITUTION,
                spread=0.004,
                beds=rng.randrange(0, 61, 10) or None,
                **_medical_licence(b),
            )
        for suffix, beds in (("人民医院", (200, 700)), ("中医医院", (100, 350))):
            street = b.cmap.streets[district.code][0]
            b.add(
                name=district.name + suffix,
                kind=KIND.MEDICAL,
                ownership=PUBLIC,
                region=street,
                registrar=creditcodes.PUBLIC_INSTITUTION,
                beds=rng.randrange(*beds, 10),
                floor_area=Decimal(rng.randrange(15000, 80000, 500)),
                **_medical_licence(b),
            )
        if tables.districts()[district.code]["urban"]:
            street = rng.choice(b.cmap.streets[district.code])
            b.add(
                name=f"昆明{rng.choice(_brands())}康复医院",
                kind=KIND.MEDICAL,
                ownership=PRIVATE,
                region=street,
                registrar=creditcodes.PRIVATE_NON_ENTERPRISE,
                beds=rng.randrange(50, 200, 10),
                **_medical_licence(b),
            )
    for name, code in SEED_CLINICS:
        b.add(
            name=name,
            kind=KIND.MEDICAL,
            ownership=PUBLIC,
            region=b.cmap.by_code[code],
            registrar=creditcodes.PUBLIC_INSTITUTION,
            **_medical_licence(b),
        )


def _assessment_and_bureaus(b: _Builder) -> None:
    b.add(
        name=ASSESSMENT_NAME,
        kind=KIND.ASSESSMENT,
        ownership=PRIVATE,
        region=b.cmap.streets[PANLONG][0],
        registrar=creditcodes.PRIVATE_NON_ENTERPRISE,
        licence_valid_from=b.since(2019, 2022),
    )
    city = b.cmap.city
    for city_suffix, _district_suffix in BUREAUS:
        b.add(
            name=f"{city.name}{city_suffix}",
            kind=KIND.BUREAU,
            ownership=PUBLIC,
            region=city,
            registrar=creditcodes.ORGAN_OF_STATE,
            address=f"昆明市呈贡区{b.rng.choice(('彩云南路', '锦绣大街', '春融街'))}{b.rng.randrange(1, 300)}号",
        )
    for district in b.cmap.districts:
        for _city_suffix, district_suffix in BUREAUS:
            b.add(
                name=district.name + district_suffix,
                kind=KIND.BUREAU,
                ownership=PUBLIC,
                region=district,
                registrar=creditcodes.ORGAN_OF_STATE,
                spread=0.01,
            )
