"""Unified social credit codes (GB 32100-2015) for demo organisations.

A code is: registrar (1 institutions of state, 5 civil affairs, 9 market regulation), kind of
body (11 organ of state, 12 public institution, 52 private non-enterprise unit, 91 company), the
six-digit area code, the nine-character organisation code (GB 11714, its own check character
last) and the check character of the whole (yiyang.institutions.creditcode).
"""

import random

from yiyang.core.validation import is_ascii_digits
from yiyang.institutions.creditcode import credit_code_with_check

ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
# Letters the credit code alphabet allows (no I, O, Z, S, V).
LETTERS = "ABCDEFGHJKLMNPQRTUWXY"

ORGAN_OF_STATE = "11"
PUBLIC_INSTITUTION = "12"
PRIVATE_NON_ENTERPRISE = "52"
COMPANY = "91"


def org_code_check(body8: str) -> str:
    """The GB 11714 check character of an eight-character organisation code."""
    total = sum(
        (int(c) if is_ascii_digits(c) else ord(c) - 55) * w
        for c, w in zip(body8, ORG_CODE_WEIGHTS, strict=True)
    )
    value = 11 - total % 11
    return {10: "X", 11: "0"}.get(value, str(value))


class CreditCodes:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self.issued: set[str] = set()

    def make(self, kind: str, area6: str) -> str:
        rng = self.rng
        while True:
            if kind == PRIVATE_NON_ENTERPRISE:
                body8 = f"MJ{rng.randrange(10**6):06d}"
            elif kind == COMPANY:
                body8 = "MA6" + "".join(rng.choice("0123456789" + LETTERS) for _ in range(5))
            else:
                body8 = f"{rng.randrange(10**7, 10**8):08d}"
            code = credit_code_with_check(f"{kind}{area6}{body8}{org_code_check(body8)}")
            if code not in self.issued:
                self.issued.add(code)
                return code
