import pytest
from django.core.management import CommandError, call_command

from yiyang.accounts.models import User
from yiyang.accounts.roles import Role


def test_the_first_system_administrator_is_made_from_the_command_line(city, monkeypatch):
    # given a new deployment with regions and no accounts
    monkeypatch.setenv("YIYANG_ADMIN_PASSWORD", "First@Admin2026")
    # when the operator runs the command
    call_command("create_admin", username="root1", name="系统管理员", region="5301")
    # then a system administrator of the city exists and must choose a new password
    admin = User.objects.get(username="root1")
    assert admin.role == Role.SYSTEM_ADMIN and admin.region_code == "5301"
    assert admin.must_change_password and admin.check_password("First@Admin2026")


def test_the_command_is_no_back_door_once_an_administrator_exists(city, monkeypatch):
    monkeypatch.setenv("YIYANG_ADMIN_PASSWORD", "First@Admin2026")
    call_command("create_admin", username="root1", name="系统管理员", region="5301")
    with pytest.raises(CommandError, match="region"):
        call_command("create_admin", username="root2", name="又一个", region="530103")
    assert not User.objects.filter(username="root2").exists()


@pytest.mark.parametrize(
    ("password", "region", "field"),
    [("short", "5301", "password"), ("First@Admin2026", "999999", "region")],
)
def test_bad_input_names_the_field(city, monkeypatch, password, region, field):
    monkeypatch.setenv("YIYANG_ADMIN_PASSWORD", password)
    with pytest.raises(CommandError, match=field):
        call_command("create_admin", username="root1", name="管理员", region=region)
    assert not User.objects.exists()
