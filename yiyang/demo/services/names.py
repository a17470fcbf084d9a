"""Chinese names and phone numbers for demo people, drawn from a seeded random.Random."""

import random

from . import tables

# Mobile number blocks of the three operators (China Mobile, Unicom, Telecom).
MOBILE_PREFIXES = [
    "134",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "157",
    "158",
    "159",
    "182",
    "183",
    "187",
    "188",
    "178",
    "130",
    "131",
    "132",
    "155",
    "156",
    "185",
    "186",
    "176",
    "133",
    "153",
    "180",
    "181",
    "189",
    "177",
    "173",
    "199",
]


def cohort(birth_year: int) -> str:
    """The key of given_names.json whose names suit people born in this year."""
    if birth_year < 1950:
        return "1925"
    if birth_year < 1967:
        return "1950"
    if birth_year < 1980:
        return "1967"
    if birth_year < 1995:
        return "1980"
    return "1995"


class NameBook:
    """Picks surnames by frequency and given names by sex and birth cohort."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self._surnames, self._cum = tables.surnames()
        data = tables.given_names()
        self._given = {"M": data["male"], "F": data["female"]}
        self._hui = data["hui_surnames"]
        self._yi = data["yi_surnames"]

    def surname(self, ethnicity: str = "汉族") -> str:
        rng = self.rng
        if ethnicity == "回族" and rng.random() < 0.5:
            return rng.choice(self._hui)
        if ethnicity == "彝族" and rng.random() < 0.4:
            return rng.choice(self._yi)
        return rng.choices(self._surnames, cum_weights=self._cum)[0]

    def given(self, sex: str, birth_year: int) -> str:
        return self.rng.choice(self._given[sex][cohort(birth_year)])

    def person(self, sex: str, birth_year: int, *, surname: str | None = None) -> str:
        return (surname or self.surname()) + self.given(sex, birth_year)

    def mobile(self) -> str:
        return self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"

    def landline(self) -> str:
        # Kunming's area code is 0871 and its eight-digit local numbers begin with 6.
        return f"0871-6{self.rng.randrange(10**7):07d}"
