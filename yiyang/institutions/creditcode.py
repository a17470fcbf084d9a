"""Unified social credit codes (统一社会信用代码, GB 32100-2015).

python-stdnum computes the check character; the format check is ours because stdnum wants the
first eight characters to be digits, which refuses the registrars GB 32100 names by letter
(A the central military reform office, N agriculture, Y others), e.g. rural cooperatives'
N2... codes.
"""

from stdnum.cn import uscc

from yiyang.core.validation import is_ascii_digits

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, S, V, Z
# First character: the registering authority (1 institutional establishment, 5 civil affairs,
# 9 market regulation, ...); second: the kind of body within it.
REGISTRARS = "123456789ANY"


class CreditCodeError(ValueError):
    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


def credit_code_validate(raw: str) -> str:
    """The compact upper-case code, or CreditCodeError with 'length', 'format' or 'checksum'."""
    code = "".join(str(raw).split()).replace("-", "").upper()
    if len(code) != 18:
        raise CreditCodeError("length")
    if (
        code[0] not in REGISTRARS
        or code[1] not in ALPHABET
        or not is_ascii_digits(code[2:8])  # the 6-digit division code of the registering office
        or any(c not in ALPHABET for c in code[8:])
    ):
        raise CreditCodeError("format")
    if uscc.calc_check_digit(code[:17]) != code[17]:
        raise CreditCodeError("checksum")
    return code


def credit_code_with_check(body17: str) -> str:
    """Append the check character to a 17-character body (used by the demo generator)."""
    return body17 + uscc.calc_check_digit(body17)
