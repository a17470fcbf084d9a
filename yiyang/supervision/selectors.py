"""Read-only figures for supervision: the landing page of each role, and the audit
administrator's search of the change history and the sensitive-read log."""

import datetime as dt
from dataclasses import dataclass

from django.apps import apps
from django.db.models import Count, Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from yiyang.accounts.models import ApiKey, User
from yiyang.accounts.rules import security_policy_for
from yiyang.accounts.services import SIGN_IN_LOCKED, SIGN_IN_OK
from yiyang.assessment.selectors import open_count as assessment_open_count
from yiyang.core.models import AccessLog, ChangeLog
from yiyang.core.scoping import ORGANISATION, REGION, SELF, require, scoped
from yiyang.core.timeutils import age_on, local_day_range, local_today
from yiyang.institutions.models import Organisation
from yiyang.people.models import Elder


def _url(name: str, *args, query: dict | None = None) -> str:
    url = reverse(name, args=args)
    return f"{url}?{urlencode(query)}" if query else url


def _share(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


# --- landing page ----------------------------------------------------------------------------


def _officer_summary(actor) -> dict:
    """Two queries: the registry's counts by living arrangement, and organisations with beds."""
    cards, living = [], []
    if actor.has_capability("elders.view"):
        arrangements = list(Elder.Living)
        counts = scoped(Elder.objects.filter(status=Elder.Status.ACTIVE), actor).aggregate(
            total=Count("id"),
            **{a.value: Count("id", filter=Q(living_arrangement=a.value)) for a in arrangements},
        )
        total = counts["total"]
        cards.append(
            {
                "key": "elders",
                "label": _("Older people on record"),
                "value": total,
                # the card counts active records, so its link lists exactly those
                "url": _url("people:list", query={"status": Elder.Status.ACTIVE}),
            }
        )
        for a in arrangements:
            living.append(
                {
                    "key": a.value,
                    "label": a.label,
                    "value": counts[a.value],
                    "share": _share(counts[a.value], total),
                    "url": _url(
                        "people:list",
                        query={"status": Elder.Status.ACTIVE, "living_arrangement": a.value},
                    ),
                }
            )
    if actor.has_capability("orgs.view"):
        orgs = scoped(Organisation.objects.filter(is_active=True), actor).aggregate(
            n=Count("id"),
            beds=Sum("beds"),
            homes=Count("id", filter=Q(kind=Organisation.Kind.CARE_HOME)),
        )
        cards.append(
            {
                "key": "organisations",
                "label": _("Organisations in operation"),
                "value": orgs["n"],
                "url": _url("institutions:list"),
            }
        )
        cards.append(
            {
                "key": "care_homes",
                "label": _("Elderly-care institutions"),
                "value": orgs["homes"],
                "url": _url("institutions:list", query={"kind": Organisation.Kind.CARE_HOME}),
            }
        )
        cards.append(
            {
                "key": "beds",
                "label": _("Beds"),
                "value": orgs["beds"] or 0,
                "url": _url("institutions:list"),
            }
        )
    if actor.has_capability("assessments.manage"):
        counts = assessment_open_count(actor=actor)
        cards.append(
            {
                "key": "assessments_open",
                "label": _("Assessment cases open"),
                "value": counts["open"],
                "url": _url("assessment:list"),
            }
        )
        cards.append(
            {
                "key": "assessments_overdue",
                "label": _("Assessment cases overdue"),
                "value": counts["overdue"],
                "url": _url("assessment:reminders"),
            }
        )
    return {"kind": "officer", "cards": cards, "living": living}


def _provider_summary(actor) -> dict:
    organisation = (
        Organisation.objects.select_related("region").filter(pk=actor.organisation_id).first()
    )
    if organisation is None:
        return {"kind": "provider", "cards": [], "organisation": None}
    residents = 0
    if actor.has_capability("elders.view"):
        residents = scoped(Elder.objects.filter(status=Elder.Status.ACTIVE), actor).count()
    cards = [
        {
            "key": "residents",
            "label": _("People in our care"),
            "value": residents,
            "url": _url("people:list"),
        },
        {"key": "beds", "label": _("Beds"), "value": organisation.beds or 0, "url": None},
    ]
    if organisation.beds:
        cards.append(
            {
                "key": "occupancy",
                "label": _("Beds occupied (%)"),
                "value": _share(residents, organisation.beds),
                "url": None,
            }
        )
    return {
        "kind": "provider",
        "cards": cards,
        "organisation": organisation,
        "organisation_url": _url("institutions:detail", organisation.pk),
    }


def _self_summary(actor) -> dict:
    """An older person's own record and their wards', in large print."""
    today = local_today()
    people = []
    if actor.has_capability("elders.view"):
        for elder in scoped(Elder.objects.select_related("region"), actor).order_by("id"):
            people.append(
                {
                    "name": elder.name,
                    "age": age_on(elder.birth_date, today),
                    "sex": elder.get_sex_display(),
                    "status": elder.get_status_display(),
                    "status_code": elder.status,
                    "community": elder.region.name,
                    "is_self": elder.pk == actor.elder_id,
                    "url": _url("people:detail", elder.pk),
                }
            )
    return {"kind": "self", "cards": [], "elders": people}


def _admin_summary(actor) -> dict:
    tasks, cards = [], []
    now = timezone.now()
    if actor.has_capability("accounts.manage"):
        counts = scoped(User.objects.all(), actor).aggregate(
            total=Count("id"),
            disabled=Count("id", filter=Q(is_active=False)),
            locked=Count("id", filter=Q(locked_until__gt=now)),
        )
        cards += [
            {
                "key": "accounts",
                "label": _("Accounts"),
                "value": counts["total"],
                "url": _url("accounts:users"),
            },
            {
                "key": "locked",
                "label": _("Locked now"),
                "value": counts["locked"],
                "url": _url("accounts:users"),
            },
            {
                "key": "disabled",
                "label": _("Disabled"),
                "value": counts["disabled"],
                "url": _url("accounts:users", query={"status": "disabled"}),
            },
        ]
        tasks += [
            {"label": _("Open a new account"), "url": _url("accounts:user_create")},
            {
                "label": _("Find an account, reset a password, disable or unlock it"),
                "url": _url("accounts:users"),
            },
        ]
    if actor.has_capability("api_keys.manage"):
        keys = scoped(ApiKey.objects.filter(is_active=True), actor).count()
        cards.append(
            {
                "key": "api_keys",
                "label": _("Active API keys"),
                "value": keys,
                "url": _url("accounts:api_keys"),
            }
        )
        tasks.append({"label": _("Issue or revoke API keys"), "url": _url("accounts:api_keys")})
    if actor.has_capability("security.manage"):
        policy = security_policy_for()
        cards += [
            {
                "key": "max_failed_logins",
                "label": _("Failed sign-ins before lockout"),
                "value": policy.max_failed_logins,
                "url": _url("accounts:security"),
            },
            {
                "key": "lockout_minutes",
                "label": _("Lockout minutes"),
                "value": policy.lockout_minutes,
                "url": _url("accounts:security"),
            },
            {
                "key": "password_max_age_days",
                "label": _("Password maximum age (days)"),
                "value": policy.password_max_age_days,
                "url": _url("accounts:security"),
            },
        ]
        tasks.append({"label": _("File a new security policy"), "url": _url("accounts:security")})
    if actor.has_capability("audit.view"):
        start, end = local_day_range(local_today())
        changes = scoped(ChangeLog.objects.filter(at__gte=start, at__lt=end), actor).aggregate(
            n=Count("id"),
            lockouts=Count("id", filter=Q(note__startswith=SIGN_IN_LOCKED)),
        )
        reads = scoped(AccessLog.objects.filter(at__gte=start, at__lt=end), actor).count()
        today = local_today().isoformat()
        day = {"date_from": today, "date_to": today}
        cards += [
            {
                "key": "changes_today",
                "label": _("Changes today"),
                "value": changes["n"],
                "url": _url("supervision:audit", query=day),
            },
            {
                "key": "lockouts_today",
                "label": _("Lockouts today"),
                "value": changes["lockouts"],
                "url": _url("supervision:audit", query={**day, "kind": "lockout"}),
            },
            {
                "key": "reads_today",
                "label": _("Sensitive reads today"),
                "value": reads,
                "url": _url("supervision:audit", query={**day, "log": "reads"}),
            },
        ]
        tasks.append({"label": _("Search the audit trail"), "url": _url("supervision:audit")})
    return {"kind": "admin", "cards": cards, "tasks": [t for t in tasks if t["url"]]}


ADMIN_CAPABILITIES = ("accounts.manage", "security.manage", "audit.view")


def landing_summary(*, actor) -> dict:
    """What each role sees first: officers their region's figures, provider staff their
    organisation, an older person or family their own records, administrators their tasks.
    A handful of queries whatever the size of the region."""
    if any(actor.has_capability(c) for c in ADMIN_CAPABILITIES):
        return _admin_summary(actor)
    kind = getattr(actor, "scope_kind", None)
    if kind == SELF:
        return _self_summary(actor)
    if kind == ORGANISATION:
        return _provider_summary(actor)
    if kind == REGION:
        return _officer_summary(actor)
    return {"kind": "other", "cards": []}


# --- audit search ----------------------------------------------------------------------------

CHANGES, READS = "changes", "reads"
# Sign-in events are change rows of accounts with fixed notes (accounts.services).
SIGN_IN_KINDS = {
    "signin": Q(entity_type="accounts.user", note__startswith="sign-in"),
    "signin_ok": Q(entity_type="accounts.user", note__startswith=SIGN_IN_OK),
    "lockout": Q(entity_type="accounts.user", note__startswith=SIGN_IN_LOCKED),
}


def change_kind_choices() -> list[tuple[str, str]]:
    return [
        *ChangeLog.Action.choices,
        ("signin", _("Sign-in events")),
        ("signin_ok", _("Successful sign-ins")),
        ("lockout", _("Lockouts")),
    ]


def read_kind_choices() -> list[tuple[str, str]]:
    return list(AccessLog.Kind.choices)


def record_type_choices() -> list[tuple[str, str]]:
    """Every record type of the platform's own apps, from the model registry: no query."""
    choices = []
    for model in apps.get_models():
        meta = model._meta
        if not meta.app_config.name.startswith("yiyang.") or meta.app_label == "core":
            continue
        choices.append((meta.label_lower, f"{meta.verbose_name} ({meta.label_lower})"))
    return sorted(choices)


@dataclass
class AuditFilters:
    log: str = CHANGES
    actor: str = ""
    entity_type: str = ""
    entity_id: int | None = None
    kind: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    q: str = ""


def audit_search(*, actor, filters: AuditFilters | None = None) -> QuerySet:
    """The change history or the sensitive-read log inside the audit administrator's region,
    newest first. Read-only: the rows refuse to change (core.models.AppendOnly)."""
    require(actor, "audit.view")
    f = filters or AuditFilters()
    model = AccessLog if f.log == READS else ChangeLog
    qs = scoped(model.objects.all(), actor)
    if f.actor.strip():
        qs = qs.filter(actor_label__icontains=f.actor.strip())
    if f.entity_type:
        qs = qs.filter(entity_type=f.entity_type)
    if f.entity_id is not None:
        qs = qs.filter(entity_id=f.entity_id)
    if f.kind:
        if model is AccessLog:
            qs = qs.filter(kind=f.kind)
        elif f.kind in SIGN_IN_KINDS:
            qs = qs.filter(SIGN_IN_KINDS[f.kind])
        else:
            qs = qs.filter(action=f.kind)
    if f.date_from:
        qs = qs.filter(at__gte=local_day_range(f.date_from)[0])
    if f.date_to:
        qs = qs.filter(at__lt=local_day_range(f.date_to)[1])
    q = f.q.strip()
    if q:
        text = "reason" if model is AccessLog else "note"
        qs = qs.filter(Q(entity_label__icontains=q) | Q(**{f"{text}__icontains": q}))
    return qs.order_by("-at", "-id")
