"""The service catalogue's Excel sheet: its columns, the importer that files every row through
the catalogue's own cleaner, and the export."""

from collections.abc import Iterator

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yiyang.core import audit
from yiyang.core.exceptions import ValidationFailed
from yiyang.core.models import ChangeLog
from yiyang.exchange.cells import parse_row
from yiyang.exchange.columns import (
    BOOL,
    CHOICE,
    DECIMAL,
    INTEGER,
    YES_NO,
    Column,
    label_of,
)
from yiyang.exchange.importers import BatchResult, Importer, bulk_update
from yiyang.exchange.kinds import DataKind, Export

from .models import ServiceItem
from .selectors import ServiceItemFilters, service_item_list
from .services import FIELDS as SERVICE_ITEM_FIELDS
from .services import ServiceItemData, service_item_clean, service_item_snapshot

CATEGORY = (
    ("meal", "助餐"),
    ("cleaning", "助洁"),
    ("bathing", "助浴"),
    ("escort", "陪同就医"),
    ("rehab", "康复"),
    ("nursing", "护理"),
    ("comfort", "精神慰藉"),
    ("emergency", "紧急救援"),
    ("life_care", "长护险生活照料"),
    ("medical_care", "长护险医疗护理"),
    ("other", "其他"),
)

SERVICE_ITEM_COLUMNS = (
    Column(
        "code",
        "编码",
        required=True,
        help=_(
            "Item code: letters, digits, dots, hyphens, underscores. A code already on "
            "record updates that item."
        ),
        width=12,
    ),
    Column("name", "名称", required=True, width=20),
    Column("category", "类别", CHOICE, required=True, choices=CATEGORY, width=14),
    Column("unit", "单位", required=True, help=_("Such as 次, 小时, 餐."), width=8),
    Column(
        "duration_minutes",
        "时长(分钟)",
        INTEGER,
        required=True,
        help=_("Whole minutes, 1 or more."),
        width=10,
    ),
    Column(
        "price",
        "指导价(元)",
        DECIMAL,
        required=True,
        help=_("Yuan, 0 or more, at most two decimal places."),
        width=10,
    ),
    Column("qualification", "资质要求", help=_("Certificate the caregiver must hold."), width=16),
    Column(
        "is_ltci", "长护险项目", BOOL, help=_("是 for a long-term-care insurance item."), width=10
    ),
    Column("description", "说明", width=30),
)


# -- the importer ---------------------------------------------------------------------------


class ServiceItemImporter(Importer):
    kind = "service_items"
    model = ServiceItem
    columns = SERVICE_ITEM_COLUMNS

    def process(self, rows, *, write):
        result = BatchResult()
        parsed = []
        for number, raw in rows:
            values, errors = parse_row(self.columns, self.layout, raw)
            first = self.first_seen(values["code"] or None, number)
            if first is not None:
                errors.setdefault(
                    "code",
                    _("The same code is already on row %(row)s of this file.") % {"row": first},
                )
            parsed.append((number, raw, values, errors))
        codes = {p[2]["code"] for p in parsed} - {""}
        qs = ServiceItem.objects.all()
        if write:
            qs = qs.select_for_update()
        existing = {i.code: i for i in qs.filter(code__in=codes)} if codes else {}

        good = []
        for number, raw, values, errors in parsed:
            current = existing.get(values["code"])
            data = ServiceItemData(
                code=values["code"],
                name=values["name"],
                category=values["category"],
                unit=values["unit"],
                duration_minutes=values["duration_minutes"],
                price=values["price"],
                qualification=values["qualification"],
                is_ltci=values["is_ltci"],
                is_active=current.is_active if current is not None else True,
                description=values["description"],
            )
            cleaned = None
            try:
                cleaned = service_item_clean(data=data, current=current)
            except ValidationFailed as exc:
                self.merge(errors, exc)
            if errors:
                self.reject(result, number, raw, errors)
            else:
                good.append((cleaned, current))

        if not write:
            result.created += sum(1 for _c, cur in good if cur is None)
            result.updated += sum(1 for _c, cur in good if cur is not None)
            return result
        now = timezone.now()
        region = self.actor.region_code or ""  # the catalogue's history sits with the editor
        logs = []
        new = [ServiceItem(**cleaned) for cleaned, cur in good if cur is None]
        ServiceItem.objects.bulk_create(new)
        for item in new:
            logs.append(
                self.change(item, "create", audit.diff({}, service_item_snapshot(item)), region)
            )
        result.created += len(new)
        changed = []
        for cleaned, item in good:
            if item is None:
                continue
            before = service_item_snapshot(item)
            for key, value in cleaned.items():
                setattr(item, key, value)
            changes = audit.diff(before, service_item_snapshot(item))
            if changes:
                item.updated_at = now
                changed.append(item)
                logs.append(self.change(item, "update", changes, region))
                result.updated += 1
            else:
                result.unchanged += 1
        if changed:
            bulk_update(ServiceItem, changed, [*SERVICE_ITEM_FIELDS, "updated_at"])
        ChangeLog.objects.bulk_create(logs)
        return result


# -- the export ------------------------------------------------------------------------------


def export_rows(qs) -> Iterator[list]:
    for i in qs.iterator(chunk_size=2000):
        yield [
            i.code,
            i.name,
            label_of(CATEGORY, i.category),
            i.unit,
            i.duration_minutes,
            i.price,
            i.qualification,
            YES_NO[i.is_ltci],
            i.description,
        ]


def _text(query, name: str) -> str:
    return (query.get(name) or "").strip()[:100]


def _bool(query, name: str) -> bool | None:
    return {"yes": True, "1": True, "true": True, "no": False, "0": False, "false": False}.get(
        _text(query, name).lower()
    )


def export_filters(query, *, actor=None) -> ServiceItemFilters:
    category = _text(query, "category")
    return ServiceItemFilters(
        q=_text(query, "q"),
        category=category if category in ServiceItem.Category.values else "",
        is_ltci=_bool(query, "is_ltci"),
        is_active=_bool(query, "is_active"),
    )


KIND = DataKind(
    key="service_items",
    label=gettext_lazy("Service items"),
    columns=SERVICE_ITEM_COLUMNS,
    sheet_title="服务项目",
    file_stem="service-items",
    importer=ServiceItemImporter,
    import_capabilities=("service_items.edit",),
    export=Export(
        capability="service_items.view",
        columns=lambda: list(SERVICE_ITEM_COLUMNS),
        queryset=lambda actor, filters: service_item_list(actor=actor, filters=filters),
        filters=export_filters,
        rows=export_rows,
        entity="marketplace.serviceitem",
    ),
    order=30,
)
