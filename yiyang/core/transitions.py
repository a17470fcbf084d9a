"""Life cycles as tables: for each entity one list of steps (from, to, who may, guard) that the
services check and the pages and the API read to offer what may be done next.

    CASE = Machine("assessment.assessment", Assessment.Status, [
        Step("accept", _("Accept"), {"applied"}, "accepted", capability="assessments.manage"),
        Step("expire", _("Expire"), {"effective"}, "expired"),  # the daily run's, never offered
        ...
    ])
    step = CASE.check(actor, case, "accept")   # in the service, before it writes
    CASE.offered(actor, case)                  # in the selector, for the page's buttons

A step without a capability is taken by the platform itself (the daily run, the last form
submitted) and never offered to a person. A step's `unless` names who may not take it although
they hold the capability (four eyes: the person who asked is not the one who approves). A step whose target is None is an action allowed at
a status that leaves it unchanged (attaching evidence, reconciling an item). A guard returns
why the step cannot be taken now, or None; data the step needs (a photo, an answer) is checked
by the service itself, which names the field.

Each app declares its machines in its `declarations` (`transitions.declare(CASE)`), and a test
walks every declared machine through every status and step. Orders, alerts, claims and payment
batches are declared the same way.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db.models import TextChoices
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from .errors import TransitionRefused
from .exceptions import PermissionDenied


@dataclass(frozen=True, init=False)
class Step:
    name: str
    label: Promise | str
    source: frozenset[str]
    target: str | None = None
    capability: str | None = None
    # Who else may take it, besides holders of the capability (the round's own assessor).
    may: Callable[[Any, Any], bool] | None = None
    guard: Callable[[Any], str | None] | None = None
    # Why this actor may not take it on this record, although they hold the capability (the
    # person who asked for a change cannot be the one who approves it); None when they may.
    unless: Callable[[Any, Any], str | None] | None = None

    def __init__(self, name, label, source: Iterable[str], target=None, **kwargs):
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "label", label)
        object.__setattr__(self, "source", frozenset(str(s) for s in source))
        object.__setattr__(self, "target", str(target) if target is not None else None)
        for key in ("capability", "may", "guard", "unless"):
            object.__setattr__(self, key, kwargs.pop(key, None))
        if kwargs:
            raise TypeError(f"unknown arguments {sorted(kwargs)}")

    @property
    def by_platform(self) -> bool:
        return self.capability is None and self.may is None


class Machine:
    """One entity's life cycle: its statuses (the model's choices) and the steps between them."""

    def __init__(
        self, entity: str, statuses: type[TextChoices], steps: list[Step], field: str = "status"
    ):
        self.entity, self.statuses, self.steps, self.field = entity, statuses, list(steps), field
        self._by_name: dict[str, Step] = {}
        values = set(self.statuses.values)
        for step in self.steps:
            if step.name in self._by_name:
                raise ImproperlyConfigured(f"{self.entity}: step {step.name} is listed twice")
            unknown = (step.source | {step.target} - {None}) - values
            if unknown:
                raise ImproperlyConfigured(f"{self.entity}.{step.name}: no status {unknown}")
            self._by_name[step.name] = step

    def step(self, name: str) -> Step:
        try:
            return self._by_name[name]
        except KeyError:
            raise ImproperlyConfigured(f"{self.entity} has no step {name!r}") from None

    def status_of(self, obj) -> str:
        return str(getattr(obj, self.field))

    def _label(self, status: str) -> str:
        return str(dict(self.statuses.choices).get(status, status))

    def _may(self, actor, step: Step, obj) -> bool:
        if actor is None or not getattr(actor, "is_authenticated", False):
            return False
        if step.capability is not None and actor.has_capability(step.capability):
            return True
        return step.may is not None and bool(step.may(actor, obj))

    @staticmethod
    def _vetoed(actor, step: Step, obj) -> str | None:
        return step.unless(actor, obj) if step.unless else None

    def check(self, actor, obj, name: str, *, by_platform: bool = False) -> Step:
        """The step, or the refusal: a record at another status (TransitionRefused), someone
        who may not take it (PermissionDenied), or the guard's reason (TransitionRefused)."""
        step = self.step(name)
        status = self.status_of(obj)
        if status not in step.source:
            allowed = "、".join(self._label(s) for s in sorted(step.source))
            raise TransitionRefused(
                _("This record is %(status)s; this step needs it to be %(allowed)s.")
                % {"status": self._label(status), "allowed": allowed},
                field=self.field,
            )
        if not by_platform and (step.by_platform or not self._may(actor, step, obj)):
            raise PermissionDenied()
        veto = None if by_platform else self._vetoed(actor, step, obj)
        if veto:
            raise PermissionDenied(veto)
        reason = step.guard(obj) if step.guard else None
        if reason:
            raise TransitionRefused(reason, field=self.field)
        return step

    def allows(self, obj, name: str) -> bool:
        """Whether the record's status and the step's guard allow it now (whoever asks)."""
        step = self.step(name)
        return self.status_of(obj) in step.source and not (step.guard and step.guard(obj))

    def offered(self, actor, obj) -> list[Step]:
        """The steps this actor may take now, in the table's order: one button each."""
        status = self.status_of(obj)
        return [
            s
            for s in self.steps
            if status in s.source
            and not s.by_platform
            and self._may(actor, s, obj)
            and not self._vetoed(actor, s, obj)
            and not (s.guard and s.guard(obj))
        ]

    def table(self) -> list[tuple[str, list[str], str | None, str | None]]:
        """(step, from, to, capability) rows, for the documentation and tests."""
        return [(s.name, sorted(s.source), s.target, s.capability) for s in self.steps]


_machines: dict[str, Machine] = {}


def declare(machine: Machine) -> Machine:
    if machine.entity in _machines and _machines[machine.entity] is not machine:
        raise ImproperlyConfigured(f"{machine.entity} has two life cycles")
    _machines[machine.entity] = machine
    return machine


def machines() -> list[Machine]:
    return [_machines[k] for k in sorted(_machines)]
