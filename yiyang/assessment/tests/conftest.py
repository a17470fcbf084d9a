"""Phones for the browser tests of the assessor's pages, and a case waiting for its assessors."""

import pytest

from yiyang.accounts.tests.factories import PASSWORD
from yiyang.assessment import services
from yiyang.assessment.models import Assignment
from yiyang.conftest import sign_in_through_the_form
from yiyang.people.tests.factories import ElderFactory

from .factories import assessor_pool, officer, policy

PHONE = {
    "locale": "zh-CN",
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
}


@pytest.fixture
def phone(new_context):
    """A phone-sized context. Service workers are blocked: the worker's own tests use
    `phone_with_worker`, and a worker left running would answer for pages these tests close."""
    return new_context(**PHONE, service_workers="block")


@pytest.fixture
def phone_with_worker(new_context):
    return new_context(**PHONE, service_workers="allow")


def assigned(city, instrument="ltc-2021", *, pool_size=2) -> Assignment:
    """A case of 王秀英 with its assessors drawn; the first assessor's assignment."""
    policy(instrument)
    pool = assessor_pool(city, size=pool_size)
    boss = officer(city)
    elder = ElderFactory(region=city.panlong_community, name="王秀英", address="白塔路12号")
    case = services.application_file(
        actor=boss,
        data=services.ApplicationData(
            elder_id=elder.id, instrument=instrument, applicant_name="本人"
        ),
    )
    services.application_accept(actor=boss, assessment_id=case.id)
    services.assessors_draw(actor=boss, assessment_id=case.id, organisation_id=pool.organisation.id)
    return Assignment.objects.select_related("assessor__user").filter(assessment=case).first()


def phone_sign_in(context, username: str):
    return sign_in_through_the_form(context.new_page(), username, PASSWORD)


def answer(page, items: dict, prefix: str = "") -> None:
    """Tap each answer of `items` whose id starts with `prefix` on the phone form."""
    for item, score in items.items():
        if item.startswith(prefix):
            option = page.locator(f'label.m-option:has(input[name="{item}"][value="{score}"])')
            if not option.is_visible():  # a long form goes on over more than one screen
                page.click("[data-action=next] >> visible=true")
            option.tap()


def submit_for_good(page) -> str:
    """Tap Submit, read what the confirmation says, and tap again to submit; returns the text."""
    page.locator("[data-testid=submit]").tap()
    page.wait_for_selector("[data-testid=submit-confirm]:not([hidden])")
    said = page.inner_text("[data-testid=submit-confirm]")
    page.locator("[data-testid=submit]").tap()
    return said
