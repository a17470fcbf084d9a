import pytest


@pytest.fixture(autouse=True)
def _enable_db_for_all(db):
    """Every test here touches the database; say so once."""


@pytest.fixture
def city(db):
    from yiyang.regions.tests.factories import build_city

    return build_city()
