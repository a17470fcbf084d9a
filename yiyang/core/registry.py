"""What each app declares to the platform: its capabilities and the roles that hold them, its
section of the menu, its landing-page cards and where a role lands.

Every app of the project may have a `declarations` module; `CoreConfig.ready()` imports them
all at start-up (as Django's admin discovers `admin` modules), so a new app is a folder that
states what it needs and no other app lists it. The registries here are filled once, at
start-up, and only read afterwards.

Roles are named by their values (`"civil_affairs"`): core sits below the accounts app that
defines them.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.utils.functional import Promise

# --- capabilities -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Capability:
    """Something an actor may do: `elders.view`. `api` marks what an API key may be granted:
    administration, the audit trail, revealing ID numbers and health data never are."""

    code: str
    label: Promise | str
    roles: frozenset[str]
    api: bool = False


_capabilities: dict[str, Capability] = {}
_by_role: dict[str, frozenset[str]] = {}
# Capabilities that declarations name (a menu entry, a card, an import kind): checked once
# every app has declared (core.apps runs the check), since apps declare in any order.
_named: list[tuple[str, str]] = []


def name_capability(where: str, code: str | None) -> None:
    """Note that a declaration needs a capability; `undeclared()` reports it if nobody has it."""
    if code is not None:
        _named.append((where, code))


def undeclared() -> list[tuple[str, str]]:
    """(where, capability) for every capability a declaration names that no app declares."""
    return [(where, code) for where, code in _named if code not in _capabilities]


def declare_capabilities(*capabilities: Capability) -> None:
    for cap in capabilities:
        if cap.code in _capabilities and _capabilities[cap.code] != cap:
            raise ImproperlyConfigured(f"capability {cap.code} is declared twice")
        _capabilities[cap.code] = cap
    _by_role.clear()


def capability(code: str, label, *, roles: Iterable[str], api: bool = False) -> Capability:
    """Shorthand for a declaration: `capability("elders.view", _("Read"), roles=[...])`."""
    return Capability(code=code, label=label, roles=frozenset(str(r) for r in roles), api=api)


def is_declared(code: str) -> bool:
    return code in _capabilities


def capability_get(code: str) -> Capability:
    try:
        return _capabilities[code]
    except KeyError:
        raise ImproperlyConfigured(f"no app declares the capability {code!r}") from None


def capabilities() -> list[Capability]:
    return sorted(_capabilities.values(), key=lambda c: c.code)


def role_capabilities(role: str) -> frozenset[str]:
    if not _by_role:
        roles: dict[str, set[str]] = {}
        for cap in _capabilities.values():
            for r in cap.roles:
                roles.setdefault(r, set()).add(cap.code)
        _by_role.update({r: frozenset(codes) for r, codes in roles.items()})
    return _by_role.get(str(role), frozenset())


def api_scopes() -> list[tuple[str, Any]]:
    """What an API key may be granted, as (code, label) choices."""
    return [(c.code, c.label) for c in capabilities() if c.api]


# --- the menu -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MenuEntry:
    url_name: str
    label: Promise | str
    capability: str | None  # None: everyone signed in
    order: int = 100


@dataclass(frozen=True)
class MenuSection:
    key: str
    label: Promise | str
    order: int
    entries: tuple[MenuEntry, ...]


_sections: dict[str, tuple] = {}
_entries: dict[str, list[MenuEntry]] = {}


def declare_section(key: str, label, *, order: int) -> None:
    """A section of the console's menu, declared once by the app that owns it (core declares
    the ones several apps share: home, registry, data, administration)."""
    if key in _sections:
        raise ImproperlyConfigured(f"menu section {key} is declared twice")
    _sections[key] = (label, order)


def declare_menu(section: str, entries: Iterable[MenuEntry]) -> None:
    """An app's entries in a section of the menu."""
    entries = tuple(entries)
    for entry in entries:
        name_capability(f"menu entry {entry.url_name}", entry.capability)
    _entries.setdefault(section, []).extend(entries)


def menu_entries() -> list[MenuEntry]:
    return [e for s in menu_sections() for e in s.entries]


def menu_sections() -> list[MenuSection]:
    unknown = set(_entries) - set(_sections)
    if unknown:
        raise ImproperlyConfigured(f"menu entries in undeclared sections: {sorted(unknown)}")
    sections = [
        MenuSection(key, label, order, tuple(sorted(_entries.get(key, ()), key=lambda e: e.order)))
        for key, (label, order) in _sections.items()
    ]
    return sorted(sections, key=lambda s: (s.order, s.key))


def menu_for(actor) -> list[MenuSection]:
    """The sections and entries this actor may open, empty sections left out."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return []
    shown = []
    for section in menu_sections():
        entries = tuple(
            e for e in section.entries if e.capability is None or actor.has_capability(e.capability)
        )
        if entries:
            shown.append(MenuSection(section.key, section.label, section.order, entries))
    return shown


# --- landing pages ------------------------------------------------------------------------------


@dataclass
class Tile:
    """One line of a landing page. A task is work waiting for the actor today (the cases
    overdue, the visits due): the page lists tasks first, the urgent ones on top. A figure is a
    number of their region or organisation."""

    key: str
    label: Promise | str
    value: Any = None
    url: str | None = None
    is_task: bool = False
    is_urgent: bool = False


@dataclass
class CardResult:
    key: str
    tiles: list[Tile] = field(default_factory=list)
    template: str | None = None
    context: dict = field(default_factory=dict)
    order: int = 100
    placement: str = "body"


@dataclass(frozen=True)
class LandingCard:
    """A card an app puts on landing pages. `build(actor)` returns the tiles, or (for a card
    with its own `template`) a dict of context, or None to show nothing. `capability` and
    `scope_kinds` say whose landing it is on: every actor holding the capability whose
    accounts are scoped in one of the kinds (None: any)."""

    key: str
    build: Callable[[Any], Any]
    capability: str | None = None
    scope_kinds: frozenset[str] | None = None
    order: int = 100
    template: str | None = None
    # A card with a template shows above the work list ("head": whose page this is) or below
    # the figures ("body": a table).
    placement: str = "body"


_cards: dict[str, LandingCard] = {}


def declare_cards(*cards: LandingCard) -> None:
    for card in cards:
        name_capability(f"landing card {card.key}", card.capability)
        if card.key in _cards:
            raise ImproperlyConfigured(f"landing card {card.key} is declared twice")
        _cards[card.key] = card


def landing_cards() -> list[LandingCard]:
    return sorted(_cards.values(), key=lambda c: (c.order, c.key))


def cards_for(actor) -> list[CardResult]:
    """Each card this actor's landing shows, built. A card that has nothing to say (None, or
    nothing in it) is left out. A card's build returns its tiles, or for a card with a template
    the template's context, whose "tiles" (if any) join the page's lists."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return []
    kind = getattr(actor, "scope_kind", None)
    results = []
    for card in landing_cards():
        if card.capability is not None and not actor.has_capability(card.capability):
            continue
        if card.scope_kinds is not None and kind not in card.scope_kinds:
            continue
        built = card.build(actor)
        if not built:
            continue
        if isinstance(built, dict):
            context = dict(built)
            tiles = list(context.pop("tiles", []))
            results.append(
                CardResult(
                    card.key,
                    tiles=tiles,
                    template=card.template,
                    context=context,
                    order=card.order,
                    placement=card.placement,
                )
            )
        else:
            results.append(CardResult(card.key, tiles=list(built), order=card.order))
    return results


@dataclass
class LandingPage:
    """An actor's landing: the work waiting today (urgent first), their figures, and the
    cards with a template of their own."""

    tasks: list[Tile]
    figures: list[Tile]
    heads: list[CardResult]
    panels: list[CardResult]

    def tile(self, key: str) -> Tile | None:
        return next((t for t in [*self.tasks, *self.figures] if t.key == key), None)

    def values(self) -> dict[str, Any]:
        """Each tile's value by its key (the page's figures and counts)."""
        return {t.key: t.value for t in [*self.tasks, *self.figures]}

    def panel(self, key: str) -> dict | None:
        return next((c.context for c in [*self.heads, *self.panels] if c.key == key), None)


def landing_for(actor) -> LandingPage:
    cards = cards_for(actor)
    tiles = [t for c in cards for t in c.tiles]
    tasks = [t for t in tiles if t.is_task]
    tasks.sort(key=lambda t: not t.is_urgent)  # stable: each card's order stays within a rank
    return LandingPage(
        tasks=tasks,
        figures=[t for t in tiles if not t.is_task],
        heads=[c for c in cards if c.template and c.placement == "head"],
        panels=[c for c in cards if c.template and c.placement != "head"],
    )


@dataclass(frozen=True)
class Landing:
    """Where accounts of some roles arrive after signing in, instead of the home page: the
    assessor with a phone goes straight to their tasks."""

    roles: frozenset[str]
    url_name: str
    phones_only: bool = False


_landings: list[Landing] = []


def declare_landing(*, roles: Iterable[str], url_name: str, phones_only: bool = False) -> None:
    _landings.append(
        Landing(roles=frozenset(str(r) for r in roles), url_name=url_name, phones_only=phones_only)
    )


# The "Mobi" token is how browsers say they run on a phone (Android, iOS, HarmonyOS and the
# WeChat browser all send it); tablets do not, and get the console.
PHONE_TOKENS = ("Mobi", "iPhone", "Android")


def is_phone(user_agent: str) -> bool:
    return any(token in (user_agent or "") for token in PHONE_TOKENS) and "iPad" not in (
        user_agent or ""
    )


def landing_url_name(actor, *, user_agent: str = "") -> str | None:
    """The page this actor's landing sends them to, or None for the home page."""
    role = str(getattr(actor, "role", "") or "")
    for landing in _landings:
        if role in landing.roles and (not landing.phones_only or is_phone(user_agent)):
            return landing.url_name
    return None


# --- panels on record pages ---------------------------------------------------------------------


@dataclass(frozen=True)
class Panel:
    """A section an app adds to another app's record page: the assessment app's cases on an
    older person's page. `build(actor, record)` returns the template's context, or None to
    show nothing (the actor may not see it, or there is nothing to say)."""

    key: str
    template: str
    build: Callable[[Any, Any], dict | None]
    order: int = 100


_panels: dict[str, list[Panel]] = {}


def declare_panel(page: str, panel: Panel) -> None:
    """`page` names the record page by its model label: "people.elder"."""
    if any(p.key == panel.key for p in _panels.get(page, ())):
        raise ImproperlyConfigured(f"panel {panel.key} on {page} is declared twice")
    _panels.setdefault(page, []).append(panel)


def panels_for(page: str, actor, record) -> list[CardResult]:
    shown = []
    for panel in sorted(_panels.get(page, ()), key=lambda p: (p.order, p.key)):
        context = panel.build(actor, record)
        if context is not None:
            shown.append(CardResult(panel.key, template=panel.template, context=context))
    return shown
