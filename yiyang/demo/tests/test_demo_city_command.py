from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from yiyang.demo.models import DemoCity


def test_the_command_builds_once_and_then_reports_the_city(db):
    out = StringIO()
    call_command("demo_city", elders=150, seed=4, stdout=out)
    assert "demo city built" in out.getvalue()
    out = StringIO()
    call_command("demo_city", elders=150, seed=4, stdout=out)
    assert "already built" in out.getvalue()
    assert DemoCity.objects.get().elders == 150


def test_the_command_refuses_another_size_without_force(db):
    call_command("demo_city", elders=150, seed=4, stdout=StringIO())
    with pytest.raises(CommandError, match="--force"):
        call_command("demo_city", elders=160, seed=4, stdout=StringIO())


def test_demo_accounts_command_needs_a_demo_city(db):
    with pytest.raises(CommandError):
        call_command("demo_accounts", stdout=StringIO())
