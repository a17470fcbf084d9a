"""The kinds of data apps exchange through Excel: each app declares its own (columns, importer,
export, the region levels its template lists) in its `declarations`, and the exchange engine
reads them here. A new kind needs no migration and no change to the engine.

    declare_kind(DataKind(key="elders", label=_("Older people"), columns=ELDER_COLUMNS, ...))
"""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet
from django.utils.functional import Promise

from yiyang.core import registry

from .columns import Column

if TYPE_CHECKING:
    from .importers import Importer


@dataclass(frozen=True)
class Export:
    """How an app's list becomes a workbook: the actor's list under the list page's filters
    (`rows_of(actor, filters)`, scoped by the app's own selector), the filters read from the
    list page's query string, and one row of cells per record."""

    capability: str  # reading the list (`elders.view`); exports.run is needed as well
    columns: Callable[[], list[Column]]
    queryset: Callable[[Any, Any], QuerySet]
    filters: Callable[..., Any]
    rows: Callable[[QuerySet], Iterator[list]]
    entity: str  # the model label the read log names


@dataclass(frozen=True)
class DataKind:
    key: str
    label: Promise | str
    columns: tuple[Column, ...]
    sheet_title: str  # the sheet's Chinese name: part of the file format districts know
    file_stem: str
    importer: "type[Importer] | None" = None
    # Capabilities an import of this kind needs (all of them).
    import_capabilities: tuple[str, ...] = ()
    # Region levels the template's code sheet lists (communities for people, ...).
    template_levels: tuple[int, ...] = ()
    export: Export | None = None
    order: int = 100


_kinds: dict[str, DataKind] = {}


def declare_kind(kind: DataKind) -> DataKind:
    if kind.key in _kinds:
        raise ImproperlyConfigured(f"data kind {kind.key} is declared twice")
    for capability in (
        *kind.import_capabilities,
        *([kind.export.capability] if kind.export else []),
    ):
        registry.capability_get(capability)
    _kinds[kind.key] = kind
    return kind


def kinds() -> list[DataKind]:
    return sorted(_kinds.values(), key=lambda k: (k.order, k.key))


def kind_get(key: str) -> DataKind | None:
    return _kinds.get(key)


def importable(actor) -> list[DataKind]:
    """The kinds this actor may import (every capability the kind needs)."""
    return [
        k
        for k in kinds()
        if k.importer is not None
        and actor is not None
        and all(actor.has_capability(c) for c in k.import_capabilities)
    ]


def exportable(actor) -> list[DataKind]:
    if actor is None or not actor.has_capability("exports.run"):
        return []
    return [k for k in kinds() if k.export and actor.has_capability(k.export.capability)]


def labels(choices: Iterable[DataKind]) -> list[tuple[str, Any]]:
    return [(k.key, k.label) for k in choices]
