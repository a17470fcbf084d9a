"""The figures each app declares for supervision (DESIGN.md §2.12): the officer's index of them,
and later the big screen and the statistical reports, read this list; the figures themselves
stay with the app that knows its data (the assessment app's workload and disagreement, LTCI's
fund, the subsidies' spend)."""

from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils.functional import Promise

from yiyang.core import registry


@dataclass(frozen=True)
class FigureSet:
    key: str
    label: Promise | str
    description: Promise | str
    capability: str
    url_name: str
    order: int = 100


_sets: dict[str, FigureSet] = {}


def declare_figures(figure_set: FigureSet) -> None:
    registry.name_capability(f"figures {figure_set.key}", figure_set.capability)
    if figure_set.key in _sets:
        raise ImproperlyConfigured(f"figures {figure_set.key} are declared twice")
    _sets[figure_set.key] = figure_set


def figure_sets() -> list[FigureSet]:
    return sorted(_sets.values(), key=lambda f: (f.order, f.key))


def figure_sets_for(actor) -> list[dict]:
    """The figure sets this actor may open, with their addresses."""
    return [
        {"set": f, "url": reverse(f.url_name)}
        for f in figure_sets()
        if actor.has_capability(f.capability)
    ]
