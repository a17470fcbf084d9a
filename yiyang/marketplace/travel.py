"""How long it takes to get from one place to another: the travel models, pluggable by name.

The default until a road network is loaded is `walking`: the great-circle (haversine) distance
times a detour factor, at a walking speed. Both numbers are policy data (ServiceCirclePolicy),
chosen for older people: 50 m a minute (3 km/h) and a detour of 1.3 over the straight line are
the defaults the demo city files. Another model (a road graph, a routing service inside the
intranet) registers itself under a new name and the policy names it.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

EARTH_RADIUS_M = 6_371_008.8  # mean radius (IUGG)


def haversine_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in metres between two points given in degrees."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


@dataclass(frozen=True)
class Walking:
    speed_m_per_min: float
    detour: float

    def minutes(self, a: tuple[float, float], b: tuple[float, float]) -> float:
        return haversine_m(*a, *b) * self.detour / self.speed_m_per_min

    def reach_m(self, minutes: float) -> float:
        """The straight-line distance that takes `minutes` (for a bounding-box prefilter)."""
        return minutes * self.speed_m_per_min / self.detour


_models: dict[str, Callable[..., object]] = {"walking": Walking}


def register_model(name: str, factory: Callable[..., object]) -> None:
    _models[name] = factory


def model_for(name: str, *, speed_m_per_min: Decimal, detour: Decimal):
    try:
        factory = _models[name]
    except KeyError as exc:
        raise LookupError(f"no travel model {name!r}") from exc
    return factory(speed_m_per_min=float(speed_m_per_min), detour=float(detour))
