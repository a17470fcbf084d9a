from django.urls import reverse

from yiyang.accounts.roles import Role
from yiyang.accounts.tests.factories import UserFactory
from yiyang.marketplace.models import ServiceItem


def _item(code="A1", **kw):
    values = {
        "name": "助餐",
        "category": "meal",
        "unit": "餐",
        "duration_minutes": 30,
        "price": "15.00",
    }
    values.update(kw)
    return ServiceItem.objects.create(code=code, **values)


FORM = {
    "code": "ZY-01",
    "name": "上门助浴",
    "category": "bathing",
    "unit": "次",
    "duration_minutes": "60",
    "price": "80.50",
    "is_active": "on",
}


def test_caregivers_see_the_catalogue_without_edit_links(client, city):
    _item()
    client.force_login(UserFactory(region=city.panlong, role=Role.CAREGIVER))

    page = client.get(reverse("marketplace:list")).content.decode()

    assert "助餐" in page
    assert reverse("marketplace:create") not in page
    assert client.get(reverse("marketplace:create")).status_code == 403


def test_the_list_filters_by_category_and_search(client, city):
    _item("A1", name="助餐")
    _item("B1", name="助浴", category="bathing")
    client.force_login(UserFactory(region=city.city))

    page = client.get(reverse("marketplace:list") + "?category=bathing").content.decode()

    assert "B1" in page and "A1" not in page


def test_an_officer_adds_and_edits_an_item(client, city):
    client.force_login(UserFactory(region=city.city))

    created = client.post(reverse("marketplace:create"), FORM)
    item = ServiceItem.objects.get()
    edited = client.post(reverse("marketplace:edit", args=[item.pk]), {**FORM, "price": "99"})

    assert created.status_code == 302 and edited.status_code == 302
    item.refresh_from_db()
    assert str(item.price) == "99.00"


def test_field_errors_are_shown_by_the_field(client, city):
    _item("ZY-01")
    client.force_login(UserFactory(region=city.city))

    response = client.post(reverse("marketplace:create"), {**FORM, "price": "1.234"})

    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-field="code"' in page and 'data-field="price"' in page


def test_health_officers_may_view_but_not_edit(client, city):
    item = _item()
    client.force_login(UserFactory(region=city.panlong, role=Role.HEALTH))

    assert client.get(reverse("marketplace:list")).status_code == 200
    assert client.get(reverse("marketplace:edit", args=[item.pk])).status_code == 403
    assert client.get(reverse("marketplace:edit", args=[9999])).status_code == 404


def test_accounts_without_the_capability_cannot_open_the_catalogue(client, city):
    client.force_login(UserFactory(region=city.panlong, role=Role.AUDIT_ADMIN))
    assert client.get(reverse("marketplace:list")).status_code == 403


def test_a_search_of_100_kb_is_a_field_error_not_a_server_error(client, city):
    _item("A1", name="助餐")
    client.force_login(UserFactory(region=city.city))

    response = client.get(reverse("marketplace:list"), {"q": "x" * 100_000})

    assert response.status_code == 200
    assert "q" in response.context["filters"].errors
