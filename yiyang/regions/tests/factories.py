"""A small real-shaped division tree: Kunming with two sibling districts, Panlong and Wuhua."""

from dataclasses import dataclass
from decimal import Decimal

from yiyang.regions.models import Region


@dataclass
class City:
    province: Region
    city: Region
    panlong: Region
    wuhua: Region
    panlong_street: Region
    panlong_community: Region
    panlong_community2: Region
    wuhua_street: Region
    wuhua_community: Region


def _node(code, name, level, parent=None, lat=None, lng=None):
    region, _ = Region.objects.get_or_create(
        code=code,
        defaults={
            "name": name,
            "level": level,
            "parent": parent,
            "full_name": (parent.full_name if parent else "") + name,
            "lat": lat,
            "lng": lng,
        },
    )
    return region


def build_city() -> City:
    p = _node("53", "云南省", 1)
    c = _node("5301", "昆明市", 2, p, Decimal("25.0406"), Decimal("102.7123"))
    pl = _node("530103", "盘龙区", 3, c, Decimal("25.07"), Decimal("102.73"))
    wh = _node("530102", "五华区", 3, c, Decimal("25.0432"), Decimal("102.7041"))
    pls = _node("530103001", "拓东街道", 4, pl, Decimal("25.04"), Decimal("102.72"))
    plc = _node("530103001001", "尚义社区居委会", 5, pls, Decimal("25.041"), Decimal("102.721"))
    plc2 = _node("530103001002", "明通巷社区居委会", 5, pls, Decimal("25.043"), Decimal("102.723"))
    whs = _node("530102001", "华山街道", 4, wh, Decimal("25.045"), Decimal("102.70"))
    whc = _node("530102001001", "西仓坡社区居委会", 5, whs, Decimal("25.046"), Decimal("102.701"))
    return City(p, c, pl, wh, pls, plc, plc2, whs, whc)
