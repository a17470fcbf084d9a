"""Unified social credit codes (统一社会信用代码, GB 32100-2015), checked with python-stdnum."""

from stdnum.cn import uscc
from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength, ValidationError

# First character: the registering authority (1 institutions of state, 5 civil affairs,
# 9 market regulation, ...); second: the kind of body.
REGISTRARS = {"1": "机构编制", "5": "民政", "9": "工商", "Y": "其他"}


class CreditCodeError(ValueError):
    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


def credit_code_validate(raw: str) -> str:
    """The compact upper-case code, or CreditCodeError with 'length', 'format' or 'checksum'."""
    try:
        return uscc.validate(raw)
    except InvalidLength as exc:
        raise CreditCodeError("length") from exc
    except InvalidChecksum as exc:
        raise CreditCodeError("checksum") from exc
    except (InvalidFormat, ValidationError) as exc:
        raise CreditCodeError("format") from exc


def credit_code_with_check(body17: str) -> str:
    """Append the check character to a 17-character body (used by the demo generator)."""
    return body17 + uscc.calc_check_digit(body17)
