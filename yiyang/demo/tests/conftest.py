import datetime as dt

import pytest
from django.db import transaction

from yiyang.demo.services import demo_city_build

AS_OF = dt.date(2026, 1, 1)


@pytest.fixture
def build():
    """Build a demo city of the given size into the test database."""

    def _build(elders: int = 400, seed: int = 7, force: bool = False):
        return demo_city_build(elders=elders, seed=seed, as_of=AS_OF, force=force)

    return _build


@pytest.fixture(scope="module")
def small_city(django_db_setup, django_db_blocker):
    """One demo city of 600 people shared by the tests of a module that only read it.

    It is built inside a transaction that is rolled back after the module, as Django's
    TestCase.setUpTestData does; each test runs in a savepoint within it."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield demo_city_build(elders=600, seed=11, as_of=AS_OF)
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
