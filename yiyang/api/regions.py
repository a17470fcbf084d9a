"""Administrative divisions: public reference data for any authenticated caller."""

from ninja import Path, Router, Schema

from yiyang.regions.selectors import region_children, region_get

from .auth import needs
from .schemas import Coordinate, answers

router = Router(tags=["regions"])

CODE = Path(..., pattern=r"^\d{2,12}$", description="Division code, e.g. 530103.")


class RegionOut(Schema):
    code: str
    name: str
    full_name: str
    level: int
    parent_code: str | None
    lat: Coordinate | None
    lng: Coordinate | None

    @staticmethod
    def resolve_parent_code(obj) -> str | None:
        return obj.parent.code if obj.parent_id else None


@router.get("/{code}", response=answers(RegionOut, 404), **needs(None))
def region_detail(request, code: str = CODE):
    """One division by its code."""
    return region_get(code=code)


@router.get("/{code}/children", response=answers(list[RegionOut], 404), **needs(None))
def region_detail_children(request, code: str = CODE):
    """The divisions directly beneath one (a district's streets, a street's communities)."""
    parent = region_get(code=code)
    return region_children(code=parent.code).select_related("parent")
