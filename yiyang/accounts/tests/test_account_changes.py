"""三员分立: no administrator resets, unlocks, disables or enables another administrator's
account alone. One asks, a second person who may approve (the security administrator) carries
it out; the emergency procedure, only when nobody could approve, is reviewed afterwards; every
step is in the change history."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from yiyang.accounts import selectors, services
from yiyang.accounts.errors import SecondPersonRequired
from yiyang.accounts.models import AccountChange, User
from yiyang.accounts.roles import Role
from yiyang.accounts.tests.factories import PASSWORD, UserFactory
from yiyang.core.exceptions import NotFound, PermissionDenied, ValidationFailed
from yiyang.core.models import ChangeLog
from yiyang.core.transitions import TransitionRefused

from .conftest import sign_in, signed_in

K = AccountChange.Kind
S = AccountChange.Status
NEW = "Kunming-Spring-2027#"


def _history(entity) -> list[ChangeLog]:
    return list(
        ChangeLog.objects.filter(
            entity_type=entity._meta.label_lower, entity_id=entity.pk
        ).order_by("id")
    )


def _lock(user):
    User.objects.filter(pk=user.pk).update(locked_until=timezone.now() + dt.timedelta(minutes=9))
    user.refresh_from_db()


# --- alone: refused -----------------------------------------------------------------------------


def test_the_system_administrator_cannot_reset_unlock_or_disable_an_administrator_alone(
    city, panlong_admin, audit_admin
):
    # given the audit administrator's account, locked out, and a security administrator's
    panlong_security = UserFactory(role=Role.SECURITY_ADMIN, region=city.panlong)
    _lock(audit_admin)
    for target in (audit_admin, panlong_security):
        # when the system administrator tries each change on their own
        for call in (
            lambda t: services.user_reset_password(actor=panlong_admin, user_id=t.pk, password=NEW),
            lambda t: services.user_unlock(actor=panlong_admin, user_id=t.pk),
            lambda t: services.user_set_active(actor=panlong_admin, user_id=t.pk, is_active=False),
        ):
            # then each is refused and nothing changes
            with pytest.raises(SecondPersonRequired):
                call(target)
    audit_admin.refresh_from_db()
    assert audit_admin.check_password(PASSWORD) and audit_admin.is_locked
    assert audit_admin.is_active
    assert not _history(audit_admin)


def test_another_system_administrators_account_is_not_changed_alone_either(city, panlong_admin):
    colleague = UserFactory(role=Role.SYSTEM_ADMIN, region=city.panlong_street)
    with pytest.raises(SecondPersonRequired):
        services.user_reset_password(actor=panlong_admin, user_id=colleague.pk, password=NEW)


def test_the_pages_refuse_the_direct_changes_and_offer_the_request_instead(
    client, city, panlong_admin, audit_admin
):
    client.force_login(panlong_admin)
    for name, data in (
        ("accounts:user_set_active", {"is_active": "0"}),
        ("accounts:user_unlock", {}),
        ("accounts:user_reset_password", {"password": NEW}),
    ):
        response = client.post(reverse(name, args=[audit_admin.pk]), data)
        assert response.status_code in (302, 403), name
    audit_admin.refresh_from_db()
    assert audit_admin.is_active and audit_admin.check_password(PASSWORD)
    page = client.get(reverse("accounts:user_detail", args=[audit_admin.pk]))
    html = page.content.decode()
    assert page.context["needs_second_person"]
    assert reverse("accounts:user_change_request", args=[audit_admin.pk]) in html
    assert reverse("accounts:user_reset_password", args=[audit_admin.pk]) not in html


def test_an_ordinary_account_is_still_changed_by_the_system_administrator_alone(
    city, panlong_admin
):
    officer = UserFactory(region=city.panlong)
    services.user_reset_password(actor=panlong_admin, user_id=officer.pk, password=NEW)
    officer.refresh_from_db()
    assert officer.check_password(NEW)
    with pytest.raises(ValidationFailed) as refused:
        services.account_change_request(
            actor=panlong_admin, user_id=officer.pk, kind=K.RESET_PASSWORD, reason="忘记密码"
        )
    assert "kind" in refused.value.fields


# --- with a second person: allowed ---------------------------------------------------------------


def test_a_reset_asked_by_one_and_approved_by_another_is_carried_out(
    client, city, panlong_admin, audit_admin, security_admin
):
    # given the system administrator asks for the audit administrator's password to be reset
    change = services.account_change_request(
        actor=panlong_admin,
        user_id=audit_admin.pk,
        kind=K.RESET_PASSWORD,
        reason="本人来电并核验身份证，忘记密码",
    )
    audit_admin.refresh_from_db()
    assert change.status == S.PENDING and audit_admin.check_password(PASSWORD)
    # when the security administrator approves it
    change, password = services.account_change_decide(
        actor=security_admin, change_id=change.pk, step="approve"
    )
    # then the password is a new one nobody chose, to be changed at the next sign-in
    assert change.status == S.APPROVED and change.decided_by == security_admin
    audit_admin.refresh_from_db()
    assert password and audit_admin.check_password(password)
    assert not audit_admin.check_password(PASSWORD)
    assert audit_admin.must_change_password
    assert sign_in(client, audit_admin.username, password).status_code == 302
    assert signed_in(client)


@pytest.mark.parametrize(
    ("kind", "prepare", "check"),
    [
        (K.UNLOCK, _lock, lambda u: not u.is_locked),
        (K.DISABLE, lambda u: None, lambda u: not u.is_active),
        (
            K.ENABLE,
            lambda u: User.objects.filter(pk=u.pk).update(is_active=False),
            lambda u: u.is_active,
        ),
    ],
)
def test_each_change_is_carried_out_on_approval(
    city, panlong_admin, audit_admin, security_admin, kind, prepare, check
):
    prepare(audit_admin)
    change = services.account_change_request(
        actor=panlong_admin, user_id=audit_admin.pk, kind=kind, reason="工单 2027-001"
    )
    _change, password = services.account_change_decide(
        actor=security_admin, change_id=change.pk, step="approve"
    )
    assert password is None
    audit_admin.refresh_from_db()
    assert check(audit_admin)


def test_a_new_administrators_account_opens_disabled_until_a_second_person_enables_it(
    city, panlong_admin, security_admin
):
    # given the system administrator opens an audit administrator's account, knowing its
    # first password
    user = services.user_create(
        actor=panlong_admin,
        username="audit_new",
        password=NEW,
        display_name="新审计员",
        role=Role.AUDIT_ADMIN,
        region=city.panlong,
    )
    # then it cannot be used yet
    assert not user.is_active
    with pytest.raises(SecondPersonRequired):
        services.user_set_active(actor=panlong_admin, user_id=user.pk, is_active=True)
    # until the security administrator approves enabling it
    change = services.account_change_request(
        actor=panlong_admin, user_id=user.pk, kind=K.ENABLE, reason="新任审计管理员"
    )
    services.account_change_decide(actor=security_admin, change_id=change.pk, step="approve")
    user.refresh_from_db()
    assert user.is_active
    # while an officer's account opens enabled as before
    officer = services.user_create(
        actor=panlong_admin,
        username="officer_new",
        password=NEW,
        display_name="新专员",
        role=Role.CIVIL_AFFAIRS,
        region=city.panlong,
    )
    assert officer.is_active


# --- who may decide --------------------------------------------------------------------------------


def test_the_requester_cannot_approve_even_holding_both_capabilities(
    city, panlong_admin, audit_admin
):
    change = services.account_change_request(
        actor=panlong_admin, user_id=audit_admin.pk, kind=K.DISABLE, reason="离职"
    )
    # given an administrator who (by a misconfigured role) could both ask and approve
    panlong_admin.has_capability = lambda capability: True
    assert change.pk in [c.pk for c in selectors.account_change_list(actor=panlong_admin)]
    # then they still cannot approve or refuse what they asked for, and are not offered it
    for step in ("approve", "refuse"):
        with pytest.raises(PermissionDenied):
            services.account_change_decide(
                actor=panlong_admin, change_id=change.pk, step=step, note="x"
            )
    detail = selectors.account_change_detail(actor=panlong_admin, change_id=change.pk)
    assert detail.steps == ["withdraw"]
    audit_admin.refresh_from_db()
    assert audit_admin.is_active
    assert AccountChange.objects.get(pk=change.pk).status == S.PENDING


def test_an_approver_cannot_decide_a_change_to_their_own_account(city):
    city_admin = UserFactory(role=Role.SYSTEM_ADMIN, region=city.city)
    only = UserFactory(role=Role.SECURITY_ADMIN, region=city.city)
    change = services.account_change_request(
        actor=city_admin, user_id=only.pk, kind=K.DISABLE, reason="调岗"
    )
    with pytest.raises(PermissionDenied):
        services.account_change_decide(actor=only, change_id=change.pk, step="refuse", note="不")
    assert selectors.account_change_detail(actor=only, change_id=change.pk).steps == []
    # another security administrator may
    other = UserFactory(role=Role.SECURITY_ADMIN, region=city.city)
    services.account_change_decide(actor=other, change_id=change.pk, step="approve")
    only.refresh_from_db()
    assert not only.is_active


def test_the_system_and_audit_administrators_cannot_approve(
    city, panlong_admin, audit_admin, security_admin
):
    colleague = UserFactory(role=Role.SYSTEM_ADMIN, region=city.panlong)
    target = UserFactory(role=Role.SECURITY_ADMIN, region=city.panlong)
    change = services.account_change_request(
        actor=panlong_admin, user_id=target.pk, kind=K.DISABLE, reason="调岗"
    )
    with pytest.raises(PermissionDenied):
        services.account_change_decide(actor=colleague, change_id=change.pk, step="approve")
    # the audit administrator neither reads nor decides the changes
    with pytest.raises(PermissionDenied):
        services.account_change_decide(actor=audit_admin, change_id=change.pk, step="approve")
    with pytest.raises(PermissionDenied):
        selectors.account_change_list(actor=audit_admin)
    # nor may another system administrator withdraw it
    with pytest.raises(PermissionDenied):
        services.account_change_decide(actor=colleague, change_id=change.pk, step="withdraw")
    # the security administrator may not withdraw what someone else asked for
    with pytest.raises(PermissionDenied):
        services.account_change_decide(actor=security_admin, change_id=change.pk, step="withdraw")
    services.account_change_decide(actor=panlong_admin, change_id=change.pk, step="withdraw")
    target.refresh_from_db()
    assert target.is_active
    assert AccountChange.objects.get(pk=change.pk).status == S.WITHDRAWN


def test_a_decided_change_is_not_decided_again(city, panlong_admin, audit_admin, security_admin):
    change = services.account_change_request(
        actor=panlong_admin, user_id=audit_admin.pk, kind=K.DISABLE, reason="离职"
    )
    services.account_change_decide(
        actor=security_admin, change_id=change.pk, step="refuse", note="未见离职证明"
    )
    for step in ("approve", "refuse", "withdraw"):
        with pytest.raises(TransitionRefused):
            services.account_change_decide(
                actor=security_admin, change_id=change.pk, step=step, note="x"
            )
    audit_admin.refresh_from_db()
    assert audit_admin.is_active


def test_bad_requests_name_their_field(city, panlong_admin, audit_admin, security_admin):
    # a refusal needs a reason
    change = services.account_change_request(
        actor=panlong_admin, user_id=audit_admin.pk, kind=K.DISABLE, reason="离职"
    )
    with pytest.raises(ValidationFailed) as refused:
        services.account_change_decide(actor=security_admin, change_id=change.pk, step="refuse")
    assert "note" in refused.value.fields
    with pytest.raises(ValidationFailed) as refused:
        services.account_change_decide(actor=security_admin, change_id=change.pk, step="nope")
    assert "step" in refused.value.fields
    # the same change asked twice, an unlock of an account that is not locked, no reason
    for kind, reason, field in (
        (K.DISABLE, "再次", "kind"),
        (K.UNLOCK, "锁定", "kind"),
        (K.RESET_PASSWORD, " ", "reason"),
        ("promote", "x", "kind"),
    ):
        with pytest.raises(ValidationFailed) as refused:
            services.account_change_request(
                actor=panlong_admin, user_id=audit_admin.pk, kind=kind, reason=reason
            )
        assert field in refused.value.fields, kind
    # and nobody asks for a change to their own account
    with pytest.raises(ValidationFailed):
        services.account_change_request(
            actor=panlong_admin, user_id=panlong_admin.pk, kind=K.RESET_PASSWORD, reason="x"
        )


def test_an_outsider_neither_sees_nor_asks(city, panlong_admin, wuhua_admin, audit_admin):
    change = services.account_change_request(
        actor=panlong_admin, user_id=audit_admin.pk, kind=K.DISABLE, reason="离职"
    )
    wuhua_security = UserFactory(role=Role.SECURITY_ADMIN, region=city.wuhua)
    for actor in (wuhua_admin, wuhua_security):
        assert list(selectors.account_change_list(actor=actor)) == []
        with pytest.raises(NotFound):
            selectors.account_change_detail(actor=actor, change_id=change.pk)
    with pytest.raises(NotFound):
        services.account_change_decide(actor=wuhua_security, change_id=change.pk, step="approve")
    with pytest.raises(NotFound):
        services.account_change_request(
            actor=wuhua_admin, user_id=audit_admin.pk, kind=K.UNLOCK, reason="x"
        )


# --- the emergency procedure -------------------------------------------------------------------------


def test_the_emergency_procedure_is_refused_while_someone_could_approve(
    city, panlong_admin, audit_admin, security_admin
):
    with pytest.raises(ValidationFailed) as refused:
        services.account_change_break_glass(
            actor=panlong_admin, user_id=audit_admin.pk, kind=K.RESET_PASSWORD, reason="紧急"
        )
    assert str(security_admin) in str(refused.value.fields["reason"])
    audit_admin.refresh_from_db()
    assert audit_admin.check_password(PASSWORD)
    assert not AccountChange.objects.exists()


def test_when_nobody_could_approve_the_emergency_change_is_made_and_reviewed_later(city):
    # given the only security administrator is locked out
    city_admin = UserFactory(role=Role.SYSTEM_ADMIN, region=city.city)
    only = UserFactory(role=Role.SECURITY_ADMIN, region=city.city)
    _lock(only)
    # when the system administrator resets the password under the emergency procedure
    change, password = services.account_change_break_glass(
        actor=city_admin, user_id=only.pk, kind=K.RESET_PASSWORD, reason="唯一安全员被锁定"
    )
    # then it is carried out at once and waits for review
    only.refresh_from_db()
    assert only.check_password(password) and not only.is_locked and only.must_change_password
    assert change.status == S.BREAK_GLASS
    # the owner cannot review the change to their own account; a second security
    # administrator, appointed later, does
    with pytest.raises(PermissionDenied):
        services.account_change_decide(actor=only, change_id=change.pk, step="review")
    second = UserFactory(role=Role.SECURITY_ADMIN, region=city.city)
    assert selectors.account_changes_waiting(actor=second) == 1
    change, _ = services.account_change_decide(
        actor=second, change_id=change.pk, step="review", note="已核实"
    )
    assert change.status == S.REVIEWED
    assert selectors.account_changes_waiting(actor=second) == 0
    # and it is all on record, on the account and on the change
    notes = [row.note for row in _history(only)]
    assert notes[-1] == services.CHANGE_BREAK_GLASS
    assert [row.note for row in _history(change)] == [
        services.CHANGE_BREAK_GLASS,
        services.CHANGE_REVIEWED,
    ]


# --- the change history --------------------------------------------------------------------------------


def test_every_step_is_in_the_change_history(city, panlong_admin, audit_admin, security_admin):
    change = services.account_change_request(
        actor=panlong_admin, user_id=audit_admin.pk, kind=K.RESET_PASSWORD, reason="忘记密码"
    )
    services.account_change_decide(actor=security_admin, change_id=change.pk, step="approve")
    on_change = _history(change)
    assert [(r.actor_id, r.action, r.note) for r in on_change] == [
        (panlong_admin.pk, "create", services.CHANGE_ASKED),
        (security_admin.pk, "update", services.CHANGE_APPROVED),
    ]
    assert on_change[0].changes["reason"] == [None, "忘记密码"]
    assert on_change[1].changes["status"] == [S.PENDING, S.APPROVED]
    on_account = _history(audit_admin)
    assert len(on_account) == 1
    row = on_account[0]
    # the account's own history says who carried it out, who asked, and hides the password
    assert row.actor_id == security_admin.pk
    assert row.note == services.CHANGE_APPROVED
    assert row.changes["password"] == ["***", "***"]
    assert panlong_admin.username in row.changes["change"][1]


# --- the pages ---------------------------------------------------------------------------------------


def test_asking_and_approving_through_the_pages(client, city, panlong_admin, audit_admin):
    security_admin = UserFactory(role=Role.SECURITY_ADMIN, region=city.city)
    # the system administrator asks from the account's page
    client.force_login(panlong_admin)
    url = reverse("accounts:user_change_request", args=[audit_admin.pk])
    response = client.post(url, {"ask-kind": K.RESET_PASSWORD, "ask-reason": ""})
    assert response.status_code == 400
    assert "reason" in response.context["change_form"].errors
    response = client.post(url, {"ask-kind": K.RESET_PASSWORD, "ask-reason": "忘记密码"})
    change = AccountChange.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:change_detail", args=[change.pk])
    page = client.get(response["Location"])
    assert [s for s, _label in page.context["steps"]] == ["withdraw"]
    # approving by a forged post is refused
    detail = reverse("accounts:change_detail", args=[change.pk])
    assert client.post(detail, {"step": "approve"}).status_code == 403
    # the security administrator finds it waiting and approves it
    client.force_login(security_admin)
    assert reverse("accounts:changes") in client.get(reverse("home")).content.decode()
    listing = client.get(reverse("accounts:changes"), {"status": "pending"})
    assert [c.pk for c in listing.context["page_obj"]] == [change.pk]
    page = client.get(detail)
    assert [s for s, _label in page.context["steps"]] == ["approve", "refuse"]
    response = client.post(detail, {"step": "approve"})
    assert response.status_code == 200
    password = response.context["password"]
    assert password and password in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    # shown once: the page read again does not hold it
    assert password not in client.get(detail).content.decode()
    audit_admin.refresh_from_db()
    assert audit_admin.check_password(password)


def test_the_emergency_form_on_the_account_page(client, city, panlong_admin, audit_admin):
    client.force_login(panlong_admin)
    url = reverse("accounts:user_break_glass", args=[audit_admin.pk])
    response = client.post(url, {"emergency-kind": K.DISABLE, "emergency-reason": "离职未交接"})
    # no security administrator exists in this city: the change is made and shown
    assert response.status_code == 200
    assert response.context["d"].change.status == S.BREAK_GLASS
    audit_admin.refresh_from_db()
    assert not audit_admin.is_active


def test_the_changes_pages_are_the_askers_and_approvers_only(client, city, audit_admin):
    officer = UserFactory(role=Role.CIVIL_AFFAIRS, region=city.panlong)
    for user in (audit_admin, officer):
        client.force_login(user)
        assert client.get(reverse("accounts:changes")).status_code == 403
