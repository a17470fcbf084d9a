"""Reading the dated security policy (core.policy: one rule for every dated policy)."""

import datetime as dt
from dataclasses import dataclass

from yiyang.core.policy import policy_in_force

from .models import SecurityPolicy


@dataclass(frozen=True)
class Policy:
    max_failed_logins: int
    lockout_minutes: int
    password_max_age_days: int
    sign_ins_per_ip_minute: int
    api_calls_per_ip_minute: int


# Used only until the security administrator files the first policy row (the initial
# migration files one with these same numbers).
FALLBACK = Policy(
    max_failed_logins=5,
    lockout_minutes=15,
    password_max_age_days=90,
    sign_ins_per_ip_minute=20,
    api_calls_per_ip_minute=600,
)


def security_policy_for(*, on: dt.date | None = None) -> Policy:
    row = policy_in_force(SecurityPolicy, on=on)
    if row is None:
        return FALLBACK
    return Policy(
        row.max_failed_logins,
        row.lockout_minutes,
        row.password_max_age_days,
        row.sign_ins_per_ip_minute,
        row.api_calls_per_ip_minute,
    )
