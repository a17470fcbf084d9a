"""Refusals of the graders. Each problem carries a stable code and the item it concerns.

The messages are English on purpose: they reach auditors' scripts through `yiyang grade`, and
the stable `code` is what pages and the API translate when they show them.
"""

from dataclasses import dataclass

from yiyang.core import transitions
from yiyang.core.exceptions import DomainError

# code -> what it means; the codes are a contract with other systems, never rename one.
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


@dataclass(frozen=True)
class Problem:
    code: str
    item: str | None
    message: str

    def as_dict(self) -> dict:
        return {"code": self.code, "item": self.item, "message": self.message}

    def __str__(self) -> str:
        if self.item:
            return f"{self.code}: {self.item}: {self.message}"
        return f"{self.code}: {self.message}"


class AnswersInvalid(DomainError):
    """The answers cannot be graded; `problems` lists every reason, item by item."""

    code = "invalid_answers"

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
    code = "unknown_instrument"
    status = 404


class DefinitionInvalid(DomainError):
    """A definition file breaks its own arithmetic (bands with gaps, a matrix of the wrong size)."""

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
    code = "pool_too_small"
    status = 409


class ReapplyBarred(DomainError):
    code = "reapply_barred"
    status = 409


class OpenCaseExists(DomainError):
    code = "open_case_exists"
    status = 409


class AlreadySubmitted(DomainError):
    code = "already_submitted"
    status = 409


class EvidenceCorrupt(DomainError):
    """A stored file no longer matches the checksum taken when it was uploaded."""

    code = "evidence_corrupt"
    status = 409
