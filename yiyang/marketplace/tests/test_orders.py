"""Orders: placing one with its funding split, every step of the life cycle by the people who
may take it, the refusals, the subsidy reserved and given back, and the history."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from yiyang.accounts.roles import Role
from yiyang.accounts.tests.factories import UserFactory
from yiyang.core.errors import TransitionRefused
from yiyang.core.exceptions import NotFound, PermissionDenied, ValidationFailed
from yiyang.core.models import ChangeLog, OutboxEvent
from yiyang.core.scoping import scoped
from yiyang.institutions.models import Organisation
from yiyang.institutions.tests.factories import OrganisationFactory
from yiyang.marketplace import ordering
from yiyang.marketplace.models import Order, OrderPolicy, Payer, SubsidyBalance
from yiyang.marketplace.ordering import OrderData, order_place, order_step
from yiyang.marketplace.transitions import ORDER
from yiyang.people.models import Elder
from yiyang.people.tests.factories import ElderFactory

from .factories import market, subsidy, tomorrow_at

pytestmark = pytest.mark.django_db
S = Order.Status


@pytest.fixture
def m(city):
    return market(city)


def _data(m, **overrides) -> OrderData:
    values = {
        "elder_id": m.elder.pk,
        "offer_id": m.offer.pk,
        "window_start": tomorrow_at(9),
        "window_end": tomorrow_at(11),
    }
    values.update(overrides)
    return OrderData(**values)


def _place(m, actor=None, **overrides) -> Order:
    return order_place(actor=actor or m.family, data=_data(m, **overrides), channel="mobile")


def _to(m, order, *steps) -> Order:
    """Walk an order through steps, each by the person who takes it."""
    by = {
        "accept": (m.manager, {}),
        "assign": (m.manager, {"caregiver_id": m.caregiver.pk}),
        "depart": (m.caregiver, {}),
        "start": (m.caregiver, {}),
        "complete": (m.caregiver, {}),
        "confirm": (m.family, {}),
        "rate": (m.family, {"stars": 5, "text": "很细心"}),
    }
    for step in steps:
        actor, values = by[step]
        order = order_step(actor, order.pk, step, **values)
    return order


# --- placing ---------------------------------------------------------------------------------


def test_a_family_member_orders_for_their_elder_and_the_subsidy_pays_first(m):
    subsidy(m.elder, "50.00")
    order = _place(m)
    assert order.status == S.CREATED
    assert order.number.startswith("DD") and order.number.endswith(f"{order.pk:07d}")
    assert order.provider == m.provider and order.address == "白塔路12号"
    assert order.ordered_by == m.family and order.channel == "mobile"
    # the subsidy pays what its balance holds, the person the rest, and the shares add up
    assert (order.total, order.subsidy_amount, order.ltci_amount, order.self_amount) == (
        Decimal("80.00"),
        Decimal("50.00"),
        Decimal("0.00"),
        Decimal("30.00"),
    )
    assert SubsidyBalance.objects.get().reserved == Decimal("50.00")
    # and the provider has the policy's minutes to answer
    assert order.accept_due - order.created_at == pytest.approx(
        dt.timedelta(minutes=30), abs=dt.timedelta(seconds=5)
    )
    history = ChangeLog.objects.get(entity_type="marketplace.order", entity_id=order.pk)
    assert history.note == "order placed" and history.changes["total"] == [None, "80.00"]
    assert OutboxEvent.objects.filter(name="order.status_changed").count() == 1


def test_a_second_order_gets_what_is_left_of_the_subsidy(m):
    subsidy(m.elder, "100.00")
    first, second = _place(m), _place(m, window_start=tomorrow_at(14), window_end=tomorrow_at(16))
    assert (first.subsidy_amount, first.self_amount) == (Decimal("80.00"), Decimal("0.00"))
    assert (second.subsidy_amount, second.self_amount) == (Decimal("20.00"), Decimal("60.00"))
    assert SubsidyBalance.objects.get().available == Decimal("0.00")


def test_an_item_the_subsidy_may_not_pay_is_paid_by_the_person(city):
    m = market(city, payers=(Payer.SELF,))
    subsidy(m.elder, "500.00")
    order = _place(m, quantity=2)
    assert (order.total, order.subsidy_amount, order.self_amount) == (
        Decimal("160.00"),
        Decimal("0.00"),
        Decimal("160.00"),
    )


def test_a_registered_payer_pays_its_share_before_the_subsidy(city, monkeypatch):
    m = market(city, payers=(Payer.LTCI, Payer.SUBSIDY, Payer.SELF))
    subsidy(m.elder, "10.00")
    monkeypatch.setitem(
        ordering._payers, Payer.LTCI, lambda e, i, amount, d: amount * Decimal("0.7")
    )
    order = _place(m)
    assert (order.ltci_amount, order.subsidy_amount, order.self_amount) == (
        Decimal("56.00"),
        Decimal("10.00"),
        Decimal("14.00"),
    )


def test_the_call_centre_orders_on_someones_behalf(m):
    order = order_place(actor=m.operator, data=_data(m), channel="phone")
    assert order.ordered_by == m.operator and order.channel == "phone"


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"window_start": None}, "window_start"),
        ({"window_end": tomorrow_at(8)}, "window_end"),  # ends before it starts
        ({"window_end": tomorrow_at(9, 30)}, "window_end"),  # shorter than the 60 minutes
        ({"window_start": tomorrow_at(6), "window_end": tomorrow_at(8)}, "window_start"),  # closed
        ({"window_start": tomorrow_at(17), "window_end": tomorrow_at(19)}, "window_start"),
        (
            {"window_start": tomorrow_at(9, days=45), "window_end": tomorrow_at(11, days=45)},
            "window_start",
        ),
        ({"quantity": 0}, "quantity"),
        ({"quantity": True}, "quantity"),
        ({"note": "很" * 301}, "note"),
        ({"offer_id": 999999}, "offer_id"),
    ],
)
def test_a_bad_order_is_refused_by_field_and_nothing_is_stored(m, overrides, field):
    subsidy(m.elder, "50.00")
    with pytest.raises(ValidationFailed) as refused:
        _place(m, **overrides)
    assert field in refused.value.fields
    assert not Order.objects.exists()
    assert SubsidyBalance.objects.get().reserved == 0


def test_a_visit_too_soon_is_refused_with_the_policys_lead_time(m):
    soon = timezone.now() + dt.timedelta(minutes=20)
    with pytest.raises(ValidationFailed) as refused:
        _place(m, window_start=soon, window_end=soon + dt.timedelta(hours=2))
    assert "60" in refused.value.fields["window_start"]


def test_a_provider_outside_the_persons_community_cannot_be_ordered(city, m):
    outside = ElderFactory(region=city.wuhua_community, name="吴大爷")
    operator = UserFactory(role=Role.OPERATOR, region=city.panlong.parent)
    with pytest.raises(ValidationFailed) as refused:
        order_place(actor=operator, data=_data(m, elder_id=outside.pk), channel="phone")
    assert "offer_id" in refused.value.fields


def test_nobody_orders_for_a_person_they_cannot_see(city, m):
    stranger = ElderFactory(region=city.panlong_community, name="别人家老人")
    with pytest.raises(NotFound):
        _place(m, elder_id=stranger.pk)
    # and a health officer or a provider does not order at all
    health = UserFactory(role=Role.HEALTH, region=m.officer.region)
    for actor in (health, m.manager):
        with pytest.raises(PermissionDenied):
            _place(m, actor=actor)


# --- the life cycle ----------------------------------------------------------------------------


def test_an_order_goes_from_placed_to_rated_with_a_history_of_every_step(m):
    order = _to(m, _place(m), "accept", "assign", "depart", "start", "complete", "confirm", "rate")
    assert order.status == S.RATED and order.rating == 5 and order.closed_at is not None
    for stamp in ("decided_at", "assigned_at", "departed_at", "started_at", "completed_at"):
        assert getattr(order, stamp) is not None, stamp
    notes = list(
        ChangeLog.objects.filter(entity_type="marketplace.order", entity_id=order.pk)
        .order_by("id")
        .values_list("note", "actor_id")
    )
    assert notes == [
        ("order placed", m.family.pk),
        ("order accept", m.manager.pk),
        ("order assign", m.manager.pk),
        ("order depart", m.caregiver.pk),
        ("order start", m.caregiver.pk),
        ("order complete", m.caregiver.pk),
        ("order confirm", m.family.pk),
        ("order rate", m.family.pk),
    ]
    assert OutboxEvent.objects.filter(name="order.status_changed").count() == 8


def test_every_step_out_of_order_is_refused_and_changes_nothing(m):
    # Each step of the table, tried at every status it does not start from.
    order = _place(m)
    for step in ORDER.steps:
        if step.by_platform:
            continue
        for status in set(S.values) - step.source:
            Order.objects.filter(pk=order.pk).update(status=status, caregiver=m.caregiver)
            actor = {
                "accept": m.manager,
                "refuse": m.manager,
                "assign": m.manager,
                "withdraw": m.manager,
                "settle": m.officer,
            }.get(step.name, m.caregiver if step.may else m.family)
            with pytest.raises((TransitionRefused, NotFound)):
                order_step(actor, order.pk, step.name)
            assert Order.objects.get(pk=order.pk).status == status


def test_only_the_assigned_caregiver_serves_the_order(m):
    order = _to(m, _place(m), "accept", "assign")
    with pytest.raises(NotFound):  # another caregiver does not even see it
        order_step(m.other_caregiver, order.pk, "depart")
    with pytest.raises(PermissionDenied):  # nor does the manager set off for them
        order_step(m.manager, order.pk, "depart")
    assert order_step(m.caregiver, order.pk, "depart").status == S.ON_THE_WAY


def test_a_provider_refuses_with_a_reason_and_the_subsidy_is_given_back(m):
    subsidy(m.elder, "50.00")
    order = _place(m)
    with pytest.raises(ValidationFailed) as refused:
        order_step(m.manager, order.pk, "refuse")
    assert "note" in refused.value.fields
    order = order_step(m.manager, order.pk, "refuse", note="当天人手已满")
    assert order.status == S.REFUSED and order.refuse_reason == "当天人手已满"
    assert SubsidyBalance.objects.get().reserved == 0


def test_another_providers_staff_cannot_see_or_accept_the_order(city, m):
    other = OrganisationFactory(region=city.panlong_street, kind=Organisation.Kind.HOME_CARE)
    rival = UserFactory(role=Role.PROVIDER, region=city.panlong, organisation=other)
    order = _place(m)
    with pytest.raises(NotFound):
        order_step(rival, order.pk, "accept")


def test_assigning_takes_a_caregiver_of_the_provider_only(city, m):
    order = _to(m, _place(m), "accept")
    outsider = UserFactory(
        role=Role.CAREGIVER,
        region=city.panlong,
        organisation=OrganisationFactory(region=city.panlong_street),
    )
    for bad in (outsider.pk, m.manager.pk, "x", None):
        with pytest.raises(ValidationFailed) as refused:
            order_step(m.manager, order.pk, "assign", caregiver_id=bad)
        assert "caregiver_id" in refused.value.fields
    # and a caregiver can be changed before they set off
    order_step(m.manager, order.pk, "assign", caregiver_id=m.caregiver.pk)
    order = order_step(m.manager, order.pk, "assign", caregiver_id=m.other_caregiver.pk)
    assert order.caregiver == m.other_caregiver


def test_the_person_cancels_before_the_caregiver_sets_off_and_gets_the_subsidy_back(m):
    subsidy(m.elder, "50.00")
    OrderPolicy.objects.update(free_cancel_hours=72)
    order = _to(m, _place(m), "accept", "assign")
    # a visit tomorrow is inside the 72 free hours: "not needed" alone is not enough
    with pytest.raises(ValidationFailed) as refused:
        order_step(m.family, order.pk, "cancel", reason="not_needed")
    assert "note" in refused.value.fields
    with pytest.raises(ValidationFailed):
        order_step(m.family, order.pk, "cancel", reason="provider_unable")
    order = order_step(m.family, order.pk, "cancel", reason="in_hospital")
    assert order.status == S.CANCELLED and order.closed_at is not None
    assert SubsidyBalance.objects.get().reserved == 0


def test_a_visit_far_ahead_is_cancelled_without_a_reason_note(m):
    order = _place(m, window_start=tomorrow_at(9, days=5), window_end=tomorrow_at(11, days=5))
    assert order_step(m.family, order.pk, "cancel", reason="not_needed").status == S.CANCELLED


def test_nobody_cancels_once_the_caregiver_is_on_the_way(m):
    order = _to(m, _place(m), "accept", "assign", "depart")
    with pytest.raises(TransitionRefused):
        order_step(m.family, order.pk, "cancel", reason="in_hospital")
    with pytest.raises(TransitionRefused):
        order_step(m.manager, order.pk, "withdraw", note="车坏了")


def test_the_provider_withdraws_with_a_reason(m):
    order = _to(m, _place(m), "accept")
    order = order_step(m.manager, order.pk, "withdraw", note="护理员生病")
    assert (order.status, order.cancel_reason) == (S.CANCELLED, "provider_unable")


def test_nobody_at_home_closes_the_order_and_gives_the_subsidy_back(m):
    subsidy(m.elder, "50.00")
    order = _to(m, _place(m), "accept", "assign", "depart")
    assert order_step(m.caregiver, order.pk, "no_show").status == S.NO_SHOW
    assert SubsidyBalance.objects.get().reserved == 0


def test_a_disputed_service_is_settled_by_an_officer(m):
    order = _to(m, _place(m), "accept", "assign", "start", "complete")
    with pytest.raises(ValidationFailed):
        order_step(m.family, order.pk, "dispute", note="")
    order = order_step(m.family, order.pk, "dispute", note="只洗了一半")
    assert order.status == S.DISPUTED
    with pytest.raises(PermissionDenied):
        order_step(m.manager, order.pk, "settle")
    assert order_step(m.officer, order.pk, "settle").status == S.CONFIRMED


@pytest.mark.parametrize("stars", [0, 6, "5", None, True])
def test_a_rating_is_1_to_5_stars(m, stars):
    order = _to(m, _place(m), "accept", "assign", "start", "complete", "confirm")
    with pytest.raises(ValidationFailed) as refused:
        order_step(m.family, order.pk, "rate", stars=stars)
    assert "stars" in refused.value.fields
    assert Order.objects.get(pk=order.pk).status == S.CONFIRMED


def test_the_daily_run_confirms_what_nobody_confirmed_in_time_once(m):
    order = _to(m, _place(m), "accept", "assign", "start", "complete")
    assert ordering.orders_auto_confirm() == 0  # within the 3 days
    later = timezone.now() + dt.timedelta(days=4)
    assert ordering.orders_auto_confirm(now=later) == 1
    assert Order.objects.get(pk=order.pk).status == S.CONFIRMED
    assert ordering.orders_auto_confirm(now=later) == 0


# --- who sees what -----------------------------------------------------------------------------


def test_a_caregiver_sees_the_person_only_while_their_order_is_current(m):
    order = _place(m)
    visible = lambda actor: set(scoped(Elder.objects.all(), actor).values_list("pk", flat=True))  # noqa: E731
    assert m.elder.pk not in visible(m.caregiver)
    order = _to(m, order, "accept", "assign")
    assert m.elder.pk in visible(m.caregiver)
    assert m.elder.pk not in visible(m.other_caregiver)
    _to(m, order, "start", "complete", "confirm")
    assert m.elder.pk not in visible(m.caregiver)
    # and the provider's staff see the people they have orders for, not everyone
    others = ElderFactory(region=m.elder.region, name="邻居")
    assert m.elder.pk in visible(m.manager) and others.pk not in visible(m.manager)
