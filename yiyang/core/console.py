"""What every console page needs: refusals as HTTP answers and form errors, a count-free page of
rows, and a record's history in words an officer reads."""

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model, QuerySet
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from . import audit
from .exceptions import DomainError, NotFound, PermissionDenied
from .models import ChangeLog
from .refusals import refusal_response


def domain_errors_as_http(view: Callable) -> Callable:
    """A refusal the view did not handle answers with its own status and page (NotFound 404,
    PermissionDenied 403, a step out of order 409), through `core.refusals`: a refusal is never
    a 500, and outsiders cannot tell a hidden record from a missing one. A 5xx refusal is a
    fault of ours and goes on up to be logged."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except DomainError as exc:
            if exc.status >= 500:
                raise
            return refusal_response(request, exc)

    return wrapper


def url_for(name: str, *args, **query) -> str:
    """A page's address with a query string: `url_for("people:list", status="active")`."""
    url = reverse(name, args=args)
    return f"{url}?{urlencode(query)}" if query else url


def wants_fragment(request, target: str) -> bool:
    """Whether htmx asked for just the element `target` (a list's results), not the page."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request and htmx.target == target


def add_domain_errors(form, exc: DomainError, *, aliases: dict[str, str] | None = None) -> None:
    """Put each of the service's field messages beside its field; the rest above the form.
    NotFound and PermissionDenied are not form errors: they go on up to become 404 and 403."""
    if isinstance(exc, NotFound | PermissionDenied):
        raise exc
    aliases = aliases or {}
    for name, message in exc.fields.items():
        name = aliases.get(name, name)
        form.add_error(name if name in form.fields else None, str(message))
    if not exc.fields:
        form.add_error(None, str(exc.message))


def add_remaining_errors(form, check: Callable[[], object]) -> None:
    """When the form itself refused some fields, still run the service's own check on what was
    given and show its reasons for the other fields, so that a person learns every mistake at
    once instead of one round at a time. Only called for forms that are already invalid; a
    valid form goes to the service, which checks again as it must."""
    try:
        check()
    except DomainError as exc:
        for name, message in exc.fields.items():
            if name in form.fields and name not in form.errors:
                form.add_error(name, str(message))


@dataclass
class PeekPage:
    """A page of rows that knows whether a next page exists by fetching one row more, instead of
    counting the whole table: a district's registry holds hundreds of thousands of people.
    The total is counted only up to `cap` (and not at all when page 1 holds everything)."""

    object_list: list
    number: int
    per_page: int
    has_next_page: bool
    total: int
    cap: int
    max_page: int

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    def has_next(self) -> bool:
        return self.has_next_page and self.number < self.max_page

    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_next() or self.has_previous()

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def total_is_capped(self) -> bool:
        return self.total > self.cap

    @property
    def at_last_allowed_page(self) -> bool:
        return self.has_next_page and self.number >= self.max_page

    def start_index(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.object_list else 0

    def end_index(self) -> int:
        return (self.number - 1) * self.per_page + len(self.object_list)


def page_number(raw) -> int:
    """A page number from a query string; anything that is not a positive number is page 1."""
    try:
        number = int(str(raw))
    except (TypeError, ValueError):
        return 1
    return max(number, 1)


def peek_page(
    qs: QuerySet, *, page: int, per_page: int = 50, cap: int = 10_000, max_page: int = 1000
) -> PeekPage:
    """Two queries at most, whatever the page and the size of the table."""
    number = min(max(page, 1), max_page)
    offset = (number - 1) * per_page
    rows = list(qs[offset : offset + per_page + 1])
    has_next = len(rows) > per_page
    rows = rows[:per_page]
    if number == 1 and not has_next:
        total = len(rows)
    else:
        total = qs.order_by().values("pk")[: cap + 1].count()
    return PeekPage(
        object_list=rows,
        number=number,
        per_page=per_page,
        has_next_page=has_next,
        total=total,
        cap=cap,
        max_page=max_page,
    )


@dataclass
class HistoryEntry:
    at: object
    actor_label: str
    action: str
    note: str
    changes: list[tuple[str, object, object]] = field(default_factory=list)


def _readable(model_field, value):
    if value in (None, ""):
        return None
    if value is True:
        return _("Yes")
    if value is False:
        return _("No")
    if model_field is not None and getattr(model_field, "choices", None):
        return dict(model_field.flatchoices).get(value, value)
    return value


def change_rows(model: type[Model] | None, changes) -> list[tuple[str, object, object]]:
    """A change log row's {field: [old, new]} as (field name, old, new) in words: the model's
    field names and choice labels, and the names its app registered for keys that are not
    fields (audit.register_change_labels). Any other shape shows as the new value. The record
    pages' history and the audit trail both read it."""
    if not isinstance(changes, dict):
        return []
    labels = audit.change_labels(model._meta.label_lower) if model is not None else {}
    rows = []
    for name, pair in sorted(changes.items()):
        model_field = None
        label = str(labels.get(name, name))
        if model is not None:
            try:
                model_field = model._meta.get_field(name)
                label = str(getattr(model_field, "verbose_name", name))
            except FieldDoesNotExist:
                pass
        if isinstance(pair, list | tuple) and len(pair) == 2:
            old, new = pair
        else:
            old, new = None, pair
        rows.append((label, _readable(model_field, old), _readable(model_field, new)))
    return rows


def change_history(
    entity: Model,
    *,
    limit: int = 50,
    notes: dict[str, str] | None = None,
) -> list[HistoryEntry]:
    """The history of one record, newest first, with field names and choices in words (see
    change_rows); `notes` words the services' notes.

    The caller has already fetched `entity` through its scoped selector: a record's own history
    travels with it, even rows written while it belonged to another district."""
    model = type(entity)
    notes = notes or {}
    actions = dict(ChangeLog.Action.choices)
    rows = ChangeLog.objects.filter(
        entity_type=model._meta.label_lower, entity_id=entity.pk
    ).order_by("-at", "-id")[:limit]
    entries = []
    for row in rows:
        changes = change_rows(model, row.changes)
        entries.append(
            HistoryEntry(
                at=row.at,
                actor_label=row.actor_label,
                action=str(actions.get(row.action, row.action)),
                note=str(notes[row.note]) if row.note in notes else audit.note_label(row.note),
                changes=changes,
            )
        )
    return entries
