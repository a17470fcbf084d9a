"""Refusals of the graders, of the procedure and of the phone form's sync.

A grading problem carries a stable code and the item it concerns. Its messages are English on
purpose: they reach auditors' scripts through `yiyang grade`, and the stable `code` is what pages
and the API translate when they show them.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from yiyang.core import transitions
from yiyang.core.exceptions import DomainError

# code -> what it means; the codes are a contract with other systems, never rename one.
# `yiyang grade` prints them all; the API and the phone answer those of ANSWER_CODES.
CODES = {
    "bad_json": "the input is not valid JSON",
    "bad_type": "a value has the wrong type",
    "unknown_field": "a top-level field this instrument does not take",
    "missing_item": "an item of the instrument was not answered",
    "unknown_item": "an item id the instrument does not have",
    "bad_score": "a score that is not one of the item's option scores",
    "bad_diagnosis": "a diagnosis that is not an ICD-10 code",
    "unknown_risk_event": "a risk-event type the instrument does not list",
    "bad_risk_event": "a risk-event count outside the form's options",
    "unknown_instrument": "no definition file for that instrument",
    "bad_definition": "an instrument definition file is inconsistent",
}
# The problems a set of answers can have: the codes `AnswersInvalid` answers with.
ANSWER_CODES = (
    "missing_item",
    "unknown_item",
    "bad_score",
    "bad_type",
    "unknown_field",
    "bad_diagnosis",
    "unknown_risk_event",
    "bad_risk_event",
)


@dataclass(frozen=True)
class Problem:
    code: str
    item: str | None
    message: str

    def __post_init__(self):
        if self.code not in CODES:
            raise ValueError(f"{self.code!r} is not one of the graders' codes (errors.CODES)")

    def as_dict(self) -> dict:
        return {"code": self.code, "item": self.item, "message": self.message}

    def __str__(self) -> str:
        if self.item:
            return f"{self.code}: {self.item}: {self.message}"
        return f"{self.code}: {self.message}"


class AnswersInvalid(DomainError):
    """Grading refused the answers; `fields` names each item and the reason.

    `problems` lists every reason, item by item; the code is the first problem's."""

    code = "invalid_answers"
    codes = {c: f"Grading: {CODES[c]}." for c in ANSWER_CODES}

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        first = self.problems[0]
        super().__init__(
            "\n".join(str(p) for p in self.problems),
            field=first.item,
            code=first.code,
            fields={p.item: p.message for p in self.problems if p.item},
        )


class UnknownInstrument(DomainError):
    """No assessment standard with that id."""

    code = "unknown_instrument"
    status = 404


class DefinitionInvalid(DomainError):
    """An assessment standard's definition file is inconsistent: a fault of the platform.

    The file breaks its own arithmetic (bands with gaps, a matrix of the wrong size)."""

    code = "bad_definition"
    status = 500


# --- Refusals of the procedure ----------------------------------------------------------------


# A step taken out of order (accepting a refused case, concluding before the on-site work):
# the one refusal of every life-cycle table, core.transitions.
TransitionRefused = transitions.TransitionRefused


class PolicyMissing(DomainError):
    """No assessment policy is in force for this instrument, region and day."""

    code = "policy_missing"
    status = 409


class PoolTooSmall(DomainError):
    """Too few eligible assessors in the assessment organisation's pool."""

    code = "pool_too_small"
    status = 409


class ReapplyBarred(DomainError):
    """A "no disability" conclusion bars a new application for the policy's period (a change
    of condition is not barred)."""

    code = "reapply_barred"
    status = 409


class OpenCaseExists(DomainError):
    """The person already has an open assessment case."""

    code = "open_case_exists"
    status = 409


class AlreadySubmitted(DomainError):
    """An assessor's answers were submitted and cannot change."""

    code = "already_submitted"
    status = 409


class EvidenceCorrupt(DomainError):
    """A stored evidence file no longer matches the checksum taken when it was uploaded."""

    code = "evidence_corrupt"
    status = 409


# --- Refusals of what the assessor's phone sends ------------------------------------------------


class SyncNotJson(DomainError):
    """Phone form: the body is not a JSON object."""

    code = "bad_json"
    status = 400
    default_message = _("The request is not valid JSON.")


class SyncBadType(DomainError):
    """Phone form: a value has the wrong type (`fields` names it)."""

    code = "bad_type"
    status = 400
    default_message = _("This answer is not in the expected form.")


class EvidenceBadTakenAt(DomainError):
    """Phone evidence queue: `taken_at` is not a date and time in ISO 8601."""

    code = "bad_taken_at"
    status = 400
    default_message = _("'taken_at' must be a date and time in ISO 8601.")


class SyncBadSavedAt(DomainError):
    """Phone form: `saved_at` is not a date and time in ISO 8601."""

    code = "bad_saved_at"
    status = 400
    default_message = _("'saved_at' must be a date and time in ISO 8601.")

    def __init__(self):
        super().__init__(field="saved_at")
