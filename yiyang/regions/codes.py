"""The shape of division codes: which lengths belong to which level, and normalising input."""

LEVEL_BY_LENGTH = {2: 1, 4: 2, 6: 3, 9: 4, 12: 5}
LENGTH_BY_LEVEL = {level: length for length, level in LEVEL_BY_LENGTH.items()}


class BadDivisionCode(ValueError):
    pass


def normalise_code(raw: str) -> str:
    """Accept '530103', '530103000000' or '530103001000' and return the significant form."""
    code = str(raw).strip()
    if not code.isdigit() or len(code) not in LEVEL_BY_LENGTH:
        raise BadDivisionCode(raw)
    if len(code) == 12:
        for length in (2, 4, 6, 9):
            if code[length:] == "0" * (12 - length):
                return code[:length]
    return code


def level_of(code: str) -> int:
    try:
        return LEVEL_BY_LENGTH[len(code)]
    except KeyError as exc:
        raise BadDivisionCode(code) from exc


def parent_code(code: str) -> str | None:
    level = level_of(code)
    if level == 1:
        return None
    return code[: LENGTH_BY_LEVEL[level - 1]]
