"""What the apps declare at start-up is whole: every capability the code asks for is declared
by some app, every role a declaration grants to exists, every scoped model has rules."""

import ast
from pathlib import Path

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured

from yiyang.accounts.roles import SCOPE_OF_ROLE, Role
from yiyang.accounts.tests.factories import UserFactory
from yiyang.core import registry, scoping

PACKAGE = Path(__file__).resolve().parent.parent
# Calls whose string argument names a capability: require(actor, "x.y"), needs("x.y"),
# actor.has_capability("x.y"), and declarations' capability="x.y".
CALLS = {"require": 1, "needs": 0, "has_capability": 0, "_require_capability": 1}


def _named_capabilities():
    for path in sorted(PACKAGE.rglob("*.py")):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            literals = []
            if name in CALLS and len(node.args) > CALLS[name]:
                literals.append(node.args[CALLS[name]])
            literals += [k.value for k in node.keywords if k.arg == "capability"]
            for arg in literals:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    yield path.relative_to(PACKAGE), node.lineno, arg.value


def test_every_capability_the_code_names_is_declared_by_an_app():
    named = list(_named_capabilities())
    assert len(named) > 50  # the scan finds the code's checks
    undeclared = [(str(p), line, code) for p, line, code in named if not registry.is_declared(code)]
    assert not undeclared, f"capabilities nobody declared: {undeclared}"


def test_a_check_of_an_undeclared_capability_is_a_bug_not_a_refusal(city):
    user = UserFactory(region=city.panlong)
    with pytest.raises(ImproperlyConfigured):
        scoping.require(user, "nobody.declared_this")


def test_every_declared_capability_is_granted_to_real_roles():
    roles = set(Role.values)
    for cap in registry.capabilities():
        assert cap.roles, cap.code
        assert cap.roles <= roles, (cap.code, cap.roles - roles)


def test_every_role_has_a_scope_kind_that_scoping_knows():
    for role in Role:
        assert SCOPE_OF_ROLE[role] in scoping.KINDS


def test_every_model_that_carries_a_region_code_is_scoped():
    """A model with people's or organisations' data must say who sees it."""
    unscoped = [
        m._meta.label_lower
        for m in apps.get_models()
        if m._meta.app_config.name.startswith("yiyang.")
        and any(f.name == "region_code" for f in m._meta.concrete_fields)
        and not scoping.is_scoped(m)
        # dated policy rows are the city's rules, public to whoever applies them
        and not m._meta.label_lower.endswith("policy")
    ]
    assert not unscoped


def test_every_landing_card_and_menu_entry_names_a_declared_capability():
    for card in registry.landing_cards():
        assert card.capability is None or registry.is_declared(card.capability)
    for entry in registry.menu_entries():
        assert entry.capability is None or registry.is_declared(entry.capability)


def test_every_capability_a_declaration_names_is_declared():
    assert registry.undeclared() == []
    # and the check that reports one is installed
    from django.core.management import call_command

    call_command("check")
