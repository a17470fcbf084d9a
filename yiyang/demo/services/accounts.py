"""Demo accounts: one per role, a Wuhua and a city-level civil-affairs officer to show scoping,
and provider and caregiver accounts for every home-care provider. All share one documented
password (docs/demo-accounts.md), which passes the password validators."""

import random
from dataclasses import dataclass

from django.contrib.auth import password_validation
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yiyang.accounts.models import User
from yiyang.accounts.roles import Role
from yiyang.core import audit
from yiyang.core.divisions import district_of
from yiyang.core.models import ChangeLog
from yiyang.institutions.models import Organisation
from yiyang.people.models import Elder, Guardian
from yiyang.regions.models import Region

from .elders import DEMO_ACTOR
from .names import NameBook

DEMO_PASSWORD = "Yiyang@2026demo"  # noqa: S105 - published in docs/demo-accounts.md
PREFIX = "demo_"
PANLONG, WUHUA, CITY = "530103", "530102", "5301"
DEMO_CARE_HOME = "盘龙区黑龙潭鸿福老年公寓"
DEMO_CLINIC = "拓东街道社区卫生服务中心"
CAREGIVERS_PER_PROVIDER = 3

audit.register_notes({"demo account": _("demo account")})


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    region_code: str
    display_name: str
    organisation: str = ""  # organisation name, looked up in the account's district
    note: str = ""


ROLE_ACCOUNTS = (
    DemoAccount("demo_elder", Role.ELDER, PANLONG, "", note="linked to one Panlong older person"),
    DemoAccount("demo_family", Role.FAMILY, PANLONG, "", note="guardian of demo_elder"),
    DemoAccount("demo_caregiver", Role.CAREGIVER, PANLONG, "和丽琼", DEMO_CARE_HOME),
    DemoAccount("demo_provider", Role.PROVIDER, PANLONG, "赵永刚", DEMO_CARE_HOME),
    DemoAccount("demo_operator", Role.OPERATOR, PANLONG, "孙晓燕"),
    DemoAccount("demo_assessor", Role.ASSESSOR, PANLONG, "段海涛", "昆明市颐康老年人能力评估中心"),
    DemoAccount("demo_doctor", Role.DOCTOR, PANLONG, "杨丽萍", DEMO_CLINIC),
    DemoAccount("demo_civil", Role.CIVIL_AFFAIRS, PANLONG, "李建华", "盘龙区民政局"),
    DemoAccount("demo_civil_wuhua", Role.CIVIL_AFFAIRS, WUHUA, "王志强", "五华区民政局"),
    DemoAccount("demo_civil_city", Role.CIVIL_AFFAIRS, CITY, "陈文博", "昆明市民政局"),
    DemoAccount("demo_insurance", Role.MEDICAL_INSURANCE, PANLONG, "周敏", "盘龙区医疗保障局"),
    DemoAccount("demo_health", Role.HEALTH, PANLONG, "张晓东", "盘龙区卫生健康局"),
    DemoAccount("demo_sysadmin", Role.SYSTEM_ADMIN, PANLONG, "刘鹏"),
    DemoAccount("demo_secadmin", Role.SECURITY_ADMIN, PANLONG, "黄婷"),
    DemoAccount("demo_auditor", Role.AUDIT_ADMIN, PANLONG, "吴俊杰"),
)


def _demo_elder() -> Elder | None:
    """The first active Panlong older person living at home with a child as first contact."""
    first_child = Guardian.objects.filter(
        elder__region_code__startswith=PANLONG,
        elder__status=Elder.Status.ACTIVE,
        elder__living_arrangement=Elder.Living.HOME,
        relation=Guardian.Relation.CHILD,
        priority=1,
    ).order_by("elder_id")
    guardian = first_child.select_related("elder").first()
    return guardian.elder if guardian else None


@transaction.atomic
def demo_accounts_ensure() -> list[User]:
    """Create the demo accounts, or bring existing ones back to their demo state (password,
    unlocked, active, region, organisation, linked older person). Idempotent."""
    regions = {r.code: r for r in Region.objects.filter(code__in=[PANLONG, WUHUA, CITY])}
    orgs_by_name = {
        (o.name, district_of(o.region_code)): o
        for o in Organisation.objects.filter(
            kind__in=[
                Organisation.Kind.CARE_HOME,
                Organisation.Kind.MEDICAL,
                Organisation.Kind.ASSESSMENT,
                Organisation.Kind.BUREAU,
            ],
            region_code__startswith=CITY,
        )
    }
    elder = _demo_elder()
    guardian = (
        elder.guardians.filter(relation=Guardian.Relation.CHILD).order_by("priority").first()
        if elder
        else None
    )
    specs: list[tuple[DemoAccount, dict]] = []
    for spec in ROLE_ACCOUNTS:
        values = {
            "role": spec.role,
            "region": regions[spec.region_code],
            "display_name": spec.display_name,
            "organisation": orgs_by_name.get((spec.organisation, spec.region_code))
            if spec.organisation
            else None,
            "elder": None,
            "phone": "",
        }
        if spec.role == Role.ELDER:
            values.update(elder=elder, display_name=elder.name if elder else "演示老人")
            values["phone"] = elder.phone if elder and elder.phone.startswith("1") else ""
        if spec.role == Role.FAMILY:
            values.update(
                display_name=guardian.name if guardian else "演示家属",
                phone=guardian.phone if guardian else "",
            )
        specs.append((spec, values))
    specs.extend(_provider_staff())

    password_hash = make_password(DEMO_PASSWORD)
    now = timezone.now()
    existing = {u.username: u for u in User.objects.filter(username__startswith=PREFIX)}
    users, created = [], []
    for spec, values in specs:
        user = existing.get(spec.username) or User(username=spec.username)
        for key, value in values.items():
            setattr(user, key, value)
        user.region_code = user.region.code
        password_validation.validate_password(DEMO_PASSWORD, user)
        user.password = password_hash
        user.password_changed_at = now
        user.is_active = True
        user.failed_logins = 0
        user.locked_until = None
        if user.pk is None:
            created.append(user)
        else:
            user.save()
        users.append(user)
    User.objects.bulk_create(created)
    ChangeLog.objects.bulk_create(
        ChangeLog(
            actor_label=DEMO_ACTOR,
            entity_type="accounts.user",
            entity_id=user.pk,
            entity_label=str(user)[:200],
            region_code=user.region_code,
            action=ChangeLog.Action.CREATE,
            changes={"role": [None, user.role], "region": [None, user.region_code]},
            note="demo account",
        )
        for user in created
    )
    if guardian is not None:
        family = next(u for u in users if u.username == "demo_family")
        Guardian.objects.filter(account=family).exclude(pk=guardian.pk).update(account=None)
        if guardian.account_id != family.pk:
            guardian.account = family
            guardian.save(update_fields=["account"])
    return users


def _provider_staff() -> list[tuple[DemoAccount, dict]]:
    """A manager and caregivers for every home-care provider (there is no caregiver register
    yet: the workforce module comes later), named after the district code and a number.
    Each account's name and phone come from a Random seeded with its username, so they are
    the same on every build."""
    rows = []
    providers = Organisation.objects.filter(
        kind=Organisation.Kind.HOME_CARE, region_code__startswith=CITY
    ).order_by("region_code", "name")
    counters: dict[str, int] = {}
    for org in providers.select_related("region"):
        district = district_of(org.region_code)
        counters[district] = counters.get(district, 0) + 1
        n = counters[district]
        staff = [(f"{PREFIX}provider_{district}_{n}", Role.PROVIDER)] + [
            (f"{PREFIX}caregiver_{district}_{n}_{k}", Role.CAREGIVER)
            for k in range(1, CAREGIVERS_PER_PROVIDER + 1)
        ]
        for username, role in staff:
            book = NameBook(random.Random(username))  # noqa: S311 - demo names, not secrets
            sex = book.rng.choice("MF" if role == Role.PROVIDER else "FFFM")
            display = book.person(sex, book.rng.randrange(1968, 1998))
            spec = DemoAccount(username, role, district, display, org.name)
            values = {
                "role": role,
                "region": org.region,
                "display_name": display,
                "organisation": org,
                "elder": None,
                "phone": book.mobile(),
            }
            rows.append((spec, values))
    return rows
