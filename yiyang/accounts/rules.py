"""Reading the dated security policy."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q

from yiyang.core.timeutils import local_today

from .models import SecurityPolicy


@dataclass(frozen=True)
class Policy:
    max_failed_logins: int
    lockout_minutes: int
    password_max_age_days: int


# Used only until the security administrator files the first policy row (the initial
# migration files one with these same numbers).
FALLBACK = Policy(max_failed_logins=5, lockout_minutes=15, password_max_age_days=90)


def security_policy_for(*, on: dt.date | None = None) -> Policy:
    on = on or local_today()
    row = (
        SecurityPolicy.objects.filter(effective_from__lte=on)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=on))
        .order_by("-effective_from", "-id")
        .first()
    )
    if row is None:
        return FALLBACK
    return Policy(row.max_failed_logins, row.lockout_minutes, row.password_max_age_days)
