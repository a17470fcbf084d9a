"""The shape of the statistical division codes, in one place.

Codes are digits of fixed width per level with trailing zeros dropped, so that a node's code
is a prefix of every code beneath it: 53 (province), 5301 (city), 530103 (district or county,
GB/T 2260), 530103001 (street or town), 530103001001 (community or village). Every rule that
reads a level off a code (a case number carries the district, a draw stays inside the city,
a policy falls back from the community up to the nation) takes it from here.
"""

from .validation import is_ascii_digits

PROVINCE, CITY, DISTRICT, STREET, COMMUNITY = 1, 2, 3, 4, 5
LEVEL_BY_LENGTH = {2: PROVINCE, 4: CITY, 6: DISTRICT, 9: STREET, 12: COMMUNITY}
LENGTH_BY_LEVEL = {level: length for length, level in LEVEL_BY_LENGTH.items()}


class BadDivisionCode(ValueError):
    pass


def is_code(text: str) -> bool:
    """ASCII digits of one level's width: '²' or '①' are digits to str.isdigit(), not here."""
    return is_ascii_digits(text) and len(text) in LEVEL_BY_LENGTH


def level_of(code: str) -> int:
    try:
        return LEVEL_BY_LENGTH[len(code)]
    except KeyError as exc:
        raise BadDivisionCode(code) from exc


def ancestor(code: str, level: int) -> str:
    """The code of the node at `level` above (or at) `code`; a shorter code stays as it is."""
    return code[: LENGTH_BY_LEVEL[level]]


def city_of(code: str) -> str:
    return ancestor(code, CITY)


def district_of(code: str) -> str:
    return ancestor(code, DISTRICT)


def street_of(code: str) -> str:
    return ancestor(code, STREET)


def lineage(code: str) -> list[str]:
    """The code and every code above it, nearest first, ending with '' (the nation): the order
    in which a rule for a place falls back (community, street, district, city, province)."""
    return [code[:n] for n in sorted(LEVEL_BY_LENGTH, reverse=True) if n <= len(code)] + [""]


def parent_code(code: str) -> str | None:
    level = level_of(code)
    if level == PROVINCE:
        return None
    return code[: LENGTH_BY_LEVEL[level - 1]]


def normalise_code(raw: str) -> str:
    """Accept '530103', '530103000000' or '530103001000' and return the significant form."""
    code = str(raw).strip()
    if not is_code(code):
        raise BadDivisionCode(raw)
    if len(code) == 12:
        for length in (2, 4, 6, 9):
            if code[length:] == "0" * (12 - length):
                return code[:length]
    return code
