"""Each person's current columns become facts holding from the day the record was filed
(source "recorded"): what was true before that was never kept."""

import datetime as dt

from django.db import migrations
from django.utils import timezone

COLUMNS = {
    "economic_status": "economic_status",
    "insurance": "insurance",
    "living_arrangement": "living_arrangement",
    "residence": "region_code",
    "status": "status",
    "ability_level": "ability_level",
    "disability_grade": "disability_grade",
}


def backfill(apps, schema_editor):
    Elder = apps.get_model("people", "Elder")
    Fact = apps.get_model("people", "Fact")
    now = timezone.now()
    batch = []
    for elder in Elder.objects.order_by("pk").iterator(chunk_size=2000):
        filed = timezone.localtime(elder.created_at).date() if elder.created_at else dt.date.today()
        for kind, column in COLUMNS.items():
            value = getattr(elder, column)
            if value is None or value == "":
                continue
            start = filed
            if kind == "status" and value != "active" and elder.status_date:
                if filed < elder.status_date:
                    batch.append(
                        Fact(
                            elder_id=elder.pk,
                            kind=kind,
                            value="active",
                            valid_from=filed,
                            valid_to=elder.status_date,
                            source="recorded",
                            recorded_at=now,
                        )
                    )
                start = elder.status_date
            batch.append(
                Fact(
                    elder_id=elder.pk,
                    kind=kind,
                    value=str(value),
                    valid_from=start,
                    source="recorded",
                    recorded_at=now,
                )
            )
        if len(batch) >= 10000:
            Fact.objects.bulk_create(batch)
            batch = []
    Fact.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [("people", "0004_dated_facts")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
