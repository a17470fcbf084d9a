"""Building the demo city: regions, organisations, older people with their records, accounts."""

import datetime as dt
import hashlib
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from yiyang.accounts.models import User
from yiyang.assessment.models import (
    Assessment,
    AssessmentPolicy,
    AssessorDraw,
    AssessorProfile,
    AssessorTie,
    Assignment,
    Discrepancy,
    Evidence,
    Objection,
)
from yiyang.core.models import ChangeLog
from yiyang.institutions.models import Organisation
from yiyang.marketplace.models import (
    Order,
    OrderPolicy,
    ProviderOffer,
    ServiceCirclePolicy,
    SubsidyBalance,
)
from yiyang.people.models import Elder, Fact, Guardian, HealthProfile
from yiyang.regions.models import Region
from yiyang.regions.services import regions_load_vendored

from ..errors import DemoCityMismatch, RegistryNotDemo, RegistryReferenced
from ..models import DemoCity
from . import tables
from .accounts import PREFIX, demo_accounts_ensure
from .assessments import demo_assessments_build
from .elders import DEMO_ACTOR, ElderGenerator
from .names import NameBook
from .orders import demo_orders_build
from .organisations import PANLONG, organisations_plan
from .places import CITY, CityMap
from .writers import BulkWriter, indexes_deferred

GENERATOR_VERSION = "1"
DEFAULT_AS_OF = dt.date(2026, 1, 1)
CHUNK = 20_000
# From this size on, PostgreSQL loads without secondary indexes and builds them afterwards.
BIG = 50_000

Progress = Callable[[str], None]


@dataclass
class BuildResult:
    city: DemoCity
    built: bool
    seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)


def _quiet(message: str) -> None:
    pass


def demo_city_build(
    *,
    elders: int,
    seed: int,
    as_of: dt.date = DEFAULT_AS_OF,
    force: bool = False,
    progress: Progress = _quiet,
) -> BuildResult:
    """Build the demo city, or do nothing when this database already holds the same one.

    A different size, seed or date is refused unless `force`, which first deletes every older
    person and organisation (a demo database holds nothing else of value). A database whose
    registry the demo did not make is never touched.
    """
    if elders < 1:
        raise DemoCityMismatch("The demo city needs at least one older person.", field="elders")
    existing = DemoCity.objects.order_by("-id").first()
    if existing is not None and not force:
        if (existing.seed, existing.elders, existing.as_of) == (seed, elders, as_of):
            return BuildResult(city=existing, built=False)
        raise DemoCityMismatch(
            f"This database holds a demo city of {existing.elders} older people (seed "
            f"{existing.seed}, as of {existing.as_of}); rebuild it with --force."
        )
    if existing is None and Elder.objects.exists():
        raise RegistryNotDemo()
    started = time.monotonic()
    with transaction.atomic():
        if existing is not None:
            _wipe(existing, progress)
        counts = _build(elders=elders, seed=seed, as_of=as_of, progress=progress)
        seconds = time.monotonic() - started
        city = DemoCity.objects.create(
            seed=seed,
            elders=elders,
            as_of=as_of,
            generator=GENERATOR_VERSION,
            seconds=Decimal(f"{seconds:.1f}"),
        )
    if connection.vendor == "postgresql":
        # Fresh statistics for the planner; outside a transaction, VACUUM as well, which sets
        # the hint bits and visibility map of the freshly loaded rows (otherwise the first
        # readers of every page pay for that, and a first benchmark run is several times slower).
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
        progress(f"{command} of the loaded tables")
        with connection.cursor() as cursor:
            for model in (Elder, Guardian, HealthProfile, ChangeLog, Organisation, User):
                cursor.execute(f"{command} {connection.ops.quote_name(model._meta.db_table)}")
    return BuildResult(city=city, built=True, seconds=time.monotonic() - started, counts=counts)


def _allocate(total: int, weights: dict[str, float]) -> dict[str, int]:
    """Split `total` by weight with the largest-remainder rule; Panlong gets at least one."""
    whole = sum(weights.values())
    exact = {code: total * w / whole for code, w in weights.items()}
    counts = {code: int(x) for code, x in exact.items()}
    by_remainder = sorted(exact, key=lambda c: (counts[c] - exact[c], c))
    for code in by_remainder[: total - sum(counts.values())]:
        counts[code] += 1
    if counts[PANLONG] == 0:
        donor = max(counts, key=lambda c: (counts[c], c))
        counts[donor] -= 1
        counts[PANLONG] = 1
    return counts


def _build(*, elders: int, seed: int, as_of: dt.date, progress: Progress) -> dict[str, int]:
    if not Region.objects.filter(code__startswith=CITY, level=Region.Level.COMMUNITY).exists():
        progress("loading the division codes of Kunming")
        regions_load_vendored(area=CITY)
    cmap = CityMap.load()
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not secrets
    names = NameBook(rng)
    weights = {code: v["weight"] for code, v in tables.districts().items()}
    by_district = _allocate(elders, weights)

    now = timezone.now()
    writer = BulkWriter(now=now)
    plan, city_orgs = organisations_plan(
        rng=rng, cmap=cmap, names=names, elders_by_district=by_district, as_of=as_of
    )
    Organisation.objects.bulk_create(plan, batch_size=500)
    city_orgs.free_beds = {
        o.pk: o.beds or 0 for homes in city_orgs.care_homes.values() for o in homes
    }
    writer.write(
        ChangeLog,
        [
            {
                "actor_label": DEMO_ACTOR,
                "entity_type": "institutions.organisation",
                "entity_id": o.pk,
                "entity_label": o.name,
                "region_code": o.region_code,
                "action": ChangeLog.Action.IMPORT,
                "note": f"demo city, seed {seed}",
            }
            for o in plan
        ],
    )
    progress(f"organisations: {len(plan)}")

    order = [code for code, n in sorted(by_district.items()) for _ in range(n)]
    rng.shuffle(order)
    first_id = (Elder.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    generator = ElderGenerator(
        rng=rng, names=names, cmap=cmap, orgs=city_orgs, as_of=as_of, seed=seed, first_id=first_id
    )
    started = time.monotonic()
    loaded = (Elder, HealthProfile, Guardian, ChangeLog, Fact)
    with indexes_deferred(loaded if elders >= BIG else []):
        for start in range(0, elders, CHUNK):
            rows: dict[type, list[dict]] = {model: [] for model in loaded}
            for code in order[start : start + CHUNK]:
                batch = generator.next(code)
                rows[Elder] += batch.elders
                rows[HealthProfile] += batch.health
                rows[Guardian] += batch.guardians
                rows[ChangeLog] += batch.changes
                rows[Fact] += batch.facts
            for model in loaded:
                writer.write(model, rows[model])
            done = min(start + CHUNK, elders)
            rate = done / max(time.monotonic() - started, 1e-6)
            progress(f"older people: {done:,} of {elders:,} ({rate:,.0f}/s)")
        if elders >= BIG and connection.vendor == "postgresql":
            progress("building indexes and foreign keys")
    writer.reset_sequence(Elder)
    users = demo_accounts_ensure()
    progress(f"demo accounts: {len(users)}")
    assessment_counts = demo_assessments_build(seed=seed, progress=progress)
    order_counts = demo_orders_build(seed=seed, progress=progress)
    counts = dict(writer.counts)
    counts.update(assessment_counts)
    counts.update(order_counts)
    counts["institutions.organisation"] = len(plan)
    counts["accounts.user"] = len(users)
    return counts


def _wipe(existing: DemoCity, progress: Progress) -> None:
    """Delete every older person and organisation and unhook the demo accounts from them.

    Refused when a table of another module (orders, visits, ... in later releases) or an
    account that is not a demo account still points at them: those rows would be lost.
    """
    handled = {
        (Assessment, "elder"),
        (Assessment, "residence"),
        (Assessment, "assessment_org"),
        (AssessorDraw, "organisation"),
        (AssessorProfile, "organisation"),
        (AssessorProfile, "employer"),
        (AssessorTie, "elder"),
        (Guardian, "elder"),
        (Fact, "elder"),
        (HealthProfile, "elder"),
        (Elder, "institution"),
        (User, "elder"),
        (User, "organisation"),
        (Order, "elder"),
        (Order, "provider"),
        (ProviderOffer, "provider"),
        (SubsidyBalance, "elder"),
    }
    blockers = []
    for target in (Elder, Organisation):
        for rel in target._meta.related_objects:
            model, fk = rel.related_model, rel.field.name
            rows = model._default_manager.filter(**{f"{fk}__isnull": False})
            if (model, fk) in handled:
                if model is User:
                    rows = rows.exclude(username__startswith=PREFIX)
                else:
                    continue
            if rows.exists():
                blockers.append(model._meta.label)
    if blockers:
        raise RegistryReferenced(tables=sorted(set(blockers)))
    progress(f"deleting the demo city of {existing.elders:,} older people")
    _wipe_assessments()
    _wipe_orders()
    User.objects.filter(username__startswith=PREFIX).update(organisation=None, elder=None)
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in (Fact, Guardian, HealthProfile, Elder, Organisation):
            cursor.execute(f"DELETE FROM {qn(model._meta.db_table)}")  # noqa: S608
    ChangeLog.objects.create(
        actor_label=DEMO_ACTOR,
        entity_type="demo.democity",
        entity_id=existing.pk,
        entity_label=str(existing)[:200],
        action=ChangeLog.Action.DELETE,
        note="demo city deleted before a rebuild (--force)",
    )
    DemoCity.objects.all().delete()


def _wipe_orders() -> None:
    """The demo's orders, menus, balances and order policy go with the city."""
    Order.objects.all().delete()
    ProviderOffer.objects.all().delete()
    SubsidyBalance.objects.all().delete()
    OrderPolicy.objects.all().delete()
    ServiceCirclePolicy.objects.all().delete()


def _wipe_assessments() -> None:
    """The demo's assessment cases, their assessors and policy go with the city they belong to."""
    Evidence.objects.all().delete()
    for model in (Discrepancy, Objection, Assignment, AssessorDraw, AssessorTie):
        model.objects.all().delete()
    Assessment.objects.update(previous=None, superseded_by=None)
    Assessment.objects.all().delete()
    AssessorProfile.objects.all().delete()
    AssessmentPolicy.objects.all().delete()


def demo_digest() -> str:
    """SHA-256 of every generated value, ordered by natural keys, leaving out what must differ
    between builds: ids, timestamps, the ID-number ciphertext (a fresh nonce each time) and
    password hashes (a fresh salt). Two builds with the same parameters give the same digest."""
    digest = hashlib.sha256()

    def feed(keyed_rows) -> None:
        for _key, row in sorted(keyed_rows, key=lambda pair: pair[0]):
            digest.update(repr(row).encode("utf-8"))
            digest.update(b"\n")

    org_key = {
        pk: (code, name)
        for pk, code, name in Organisation.objects.values_list("pk", "region_code", "name")
    }
    org_fields = [
        f.attname
        for f in Organisation._meta.concrete_fields
        if f.attname not in {"id", "region_id", "created_at", "updated_at"}
    ]
    feed(
        ((row[0], row[1]), row)
        for row in Organisation.objects.values_list("region_code", "name", *org_fields)
    )
    elder_key = dict(Elder.objects.values_list("pk", "id_number_hash"))
    skip = {"id", "id_number_cipher", "created_at", "updated_at", "institution_id", "region_id"}
    elder_fields = [f.attname for f in Elder._meta.concrete_fields if f.attname not in skip]
    feed(
        (row[1], (org_key.get(row[0]), *row[1:]))
        for row in Elder.objects.values_list(
            "institution_id", "id_number_hash", *elder_fields
        ).iterator()
    )
    feed(
        ((elder_key[row[0]],), (elder_key[row[0]], *row[1:]))
        for row in HealthProfile.objects.values_list(
            "elder_id", "chronic_conditions", "medications", "allergies", "blood_type", "notes"
        ).iterator()
    )
    feed(
        ((elder_key[row[0]], row[1]), (elder_key[row[0]], *row[1:]))
        for row in Guardian.objects.values_list(
            "elder_id",
            "priority",
            "name",
            "relation",
            "phone",
            "is_guardian",
            "is_emergency_contact",
            "account__username",
        ).iterator()
    )
    feed(
        ((elder_key[row[0]], *row[1:3]), (elder_key[row[0]], *row[1:]))
        for row in Fact.objects.values_list(
            "elder_id", "kind", "valid_from", "valid_to", "value", "source"
        ).iterator()
    )
    feed(
        (row[0], (*row[:3], org_key.get(row[3]), elder_key.get(row[4]), *row[5:]))
        for row in User.objects.filter(username__startswith=PREFIX).values_list(
            "username",
            "role",
            "region_code",
            "organisation_id",
            "elder_id",
            "display_name",
            "phone",
            "is_active",
        )
    )
    return digest.hexdigest()
