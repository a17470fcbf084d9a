"""An assessor opens the task list at the office, drives to a village without signal and opens
the form there: the service worker serves the page it kept, the answers wait on the phone, and
once the phone is back online the submission arrives and the kept page is removed."""

import pytest

from yiyang.assessment.models import Assignment

from .conftest import answer, assigned, phone_sign_in, submit_for_good
from .factories import P4_ITEMS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BANNER = "[data-testid=sync-banner]"

# Whether any of the page's caches holds this URL (the worker's, under whatever version).
IS_CACHED = """async (path) => {
  const url = new URL(path, location.href).href;
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    if (await cache.match(url, { ignoreVary: true })) return true;
  }
  return false;
}"""
IS_WORKER_ACTIVE = """async () => {
  const registration = await navigator.serviceWorker.getRegistration("/assess/");
  return !!(registration && registration.active && registration.active.state === "activated");
}"""


def _eventually(page, script: str, arg=None, *, expect=True, seconds: float = 15) -> None:
    """Poll an async check in the page: `wait_for_function` takes a Promise for a true value."""
    for _ in range(int(seconds * 10)):
        if page.evaluate(script, arg) == expect:
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"still {not expect} after {seconds}s: {script}")


@pytest.fixture
def phone(phone_with_worker):
    """Here the phone runs the service worker."""
    return phone_with_worker


def _saved(assignment) -> Assignment:
    return Assignment.objects.get(pk=assignment.pk)


def test_a_form_kept_from_the_task_list_opens_and_submits_without_a_connection(
    phone, city, screenshots
):
    # given an assessor drawn for a case, who opens the task list at the office
    assignment = assigned(city)
    form_url = f"/assess/{assignment.pk}/"
    page = phone_sign_in(phone, assignment.assessor.user.username)
    page.goto("/assess/")
    # then the service worker starts and keeps the open form's page on the phone
    _eventually(page, IS_WORKER_ACTIVE)
    _eventually(page, IS_CACHED, form_url)
    page.wait_for_selector("[data-testid=offline-note]")
    page.screenshot(path=screenshots / "assessor-phone-tasks-kept.png")

    # when the phone loses its connection and the assessor opens the task list in the village
    _eventually(page, IS_CACHED, "/assess/")
    phone.set_offline(True)
    page.goto("/assess/")
    # then the list comes from the phone, and its task opens the kept form
    assert page.locator("[data-testid=task]").count() == 1
    page.click(f"a[href='{form_url}']")
    page.wait_for_url(f"**{form_url}")
    # then the page comes from the phone, and says it was opened without a connection
    assert page.locator("[data-testid=person]").inner_text().startswith("王秀英")
    assert page.locator("[data-testid=offline-notice]").is_visible()
    page.screenshot(path=screenshots / "assessor-phone-opened-offline.png")
    strings = page.evaluate("JSON.parse(document.getElementById('assess-config').textContent)")[
        "strings"
    ]

    # when they answer every item and submit
    for prefix in ("ADL", "COG", "PER"):
        answer(page, P4_ITEMS, prefix)
        page.click("[data-action=next] >> visible=true")
    assert page.locator("[data-testid=unanswered] li").count() == 0
    submit_for_good(page)
    # then the banner says the answers are kept on the phone, and the server has nothing yet
    page.wait_for_selector(f"{BANNER}[data-state=offline]")
    assert page.inner_text(BANNER) == strings["offline"]
    assert _saved(assignment).submitted_at is None

    # when the connection comes back
    phone.set_offline(False)
    # then the submission arrives with every answer
    page.wait_for_selector(f"{BANNER}[data-state=submitted]")
    saved = _saved(assignment)
    assert saved.submitted_at is not None
    assert saved.answers["items"] == P4_ITEMS
    assert not page.locator("[data-testid=offline-notice]").is_visible()
    # and neither the kept page nor the answers stay on the phone
    _eventually(page, IS_CACHED, form_url, expect=False)
    assert page.evaluate(f"localStorage.getItem('yiyang.assignment.{assignment.pk}')") is None


def test_signing_out_clears_the_phone_after_asking_about_unsent_answers(phone, city):
    # given an assessor whose open form is kept on the phone, with answers not yet sent
    assignment = assigned(city)
    form_url = f"/assess/{assignment.pk}/"
    key = f"yiyang.assignment.{assignment.pk}"
    page = phone_sign_in(phone, assignment.assessor.user.username)
    page.goto("/assess/")
    _eventually(page, IS_CACHED, form_url)
    page.evaluate(
        "([key, answers]) => localStorage.setItem(key, JSON.stringify("
        "{answers: answers, saved_at: new Date().toISOString(), pending: true}))",
        [key, {"items": {"ADL1": 5}}],
    )
    dialogs: list[str] = []

    def dismiss(dialog):
        dialogs.append(dialog.message)
        dialog.dismiss()

    assert "yiyang-assess" in page.evaluate(
        "async () => (await indexedDB.databases()).map(d => d.name)"
    )
    # when they tap Sign out and decline the warning about unsent answers
    page.once("dialog", dismiss)
    page.click("form[data-sign-out] button")
    # then nothing is cleared and they stay signed in
    assert len(dialogs) == 1
    assert page.evaluate(f"localStorage.getItem('{key}')") is not None
    assert page.evaluate(IS_CACHED, form_url)
    assert page.url.endswith("/assess/")

    # when they sign out and accept
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("form[data-sign-out] button")
    page.wait_for_url("**/accounts/login/**")
    # then neither the kept pages nor the answers stay on the phone
    assert (
        page.evaluate("async () => (await caches.keys()).filter(n => n.startsWith('yiyang-'))")
        == []
    )
    # nor the queue of photos waiting to be sent
    assert "yiyang-assess" not in page.evaluate(
        "async () => (await indexedDB.databases()).map(d => d.name)"
    )
    assert page.evaluate(f"localStorage.getItem('{key}')") is None
    # and the form asks for sign-in again
    page.goto(form_url)
    assert "/accounts/login/" in page.url


PHOTO = {
    "name": "IMG_0101.png",
    "mimeType": "image/png",
    "buffer": b"\x89PNG\r\n\x1a\n" + bytes(64),
}
QUEUED = "[data-testid=queued-photo]"


def test_a_photo_taken_without_a_connection_waits_on_the_phone_and_is_sent_once(
    phone, city, screenshots
):
    from yiyang.assessment.models import Evidence

    # given an assessor whose open form and its photo page are kept on the phone at the office
    assignment = assigned(city)
    photos_url = f"/assess/{assignment.pk}/evidence/"
    page = phone_sign_in(phone, assignment.assessor.user.username)
    page.goto("/assess/")
    _eventually(page, IS_WORKER_ACTIVE)
    _eventually(page, IS_CACHED, photos_url)

    # when, in the village without signal, they open the photo page and take a photo
    phone.set_offline(True)
    page.goto(photos_url)
    page.set_input_files("input[type=file]", PHOTO)
    page.fill("input[name=note]", "卧室的扶手")
    page.click("[data-testid=evidence-form] button")
    # then the photo waits on the phone, the page says so, and the server has nothing yet
    page.wait_for_selector(f"{QUEUED}[data-state=queued]")
    assert "IMG_0101.png" in page.inner_text(QUEUED)
    assert not Evidence.objects.exists()
    page.screenshot(path=screenshots / "assessor-phone-photo-queued.png")
    # and it is still there when the page is opened again, still without a connection
    page.reload()
    page.wait_for_selector(f"{QUEUED}[data-state=queued]")

    # when the connection comes back
    phone.set_offline(False)
    # then the photo is attached once, with its note and the phone's time, and leaves the queue
    page.wait_for_selector(QUEUED, state="detached", timeout=15000)
    row = Evidence.objects.get(assessment=assignment.assessment)
    assert (row.original_name, row.note) == ("IMG_0101.png", "卧室的扶手")
    assert row.client_id and row.taken_at is not None
    assert "IMG_0101.png" in page.inner_text("[data-testid=evidence-list]")
    # and opening the page again sends nothing more
    page.reload()
    page.wait_for_load_state("networkidle")
    assert Evidence.objects.count() == 1
    assert page.evaluate("localStorage.getItem('yiyang.assignment.photos')") is None


def test_a_queued_photo_the_server_refuses_stays_with_its_reason_until_removed(phone, city):
    from yiyang.assessment.models import Evidence

    assignment = assigned(city)
    page = phone_sign_in(phone, assignment.assessor.user.username)
    page.goto(f"/assess/{assignment.pk}/evidence/")
    # when a file that is not a photo is queued and sent
    page.set_input_files(
        "input[type=file]", {"name": "notes.png", "mimeType": "image/png", "buffer": b"hello"}
    )
    page.click("[data-testid=evidence-form] button")
    # then it is shown as refused with the server's reason, and nothing is stored
    page.wait_for_selector(f"{QUEUED}[data-state=refused]")
    assert "JPEG" in page.inner_text(QUEUED)
    assert not Evidence.objects.exists()
    # and it no longer counts as waiting, and the assessor can remove it
    assert page.evaluate("localStorage.getItem('yiyang.assignment.photos')") is None
    page.click(f"{QUEUED} button")
    page.wait_for_selector(QUEUED, state="detached")
