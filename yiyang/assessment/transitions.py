"""The life cycle of an assessment case (standards/assessment.md §1.8), as one table.

    applied ─▶ accepted ─▶ assigned ─▶ on_site_done ─▶ concluded ─▶ public_notice ─▶ effective
       │                      ▲                            │              │             │
       └▶ refused             └──── objected ◀─────────────┼──────────────┘             ├▶ expired
    (withdrawn from any step before concluded)             └▶ effective (final round or  └▶ superseded
                                                               no public notice)

The services check each step here before they write; the case page and the API offer the steps
`CASE.offered(actor, case)` returns. Steps without a capability are the platform's own: the last
on-site form closes the round, the daily run expires conclusions, a newer conclusion supersedes.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yiyang.core.timeutils import local_today
from yiyang.core.transitions import Machine, Step

from .models import Assessment, Assignment
from .rules import effective_ready, needs_notice

S = Assessment.Status
MANAGE = "assessments.manage"
BEFORE_CONCLUSION = (S.APPLIED, S.ACCEPTED, S.ASSIGNED, S.ON_SITE_DONE, S.OBJECTED)


def _round_assessor(actor, case: Assessment) -> bool:
    """One of the assessors of the case's current round."""
    return (
        actor.has_capability("assessments.perform")
        and Assignment.objects.filter(
            assessment=case, round=case.round, assessor__user_id=actor.pk
        ).exists()
    )


def _notice_needed(case: Assessment) -> str | None:
    if needs_notice(case):
        return None
    return _("%(number)s needs no public notice; make it effective instead.") % {
        "number": case.number
    }


def _notice_running(case: Assessment) -> str | None:
    if case.notice_to is not None and local_today() <= case.notice_to:
        return None
    return _("The public notice has ended; objections are no longer received.")


def _ready(case: Assessment) -> str | None:
    if effective_ready(case):
        return None
    if case.status == S.PUBLIC_NOTICE:
        return _("The public notice runs until %(day)s; objections may still come in.") % {
            "day": case.notice_to.isoformat() if case.notice_to else "—"
        }
    return _("Put the conclusion on public notice first.")


CASE = Machine(
    "assessment.assessment",
    S,
    [
        Step("accept", gettext_lazy("Accept"), {S.APPLIED}, S.ACCEPTED, capability=MANAGE),
        Step("refuse", gettext_lazy("Refuse"), {S.APPLIED}, S.REFUSED, capability=MANAGE),
        Step(
            "draw",
            gettext_lazy("Draw the assessors"),
            {S.ACCEPTED, S.OBJECTED},
            S.ASSIGNED,
            capability=MANAGE,
        ),
        # An assessor fills in and submits their form while the round is assigned; the last
        # form submitted closes the round.
        Step(
            "submit_form",
            gettext_lazy("Submit the on-site form"),
            {S.ASSIGNED},
            capability="assessments.perform",
        ),
        Step("close_round", gettext_lazy("On-site done"), {S.ASSIGNED}, S.ON_SITE_DONE),
        Step(
            "reconcile",
            gettext_lazy("Reconcile a differing item"),
            {S.ON_SITE_DONE},
            capability=MANAGE,
            may=_round_assessor,
        ),
        Step(
            "add_evidence",
            gettext_lazy("Attach evidence"),
            BEFORE_CONCLUSION,
            capability=MANAGE,
            may=_round_assessor,
        ),
        Step(
            "conclude", gettext_lazy("Conclude"), {S.ON_SITE_DONE}, S.CONCLUDED, capability=MANAGE
        ),
        Step(
            "notice",
            gettext_lazy("Put on public notice"),
            {S.CONCLUDED},
            S.PUBLIC_NOTICE,
            capability=MANAGE,
            guard=_notice_needed,
        ),
        Step(
            "objection",
            gettext_lazy("Record an objection"),
            {S.PUBLIC_NOTICE},
            S.OBJECTED,
            capability=MANAGE,
            guard=_notice_running,
        ),
        Step(
            "effective",
            gettext_lazy("Make effective"),
            {S.CONCLUDED, S.PUBLIC_NOTICE},
            S.EFFECTIVE,
            capability=MANAGE,
            guard=_ready,
        ),
        Step(
            "withdraw",
            gettext_lazy("Withdraw"),
            BEFORE_CONCLUSION,
            S.WITHDRAWN,
            capability=MANAGE,
        ),
        # A conclusion in effect is re-assessed by a new case (on expiry, a change of condition).
        Step(
            "reassess",
            gettext_lazy("Start a re-assessment"),
            {S.EFFECTIVE},
            capability=MANAGE,
        ),
        Step("expire", gettext_lazy("Expire"), {S.EFFECTIVE}, S.EXPIRED),
        Step("supersede", gettext_lazy("Supersede"), {S.EFFECTIVE}, S.SUPERSEDED),
    ],
)
