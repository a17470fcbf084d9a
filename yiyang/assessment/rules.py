"""Reading the dated assessment policy (core.policy) and what it decides about a case."""

import datetime as dt

from django.utils.translation import gettext as _

from yiyang.core.policy import policy_in_force
from yiyang.core.timeutils import local_today

from .errors import PolicyMissing
from .models import Assessment, AssessmentPolicy

S = Assessment.Status


def policy_for(instrument: str, region_code: str, on: dt.date) -> AssessmentPolicy:
    """The policy in force on `on` for the nearest region above `region_code`."""
    best = policy_in_force(AssessmentPolicy, region_code=region_code, on=on, instrument=instrument)
    if best is None:
        raise PolicyMissing(
            _(
                "No assessment policy for %(instrument)s is in force here on %(day)s; "
                "an officer must enter one first."
            )
            % {"instrument": instrument, "day": on.isoformat()},
            field="instrument",
        )
    return best


def needs_notice(case: Assessment) -> bool:
    if case.round == 2:
        return False  # the re-assessment's result is final
    policy = policy_for(case.instrument, case.region_code, case.applied_on)
    return policy.notice_workdays > 0


def effective_ready(case: Assessment, today: dt.date | None = None) -> bool:
    """A conclusion takes effect when it needs no public notice, or once its notice has ended
    without objection."""
    today = today or local_today()
    if case.status == S.CONCLUDED:
        return not needs_notice(case)
    if case.status == S.PUBLIC_NOTICE:
        return case.notice_to is not None and today > case.notice_to
    return False
