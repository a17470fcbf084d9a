"""Counting requests per client address in fixed windows, shared by every web process.

The limits are the security administrator's dated policy (accounts.rules); this module only
counts. A window is one minute, aligned to the clock, and a key is the kind of request and the
address (`sign-in:10.0.0.7`). The cost is one upsert per request; rows older than a day are
removed when a key opens a new window.
"""

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from .errors import TooManyRequests
from .models import ThrottleCount

WINDOW = dt.timedelta(minutes=1)
KEEP = dt.timedelta(days=1)


def _window_start(now: dt.datetime) -> dt.datetime:
    return now.replace(second=0, microsecond=0)


def throttle_hit(*, kind: str, ip: str | None, limit: int, now: dt.datetime | None = None) -> None:
    """Count one request of `kind` from `ip`; TooManyRequests once the window holds more than
    `limit`. Without an address (a call from the command line) nothing is counted."""
    if not ip or limit <= 0:
        return
    now = now or timezone.now()
    start = _window_start(now)
    key = f"{kind}:{ip}"[:120]
    # Parallel requests: the UPDATE counts atomically; the INSERT of a new window may race, in
    # which case the loser counts with the UPDATE after all.
    updated = ThrottleCount.objects.filter(key=key, window_start=start).update(count=F("count") + 1)
    if not updated:
        try:
            with transaction.atomic():
                ThrottleCount.objects.create(key=key, window_start=start, count=1)
        except IntegrityError:
            ThrottleCount.objects.filter(key=key, window_start=start).update(count=F("count") + 1)
        else:
            ThrottleCount.objects.filter(key=key, window_start__lt=start - KEEP).delete()
    count = (
        ThrottleCount.objects.filter(key=key, window_start=start)
        .values_list("count", flat=True)
        .first()
    )
    if count is not None and count > limit:
        retry = int((start + WINDOW - now).total_seconds()) + 1
        raise TooManyRequests(retry_after=retry)
