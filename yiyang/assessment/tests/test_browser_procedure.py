"""From application to an effective conclusion through the pages, in Chromium: the officer files
and accepts, draws two assessors, each assessor fills the phone form, the officer reconciles the
item they answered differently, attaches the video still, concludes, puts the conclusion on
public notice and, once the notice has run, makes it effective; the older person's record then
shows the new disability grade."""

import datetime as dt

import pytest

from yiyang.accounts.tests.factories import PASSWORD
from yiyang.assessment.models import Assessment, Assignment
from yiyang.people.models import Elder
from yiyang.people.tests.factories import ElderFactory

from .conftest import PHONE, answer, phone_sign_in, submit_for_good
from .factories import P4_ITEMS, assessor_pool, officer, policy

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(64) + b"\xff\xd9"


def _phone_form(phone, assignment, items):
    """One assessor signs in on a phone and fills and submits the form."""
    page = phone_sign_in(phone, assignment.assessor.user.username)
    page.goto("/assess/")
    page.click(f"a[href='/assess/{assignment.pk}/']")
    for section in ("ADL", "COG", "PER"):
        answer(page, items, section)
        page.click("[data-action=next] >> visible=true")
    # the review says what this form gives before the submission, which cannot be undone
    page.wait_for_selector("[data-testid=review-grade][data-state=graded]")
    said = submit_for_good(page)
    assert "等级" in said and "分" in said
    page.wait_for_selector("[data-testid=sync-banner][data-state=submitted]")
    page.close()


def test_an_application_becomes_an_effective_conclusion_through_the_pages(
    page, sign_in, new_context, city, screenshots, tmp_path
):
    policy()
    pool = assessor_pool(city, size=3)
    staff = officer(city, username="yibao_panlong", display_name="周敏")
    elder = ElderFactory(region=city.panlong_community, name="张桂兰")

    # the officer files the application from the older person's record
    sign_in(staff.username, PASSWORD)
    page.goto(f"/elders/{elder.pk}/")
    page.click("[data-testid=apply]")
    page.select_option("select[name=instrument]", "ltc-2021")
    page.fill("input[name=applicant_name]", "张桂兰")
    page.fill("input[name=applicant_relation]", "本人")
    page.click("form button[type=submit]:not(.link)")
    page.screenshot(path=screenshots / "assessment-apply.png", full_page=True)
    page.wait_for_selector("[data-testid=accept]")
    case = Assessment.objects.get(elder=elder)
    assert case.status == "applied"

    # accepts it and draws two assessors from the designated organisation
    page.click("[data-testid=accept]")
    page.wait_for_selector("[data-testid=draw]")
    page.select_option("select[name=organisation]", str(pool.organisation.pk))
    page.click("[data-testid=draw]")
    page.wait_for_selector("[data-testid=round-1]")
    assert page.locator("[data-testid=status]").inner_text() in {"已派评估员", "Assessors assigned"}

    # each assessor fills the phone form; the second sees feeding differently
    first, second = Assignment.objects.filter(assessment=case).select_related("assessor__user")
    _phone_form(new_context(**PHONE, service_workers="block"), first, P4_ITEMS)
    _phone_form(new_context(**PHONE, service_workers="block"), second, {**P4_ITEMS, "ADL1": 0})
    case.refresh_from_db()
    assert case.status == "on_site_done"

    # the officer reconciles the differing item with a reason and attaches the evidence
    page.goto(f"/assessments/{case.pk}/")
    rows = page.locator("[data-testid=discrepancies] tbody tr")
    assert rows.count() == 1
    assert "ADL1" in rows.first.inner_text()
    rows.first.locator("a").click()
    page.select_option("select[name=value]", "5")
    page.fill("input[name=reason]", "双方当面复核进食能力")
    page.click("form button[type=submit]:not(.link)")
    photo = tmp_path / "现场评估.jpg"
    photo.write_bytes(JPEG)
    page.set_input_files("[data-testid=evidence] input[type=file]", str(photo))
    page.click("[data-testid=evidence] button[type=submit]")
    page.wait_for_selector("[data-testid=evidence] table")

    # concludes: the explanation shows the grade and how it was reached
    page.click("[data-testid=conclude]")
    page.wait_for_selector("[data-testid=explanation]")
    explanation = page.locator("[data-testid=explanation]").inner_text()
    assert "重度失能Ⅰ级" in explanation
    assert "5 / 100" in explanation
    page.screenshot(path=screenshots / "assessment-concluded.png", full_page=True)

    # puts it on public notice; the notice list is a PDF
    page.click("[data-testid=notice]")
    page.wait_for_selector("[data-testid=objection]", state="attached")
    case.refresh_from_db()
    assert case.status == "public_notice"
    page.goto("/assessments/notices/")
    with page.expect_response(lambda r: "/notices/pdf/" in r.url) as pdf:
        page.evaluate(
            "url => fetch(url)",
            page.locator("[data-testid=notice-pdf]").first.get_attribute("href"),
        )
    assert pdf.value.headers["content-type"] == "application/pdf"

    # the notice runs its five working days (time passes: move the period into the past)
    Assessment.objects.filter(pk=case.pk).update(
        notice_from=dt.date(2026, 3, 2), notice_to=dt.date(2026, 3, 6)
    )
    page.goto(f"/assessments/{case.pk}/")
    page.click("[data-testid=effective]")
    page.wait_for_selector("[data-testid=letter]")
    case.refresh_from_db()
    assert case.status == "effective"
    assert case.valid_from is not None and case.valid_to > case.valid_from
    page.screenshot(path=screenshots / "assessment-effective.png", full_page=True)

    # the older person's record now carries the grade, and links to the case
    page.goto(f"/elders/{elder.pk}/")
    assessments = page.locator("[data-testid=assessments]").inner_text()
    assert case.number in assessments and "重度失能Ⅰ级" in assessments
    assert Elder.objects.get(pk=elder.pk).disability_grade == 3
