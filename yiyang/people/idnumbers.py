"""Resident identity card numbers (居民身份证号码, GB 11643-1999).

python-stdnum checks the ISO 7064 MOD 11-2 check character and the birth date. Its
birth-place check is not used: it demands that the county code existed in the birth year,
but numbers issued from 1985 carry the code of the place of registration at issue, so most
people born before 1983 legitimately hold codes that did not exist when they were born.
We check instead that the first two digits are a province and the six digits are a known
county code of any period.
"""

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

from stdnum import numdb
from stdnum.cn import ric
from stdnum.exceptions import ValidationError

from yiyang.core.validation import is_ascii_digits

PROVINCES = {
    "11",
    "12",
    "13",
    "14",
    "15",
    "21",
    "22",
    "23",
    "31",
    "32",
    "33",
    "34",
    "35",
    "36",
    "37",
    "41",
    "42",
    "43",
    "44",
    "45",
    "46",
    "50",
    "51",
    "52",
    "53",
    "54",
    "61",
    "62",
    "63",
    "64",
    "65",
    "71",
    "81",
    "82",
    "83",
    "91",
}


class IdNumberError(ValueError):
    """`reason` is a stable code: length, format, checksum, birth_date, place, future."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


@dataclass(frozen=True)
class IdNumber:
    number: str
    birth_date: dt.date
    sex: str  # "M" or "F": the 17th digit, odd for men

    @property
    def masked(self) -> str:
        return mask(self.number)


def normalise(raw: str) -> str:
    return "".join(str(raw).split()).upper().replace("x", "X")


def parse(raw: str, *, today: dt.date | None = None) -> IdNumber:
    number = normalise(raw)
    if len(number) != 18:
        raise IdNumberError("length")
    if not is_ascii_digits(number[:17]) or not (is_ascii_digits(number[17]) or number[17] == "X"):
        raise IdNumberError("format")
    if ric.calc_check_digit(number) != number[17]:
        raise IdNumberError("checksum")
    try:
        birth = ric.get_birth_date(number)
    except ValidationError as exc:
        raise IdNumberError("birth_date") from exc
    if birth > (today or dt.date.today()) or birth.year < 1890:  # noqa: DTZ011
        raise IdNumberError("birth_date")
    if number[:2] not in PROVINCES or not _known_county(number[:6]):
        raise IdNumberError("place")
    return IdNumber(number=number, birth_date=birth, sex="M" if int(number[16]) % 2 else "F")


@lru_cache(maxsize=8192)  # a few thousand county codes; bulk imports look them up per row
def _known_county(code: str) -> bool:
    info = {k for _part, props in numdb.get("cn/loc").info(code) for k in props}
    return "county" in info or code[2:] in {"0000"}


def is_valid(raw: str) -> bool:
    try:
        parse(raw)
    except IdNumberError:
        return False
    return True


def with_check_digit(body17: str) -> str:
    # stdnum expects the full number and ignores its last character.
    return body17 + ric.calc_check_digit(body17 + "0")


def mask(number: str) -> str:
    """Show the area and the last four: 530103**********1234 style (6 + 8 stars + 4)."""
    number = normalise(number)
    if len(number) < 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def make(*, area6: str, birth_date: dt.date, sequence: int, sex: str) -> str:
    """Build a valid number: area, birth date, a 3-digit sequence whose last digit is odd
    for men and even for women, and the check character (demo data and tests)."""
    seq = sequence % 500 * 2 + (1 if sex == "M" else 0)
    return with_check_digit(f"{area6}{birth_date:%Y%m%d}{seq:03d}")
