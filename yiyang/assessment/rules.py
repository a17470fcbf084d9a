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


def conclusion_rank(case) -> tuple:
    """Which of one person's effective conclusions of a registry field is current: the latest to
    take effect; on the same day the platform's own case before an imported one, then the later
    application. The procedure, the import of past conclusions and the demo city all decide it
    by this key, and the others are superseded by the one it ranks first (`supersede`)."""
    return (
        case.valid_from or dt.date.min,
        case.trigger != Assessment.Trigger.IMPORTED,
        case.applied_on,
        case.instrument,
        case.pk or 0,
    )


def supersede(case, *, by) -> None:
    """Mark `case` (unsaved) as superseded by `by` from the day `by` took effect."""
    case.status = S.SUPERSEDED
    case.superseded_by = by
    case.ended_on = by.valid_from
