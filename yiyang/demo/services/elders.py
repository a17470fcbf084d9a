"""Older people of the demo city: one seeded random.Random draws every value in a fixed order,
so the same seed, size and reference date give the same people, byte for byte (only the
ID-number ciphertext differs: AES-GCM takes a fresh nonce each time, as it must)."""

import datetime as dt
import random
from dataclasses import dataclass
from itertools import accumulate

from django.utils import timezone

from yiyang.core.divisions import street_of
from yiyang.core.timeutils import add_months, age_on, years_before
from yiyang.institutions.models import Organisation
from yiyang.people import idnumbers
from yiyang.people.models import Elder, Fact, Guardian
from yiyang.people.services import elder_derived, facts_opening
from yiyang.regions.models import Region

from . import tables
from .names import NameBook
from .organisations import INSTITUTION_SHARE, CityOrganisations
from .places import CityMap, home_address, is_village, near

# (first age of the band, share of all people 60+, share of women in the band): China's 2020
# census aged forward to 2026, when the large 1962-1966 cohorts are 60-64; women's share
# rises with age as men die younger. 80+ come to 13.3 %, 100+ to 0.05 %.
AGE_BANDS = (
    (60, 0.300, 0.50),
    (65, 0.245, 0.51),
    (70, 0.200, 0.52),
    (75, 0.122, 0.54),
    (80, 0.075, 0.57),
    (85, 0.040, 0.62),
    (90, 0.0140, 0.68),
    (95, 0.0035, 0.73),
    (100, 0.0005, 0.80),
)
# Seed 001: 90 % at home, 7 % in community day care, 3 % in institutions. The older the
# person, the likelier care outside the home; the factors are scaled so the totals hold.
COMMUNITY_SHARE = 0.07
INSTITUTION_BY_DECADE = {60: 0.35, 70: 0.9, 80: 2.6, 90: 4.0, 100: 4.0}
COMMUNITY_BY_DECADE = {60: 0.7, 70: 1.2, 80: 1.5, 90: 1.3, 100: 1.0}
DECEASED_BY_DECADE = {60: 0.006, 70: 0.015, 80: 0.045, 90: 0.10, 100: 0.15}
MOVED_OUT = 0.01
SPOUSE_ALIVE = {  # by sex and decade of age
    "M": {60: 0.88, 70: 0.80, 80: 0.60, 90: 0.35, 100: 0.15},
    "F": {60: 0.82, 70: 0.65, 80: 0.35, 90: 0.12, 100: 0.05},
}
# Realistic gaps, so that the completeness page shows what districts report (seed 000: 92 %
# complete): one in ten without a phone of their own or a located address, one in five
# without a recorded contact, three in ten without a health profile linked to the register.
NO_PHONE = 0.10
NO_POINT = 0.09
WITH_HEALTH_PROFILE = 0.72
WITH_CONTACTS = 0.80
# ID numbers carry the area code of the place of registration when they were issued: most
# people hold their district's code; some were registered elsewhere in Kunming, in other
# prefectures of Yunnan or in other provinces; in Chenggong and Jinning many older people
# still hold the code of the former county (呈贡县 530121, 晋宁县 530122).
OTHER_YUNNAN = ("530302", "530402", "532901", "532301", "532501", "530602", "530381")
OTHER_PROVINCES = ("510104", "520102", "510302", "430102", "420106", "310104", "370102")
FORMER_COUNTY = {"530114": "530121", "530115": "530122"}

DEMO_ACTOR = "demo-city"


def _decade(age: int) -> int:
    return min(age // 10 * 10, 100)


def _normalised(factors: dict[int, float], share: float) -> dict[int, float]:
    """Per-decade probabilities whose average over the age bands is `share`."""
    mean = sum(s * factors[_decade(a)] for a, s, _f in AGE_BANDS)
    return {d: share * f / mean for d, f in factors.items()}


@dataclass
class Batch:
    elders: list[dict]
    health: list[dict]
    guardians: list[dict]
    changes: list[dict]
    facts: list[dict]


class ElderGenerator:
    def __init__(
        self,
        *,
        rng: random.Random,
        names: NameBook,
        cmap: CityMap,
        orgs: CityOrganisations,
        as_of: dt.date,
        seed: int,
        first_id: int,
    ):
        self.rng = rng
        self.names = names
        self.cmap = cmap
        self.orgs = orgs
        self.as_of = as_of
        self.now = timezone.now()
        self.note = f"demo city, seed {seed}"
        self.next_id = first_id
        self._bands = [(a, f) for a, _s, f in AGE_BANDS]
        self._band_cum = list(accumulate(s for _a, s, _f in AGE_BANDS))
        self._p_institution = _normalised(INSTITUTION_BY_DECADE, INSTITUTION_SHARE)
        self._p_community = _normalised(COMMUNITY_BY_DECADE, COMMUNITY_SHARE)
        self._sequences: dict[tuple[str, dt.date, str], list[int]] = {}
        self._districts = {d.code: d for d in cmap.districts}
        self._communities: dict[str, tuple[list[Region], list[float]]] = {}
        for d in cmap.districts:
            communities = cmap.district_communities(d.code)
            weights = [(1.0 if is_village(c) else 1.6) * (0.5 + rng.random()) for c in communities]
            self._communities[d.code] = (communities, list(accumulate(weights)))
        self._ethnic = {
            code: (list(v["ethnic"]), list(accumulate(v["ethnic"].values())))
            for code, v in tables.districts().items()
        }
        h = tables.health()
        self._conditions = h["conditions"]
        self._allergies = h["allergies"]
        self._blood = ([b for b, _w in h["blood_types"]], [w for _b, w in h["blood_types"]])
        self._notes = h["notes_by_age"]
        self._urban = {code: v["urban"] for code, v in tables.districts().items()}

    # -- one person ---------------------------------------------------------------------

    def _birth(self) -> tuple[dt.date, str]:
        rng = self.rng
        first_age, women = self._bands[
            rng.choices(range(len(self._bands)), cum_weights=self._band_cum)[0]
        ]
        age = first_age + rng.randrange(5)
        latest = years_before(self.as_of, age)
        span = (latest - years_before(self.as_of, age + 1)).days
        birth = latest - dt.timedelta(days=rng.randrange(span))
        return birth, "F" if rng.random() < women else "M"

    def _id_number(self, district: str, birth: dt.date, sex: str) -> str:
        rng = self.rng
        roll = rng.random()
        if district in FORMER_COUNTY and roll < 0.4:
            area = FORMER_COUNTY[district]
        elif roll < 0.84:
            area = district
        elif roll < 0.90:
            area = rng.choice(self.cmap.districts).code
        elif roll < 0.97:
            area = rng.choice(OTHER_YUNNAN)
        else:
            area = rng.choice(OTHER_PROVINCES)
        key = (area, birth, sex)
        slot = self._sequences.get(key)
        if slot is None:
            # Start each area/day at a random sequence, as real registration offices did.
            slot = self._sequences[key] = [rng.randrange(400), 0]
        sequence = slot[0] + slot[1]
        slot[1] += 1
        if slot[1] > 499:
            raise RuntimeError("more than 500 people of one sex born on one day in one area")
        return idnumbers.make(area6=area, birth_date=birth, sequence=sequence, sex=sex)

    def _living(self, decade: int, district: str) -> tuple[str, Organisation | None]:
        roll = self.rng.random()
        if roll < self._p_institution[decade]:
            homes = [h for h in self.orgs.care_homes.get(district, []) if self.orgs.free_beds[h.pk]]
            if homes:
                home = self.rng.choices(homes, weights=[self.orgs.free_beds[h.pk] for h in homes])[
                    0
                ]
                self.orgs.free_beds[home.pk] -= 1
                return Elder.Living.INSTITUTION, home
        elif roll < self._p_institution[decade] + self._p_community[decade]:
            return Elder.Living.COMMUNITY, None
        return Elder.Living.HOME, None

    def next(self, district_code: str) -> Batch:
        rng, names = self.rng, self.names
        district = self._districts[district_code]
        birth, sex = self._birth()
        age = age_on(birth, self.as_of)
        decade = _decade(age)
        ethnic_names, ethnic_cum = self._ethnic[district_code]
        ethnicity = rng.choices(ethnic_names, cum_weights=ethnic_cum)[0]
        surname = names.surname(ethnicity)
        name = surname + names.given(sex, birth.year)
        number = self._id_number(district_code, birth, sex)

        living, institution = self._living(decade, district_code)
        if institution is not None:
            community = institution.region
            address = f"{institution.address}{rng.randrange(1, 6)}号楼{rng.randrange(1, 5)}{rng.randrange(1, 30):02d}室"
            lat, lng = near(rng, institution, 0.0003)
        else:
            communities, cum = self._communities[district_code]
            community = rng.choices(communities, cum_weights=cum)[0]
            street = self.cmap.by_code[street_of(community.code)]
            address = home_address(rng, district, street, community)
            lat, lng = near(rng, community, 0.01 if is_village(community) else 0.004)
            if living == Elder.Living.COMMUNITY:
                institution = self.orgs.station_of_community.get(
                    community.code
                ) or self.orgs.centre_of_street.get(street.code)
        village = is_village(community)
        if rng.random() < NO_POINT:
            lat = lng = None

        if rng.random() < NO_PHONE:
            phone = ""
        elif rng.random() < (0.1 if village else 0.35 if age >= 75 else 0.2):
            phone = names.landline()
        else:
            phone = names.mobile()

        married = rng.random() < SPOUSE_ALIVE[sex][decade]
        special_family = rng.random() < 0.008
        if living == Elder.Living.INSTITUTION:
            lives_alone = empty_nest = False
        else:
            lives_alone = not married and rng.random() < 0.45
            empty_nest = lives_alone or special_family or (married and rng.random() < 0.5)

        roll = rng.random()
        poor = 2.5 if village else 1.0
        if special_family:
            poor *= 2
        if roll < 0.006 * poor:
            economic = Elder.Economic.TEKUN
        elif roll < 0.031 * poor:
            economic = Elder.Economic.DIBAO
        elif roll < 0.09 * poor:
            economic = Elder.Economic.LOW_INCOME
        else:
            economic = Elder.Economic.ORDINARY
        roll = rng.random()
        employee = 0.15 if village else 0.62
        if roll < employee:
            insurance = Elder.Insurance.EMPLOYEE
        elif roll < 0.99:
            insurance = Elder.Insurance.RESIDENT
        else:
            insurance = Elder.Insurance.NONE

        roll = rng.random()
        status, status_date = Elder.Status.ACTIVE, None
        if roll < DECEASED_BY_DECADE[decade]:
            status = Elder.Status.DECEASED
        elif roll < DECEASED_BY_DECADE[decade] + MOVED_OUT:
            status = Elder.Status.MOVED_OUT
        if status != Elder.Status.ACTIVE:
            status_date = self.as_of - dt.timedelta(days=rng.randrange(1, 1096))

        elder_id = self.next_id
        self.next_id += 1
        elder = {
            "id": elder_id,
            "name": name,
            # Derived exactly as the registry's own builder derives them.
            **elder_derived(
                name=name,
                region_code=community.code,
                phone=phone,
                number=idnumbers.IdNumber(number=number, birth_date=birth, sex=sex),
            ),
            "ethnicity": ethnicity,
            "phone": phone,
            "region_id": community.pk,
            "address": address,
            "lat": lat,
            "lng": lng,
            "lives_alone": lives_alone,
            "empty_nest": empty_nest,
            "special_family": special_family,
            "economic_status": economic,
            "insurance": insurance,
            "living_arrangement": living,
            "institution_id": institution.pk if institution is not None else None,
            "status": status,
            "status_date": status_date,
        }
        changes = [
            {
                "actor_label": DEMO_ACTOR,
                "entity_type": "people.elder",
                "entity_id": elder_id,
                "entity_label": name,
                "region_code": community.code,
                "action": "import",
                "changes": {},
                "note": self.note,
            }
        ]
        if status != Elder.Status.ACTIVE:
            changes.append(
                {
                    **changes[0],
                    "action": "status",
                    "changes": {
                        "status": ["active", status],
                        "status_date": ["", status_date.isoformat()],
                    },
                }
            )
        facts = self._facts(elder, birth)
        in_care = living == Elder.Living.INSTITUTION
        health = (
            self._health(elder_id, age, decade, sex)
            if in_care or rng.random() < WITH_HEALTH_PROFILE
            else None
        )
        guardians = (
            self._contacts(
                elder_id, birth, sex, surname, age, married, lives_alone, special_family, phone
            )
            if in_care or rng.random() < WITH_CONTACTS
            else []
        )
        return Batch([elder], [health] if health else [], guardians, changes, facts)

    def _facts(self, elder: dict, birth: dt.date) -> list[dict]:
        """The person's dated facts, filed by the registry's own builder from the day they were
        registered; some had another economic situation or lived at home before."""
        rng = self.rng
        registered = max(
            add_months(birth, 720), self.as_of - dt.timedelta(days=rng.randrange(60, 2900))
        )
        if elder["status_date"] is not None and elder["status_date"] <= registered:
            registered = elder["status_date"] - dt.timedelta(days=rng.randrange(30, 400))
        facts = facts_opening(
            elder,
            on=registered,
            source=Fact.Source.RECORDED,
            recorded_at=self.now,
        )
        for fact in facts:
            fact["elder_id"] = elder["id"]
        span = (min(elder["status_date"] or self.as_of, self.as_of) - registered).days
        before = None
        if span > 60:
            if (elder["economic_status"] == Elder.Economic.DIBAO and rng.random() < 0.3) or (
                elder["economic_status"] == Elder.Economic.ORDINARY and rng.random() < 0.01
            ):
                before = ("economic_status", Elder.Economic.LOW_INCOME)
            elif elder["economic_status"] == Elder.Economic.LOW_INCOME and rng.random() < 0.2:
                before = ("economic_status", Elder.Economic.DIBAO)
            elif elder["living_arrangement"] == Elder.Living.INSTITUTION and rng.random() < 0.5:
                before = ("living_arrangement", Elder.Living.HOME)
        if before is not None:
            kind, value = before
            changed = registered + dt.timedelta(days=rng.randrange(30, span - 29))
            fact = next(f for f in facts if f["kind"] == kind)
            facts.append({**fact, "valid_from": changed})
            fact.update(value=value, valid_to=changed)
        return facts

    # -- records around the person ------------------------------------------------------

    def _health(self, elder_id: int, age: int, decade: int, sex: str) -> dict:
        rng = self.rng
        band = "60" if age < 70 else "70" if age < 80 else "80"
        conditions, drugs = [], []
        for c in self._conditions:
            p = c["p60"] * (c["f80"] if age >= 80 else c["f70"] if age >= 70 else 1.0)
            if sex == "F":
                p *= c["female"]
            if rng.random() < p:
                conditions.append(c["name"])
                if c["drugs"] and rng.random() < 0.85:
                    drugs.append(rng.choice(c["drugs"]))
        allergies = [a for a, p in self._allergies if rng.random() < p]
        return {
            "elder_id": elder_id,
            "chronic_conditions": "、".join(conditions),
            "medications": "；".join(drugs),
            "allergies": "、".join(allergies) or ("无" if rng.random() < 0.7 else ""),
            "blood_type": rng.choices(*self._blood)[0] if rng.random() < 0.55 else "",
            "notes": rng.choice(self._notes[band]),
        }

    def _contacts(
        self,
        elder_id: int,
        birth: dt.date,
        sex: str,
        surname: str,
        age: int,
        married: bool,
        lives_alone: bool,
        special_family: bool,
        own_phone: str,
    ) -> list[dict]:
        rng, names = self.rng, self.names
        R = Guardian.Relation
        # Children carry the father's surname.
        family_surname = surname if sex == "M" else names.surname()
        people: list[tuple[str, str, str]] = []  # (name, relation, phone)
        if not special_family:
            count = rng.choice((1, 2, 2, 3, 3, 4) if birth.year < 1955 else (1, 1, 2, 2, 3))
            children = []
            for _ in range(count):
                child_sex = rng.choice("MF")
                year = birth.year + rng.randrange(22, 36)
                children.append((names.person(child_sex, year, surname=family_surname), year))
                people.append((children[-1][0], R.CHILD, names.mobile()))
            if rng.random() < 0.15:
                people.insert(
                    1,
                    (
                        names.person(rng.choice("MF"), children[0][1]),
                        R.CHILD_IN_LAW,
                        names.mobile(),
                    ),
                )
            if age >= 75 and rng.random() < 0.3:
                year = children[0][1] + rng.randrange(24, 33)
                grand_surname = family_surname if rng.random() < 0.6 else names.surname()
                people.append(
                    (
                        names.person(rng.choice("MF"), year, surname=grand_surname),
                        R.GRANDCHILD,
                        names.mobile(),
                    )
                )
        if married:
            spouse_sex = "F" if sex == "M" else "M"
            spouse = names.person(
                spouse_sex,
                birth.year + rng.randrange(-4, 5),
                surname=family_surname if spouse_sex == "M" else None,
            )
            spouse_phone = own_phone or names.mobile()
            position = 0 if not people or rng.random() < 0.3 else len(people)
            people.insert(position, (spouse, R.SPOUSE, spouse_phone))
        if not people or (lives_alone and rng.random() < 0.3):
            if rng.random() < 0.5:
                people.append(
                    (
                        names.person(rng.choice("MF"), birth.year + rng.randrange(-8, 9)),
                        R.SIBLING,
                        names.mobile(),
                    )
                )
            else:
                people.append(
                    (
                        names.person(rng.choice("MF"), rng.randrange(1970, 1996)),
                        R.COMMUNITY,
                        names.mobile(),
                    )
                )
        if lives_alone and rng.random() < 0.2:
            people.append(
                (
                    names.person(rng.choice("MF"), rng.randrange(1950, 1980)),
                    R.NEIGHBOUR,
                    names.mobile(),
                )
            )
        keep = min(len(people), rng.choice((1, 1, 2, 2, 2, 3)))
        rows = []
        for priority, (name, relation, phone) in enumerate(people[:keep], start=1):
            is_guardian = (
                priority == 1
                and relation in (R.CHILD, R.SPOUSE)
                and (age >= 80 or rng.random() < 0.25)
            )
            rows.append(
                {
                    "elder_id": elder_id,
                    "name": name,
                    "relation": relation,
                    "phone": phone,
                    "is_guardian": is_guardian,
                    "is_emergency_contact": relation != R.NEIGHBOUR or rng.random() < 0.5,
                    "priority": priority,
                }
            )
        return rows
