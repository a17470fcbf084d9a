"""Chinese first, English one click away; the catalogue leaves nothing untranslated."""

import shutil

import pytest
from django.core.management import call_command
from django.urls import reverse

from yiyang.accounts.tests.factories import UserFactory


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs gettext (make system-packages)")
def test_the_zh_hans_catalogue_translates_every_message():
    call_command("check_catalogue")


def test_pages_speak_chinese_by_default_and_english_on_request(client, city):
    client.force_login(UserFactory(region=city.panlong))
    # given no language choice, the console is in Chinese
    page = client.get(reverse("home")).content.decode()
    assert "首页" in page and "老年人" in page
    # when the user switches to English
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("home")).content.decode()
    # then the same page is in English
    assert "Home" in page and "Older people" in page
    assert "首页" not in page


def test_field_errors_are_in_chinese(client, city):
    client.force_login(UserFactory(region=city.panlong))
    response = client.post(reverse("people:create"), {"name": "", "id_number": "123"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "身份证号" in body
    assert "18" in body  # 'a national ID number has 18 characters', in Chinese


def test_audit_notes_read_in_the_readers_language(client, city):
    from yiyang.accounts.roles import Role
    from yiyang.accounts.tests.factories import PASSWORD

    # given an officer who signed in (the service writes an English note as a stable key)
    UserFactory(username="officer1", region=city.panlong)
    client.post(reverse("accounts:login"), {"username": "officer1", "password": PASSWORD})
    client.logout()
    # when the audit administrator reads the trail
    client.force_login(UserFactory(region=city.panlong, role=Role.AUDIT_ADMIN))
    page = client.get(reverse("supervision:audit")).content.decode()
    # then the note reads in Chinese, with the address it came from
    assert "登录成功" in page
    assert "sign-in succeeded" not in page


def test_things_have_a_name_and_people_a_full_name_in_chinese():
    """名称 for organisations, service items, divisions and API keys; 姓名 for people."""
    from django.utils import translation

    from yiyang.accounts.forms import ApiKeyCreateForm
    from yiyang.institutions.models import Organisation
    from yiyang.marketplace.models import ServiceItem
    from yiyang.people.models import Elder
    from yiyang.regions.models import Region

    with translation.override("zh-hans"):
        for model in (Organisation, ServiceItem, Region):
            assert str(model._meta.get_field("name").verbose_name) == "名称", model
        assert str(ApiKeyCreateForm.base_fields["name"].label) == "名称"
        assert str(Elder._meta.get_field("name").verbose_name) == "姓名"
