"""The supervision index lists the figure sets the apps declare, those the officer may open."""

from django.urls import reverse

from yiyang.accounts.roles import Role
from yiyang.accounts.tests.factories import UserFactory
from yiyang.supervision import figures


def test_an_officer_sees_each_declared_figure_set_they_may_open(client, city):
    client.force_login(UserFactory(role=Role.HEALTH, region=city.panlong))
    response = client.get(reverse("supervision:index"))
    assert response.status_code == 200
    shown = {f["set"].key for f in response.context["figure_sets"]}
    assert shown == {f.key for f in figures.figure_sets()} and "assessment" in shown
    assert reverse("assessment:figures").encode() in response.content


def test_staff_without_the_capability_are_refused(client, city):
    for role in (Role.PROVIDER, Role.SYSTEM_ADMIN, Role.ASSESSOR):
        client.force_login(UserFactory(role=role, region=city.panlong))
        assert client.get(reverse("supervision:index")).status_code == 403
