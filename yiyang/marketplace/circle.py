"""The 15-minute service circle (seed 001): for each community, the service stations and
providers an older person can reach within the policy's minutes, by the policy's travel model
(marketplace.travel), from the community's centre; the communities outside the circle."""

import math
from dataclasses import dataclass, field

from django.db.models import Count

from yiyang.core import policy
from yiyang.core.scoping import Actor, require, scoped
from yiyang.core.timeutils import local_today
from yiyang.institutions.models import Organisation
from yiyang.people.models import Elder
from yiyang.regions.models import Region

from . import travel
from .models import ServiceCirclePolicy

K = Organisation.Kind
# The places an older person goes to or is served from.
SERVICE_POINTS = (K.COMMUNITY_STATION, K.COMMUNITY_CENTRE, K.HOME_CARE)


@dataclass
class Reach:
    organisation_id: int
    name: str
    kind: str
    minutes: float


@dataclass
class CommunityCircle:
    code: str
    name: str
    district: str
    lat: float
    lng: float
    elders: int
    reachable: list[Reach] = field(default_factory=list)

    @property
    def covered(self) -> bool:
        return bool(self.reachable)

    @property
    def nearest(self) -> Reach | None:
        return min(self.reachable, key=lambda r: r.minutes) if self.reachable else None


@dataclass
class CircleReport:
    minutes: int
    model: str
    speed: float
    detour: float
    communities: list[CommunityCircle]
    no_position: int

    @property
    def outside(self) -> list[CommunityCircle]:
        return [c for c in self.communities if not c.covered]

    @property
    def covered_share(self) -> float | None:
        if not self.communities:
            return None
        return 100 * sum(c.covered for c in self.communities) / len(self.communities)

    @property
    def elders_covered_share(self) -> float | None:
        total = sum(c.elders for c in self.communities)
        if not total:
            return None
        return 100 * sum(c.elders for c in self.communities if c.covered) / total


def circle_policy(region_code: str) -> ServiceCirclePolicy:
    row = policy.policy_in_force(ServiceCirclePolicy, region_code=region_code, on=local_today())
    return row or ServiceCirclePolicy(
        minutes=15, travel_model="walking", speed_m_per_min=50, detour=1.3
    )


def service_circle(*, actor: Actor) -> CircleReport:
    """Every community of the actor's region with a position: what lies within the circle."""
    require(actor, "orders.figures")
    rules = circle_policy(getattr(actor, "region_code", "") or "")
    model = travel.model_for(
        rules.travel_model, speed_m_per_min=rules.speed_m_per_min, detour=rules.detour
    )
    communities = scoped(Region.objects.filter(level=Region.Level.COMMUNITY), actor)
    placed = communities.filter(lat__isnull=False, lng__isnull=False)
    no_position = communities.count() - placed.count()
    districts = dict(Region.objects.filter(level=Region.Level.DISTRICT).values_list("code", "name"))
    elders = dict(
        scoped(Elder.objects.filter(status=Elder.Status.ACTIVE), actor)
        .values_list("region_code")
        .annotate(n=Count("id"))
        .values_list("region_code", "n")
    )
    points = [
        (o.pk, o.name, o.kind, float(o.lat), float(o.lng))
        for o in Organisation.objects.filter(
            kind__in=SERVICE_POINTS, lat__isnull=False, lng__isnull=False
        ).only("pk", "name", "kind", "lat", "lng")
    ]
    reach_m = model.reach_m(rules.minutes) if hasattr(model, "reach_m") else math.inf
    rows = []
    for region in placed.order_by("code").only("code", "name", "lat", "lng"):
        lat, lng = float(region.lat), float(region.lng)
        row = CommunityCircle(
            region.code,
            region.name,
            districts.get(region.code[:6], ""),
            lat,
            lng,
            elders.get(region.code, 0),
        )
        # a box around the community first: a degree of latitude is 111 km
        dlat = reach_m / 111_000
        dlng = dlat / max(math.cos(math.radians(lat)), 0.01)
        for pk, name, kind, plat, plng in points:
            if abs(plat - lat) > dlat or abs(plng - lng) > dlng:
                continue
            minutes = model.minutes((lat, lng), (plat, plng))
            if minutes <= rules.minutes:
                row.reachable.append(Reach(pk, name, kind, round(minutes, 1)))
        row.reachable.sort(key=lambda r: r.minutes)
        rows.append(row)
    return CircleReport(
        int(rules.minutes),
        rules.travel_model,
        float(rules.speed_m_per_min),
        float(rules.detour),
        rows,
        no_position,
    )


def coverage_svg(report: CircleReport, *, width: int = 640, height: int = 480) -> dict:
    """The communities as dots on a plain projection (no map tiles: nothing is fetched), covered
    ones blue, the others red; the template draws them as an SVG."""
    if not report.communities:
        return {"width": width, "height": height, "dots": []}
    lats = [c.lat for c in report.communities]
    lngs = [c.lng for c in report.communities]
    lat0, lat1, lng0, lng1 = min(lats), max(lats), min(lngs), max(lngs)
    scale_x = math.cos(math.radians((lat0 + lat1) / 2))
    span_x = max((lng1 - lng0) * scale_x, 1e-6)
    span_y = max(lat1 - lat0, 1e-6)
    ratio = min((width - 20) / span_x, (height - 20) / span_y)
    dots = [
        {
            "x": round(10 + (c.lng - lng0) * scale_x * ratio, 1),
            "y": round(height - 10 - (c.lat - lat0) * ratio, 1),
            "covered": c.covered,
            "name": c.name,
        }
        for c in report.communities
    ]
    return {"width": width, "height": height, "dots": dots}
