"""An assessor fills the form on a phone in Chromium and loses the connection half-way: the answers
stay on the phone, and the submission reaches the server once the phone is back online."""

import pytest

from yiyang.assessment.models import Assignment

from .conftest import answer, assigned, phone_sign_in, submit_for_good
from .factories import P4_ITEMS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BANNER = "[data-testid=sync-banner]"


def _saved(assignment) -> Assignment:
    return Assignment.objects.get(pk=assignment.pk)


def test_answers_survive_a_lost_connection_and_the_submission_arrives_later(
    phone, city, screenshots
):
    # given an assessor drawn for a case, signed in on their phone
    assignment = assigned(city)
    page = phone_sign_in(phone, assignment.assessor.user.username)
    page.goto("/assess/")
    assert page.locator("[data-testid=task]").count() == 1
    page.screenshot(path=screenshots / "assessor-phone-tasks.png")
    # when they open the form and answer the first section while online
    page.goto(f"/assess/{assignment.pk}/")
    assert page.locator("[data-screen-id=ADL]").is_visible()
    assert not page.locator("[data-screen-id=COG]").is_visible()
    answer(page, P4_ITEMS, "ADL")
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=screenshots / "assessor-phone-section.png")
    # then those answers reach the server
    page.wait_for_selector(f"{BANNER}[data-state=sent]")
    assert set(_saved(assignment).answers["items"]) == {k for k in P4_ITEMS if k.startswith("ADL")}
    strings = page.evaluate("JSON.parse(document.getElementById('assess-config').textContent)")[
        "strings"
    ]

    # when the connection drops and they answer the rest and submit
    phone.set_offline(True)
    page.click("[data-action=next] >> visible=true")
    answer(page, P4_ITEMS, "COG")
    page.click("[data-action=next] >> visible=true")
    answer(page, P4_ITEMS, "PER")
    page.click("[data-action=next] >> visible=true")
    assert page.locator("[data-testid=unanswered] li").count() == 0
    # (offline, the grade waits for the server; the submission asks to be confirmed)
    assert page.get_attribute("[data-testid=review-grade]", "data-state") == "pending"
    assert "提交后" in submit_for_good(page)
    # then the banner says the answers are kept on the phone, and the server has no submission
    page.wait_for_selector(f"{BANNER}[data-state=offline]")
    assert page.inner_text(BANNER) == strings["offline"]
    page.screenshot(path=screenshots / "assessor-phone-offline.png")
    saved = _saved(assignment)
    assert saved.submitted_at is None
    assert not any(k.startswith("COG") for k in saved.answers["items"])

    # when the phone is back online and the assessor opens the form again
    page.close()
    phone.set_offline(False)
    page = phone.new_page()
    page.goto(f"/assess/{assignment.pk}/")
    # then the answers the server never had come back from the phone's storage
    assert page.locator('input[name="COG1"][value="4"]').is_checked()
    assert page.locator('input[name="PER3"][value="4"]').is_checked()
    # and the queued submission is sent: the server has every answer, submitted
    page.wait_for_selector(f"{BANNER}[data-state=submitted]")
    saved = _saved(assignment)
    assert saved.submitted_at is not None
    assert saved.answers["items"] == P4_ITEMS
    assert saved.result["grade"] == 3
    # and nothing personal stays on the phone once the server holds the submission
    assert page.evaluate(f"localStorage.getItem('yiyang.assignment.{assignment.pk}')") is None


def test_unanswered_items_and_refused_answers_are_shown_beside_the_items(phone, city, screenshots):
    # given an assessor on a GB/T 42195 form, which also asks for diagnoses
    assignment = assigned(city, instrument="gbt-42195-2022")
    page = phone_sign_in(phone, assignment.assessor.user.username)
    page.goto(f"/assess/{assignment.pk}/#step-8")
    # when they try to submit with nothing answered
    page.locator("[data-testid=submit]").tap()
    # then the first section comes back with its first item marked, and nothing is sent
    assert page.locator("[data-screen-id=B1]").is_visible()
    assert page.locator("[data-error-for='B1.1']").is_visible()
    assert _saved(assignment).saved_at is None
    # when they enter a diagnosis that is not an ICD-10 code
    page.click("[data-goto='6']")
    page.fill("input[name=diagnoses]", "F00 dementia")
    # then the server refuses it and the page says so beside the field
    page.wait_for_selector("[data-error-for=diagnoses]:not([hidden])")
    assert page.locator("[data-screen-id=extra]").is_visible()
    assert page.locator(f"{BANNER}[data-state=error]").is_visible()
    page.screenshot(path=screenshots / "assessor-phone-refused.png")
    assert _saved(assignment).saved_at is None
