"""The phone's digits in a column of their own, searched by prefix and by suffix through
indexes instead of `phone LIKE '%digits%'`, which reads every row in scope (people.selectors)."""

from django.db import migrations, models

# On PostgreSQL the search by the last digits is `reverse(phone_digits) LIKE 'reversed%'`,
# which this expression index serves; SQLite (the embedded default, small) has no need of it.
SUFFIX_INDEX = (
    "CREATE INDEX elder_phone_digits_reversed "
    "ON people_elder (reverse(phone_digits) text_pattern_ops)"
)


def backfill(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "UPDATE people_elder SET phone_digits = regexp_replace(phone, '[^0-9]', '', 'g') "
            "WHERE phone <> ''"
        )
        return
    Elder = apps.get_model("people", "Elder")
    batch = []
    for elder in Elder.objects.exclude(phone="").only("pk", "phone").iterator(chunk_size=2000):
        elder.phone_digits = "".join(c for c in elder.phone if "0" <= c <= "9")
        batch.append(elder)
        if len(batch) >= 2000:
            Elder.objects.bulk_update(batch, ["phone_digits"])
            batch = []
    Elder.objects.bulk_update(batch, ["phone_digits"])


def suffix_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(SUFFIX_INDEX)


def suffix_index_drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS elder_phone_digits_reversed")


class Migration(migrations.Migration):
    dependencies = [
        ("institutions", "0001_initial"),
        ("people", "0005_backfill_facts"),
        ("regions", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="elder",
            name="phone_digits",
            field=models.CharField(blank=True, editable=False, max_length=20),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="elder",
            index=models.Index(
                fields=["phone_digits"],
                name="elder_phone_digits",
                opclasses=["varchar_pattern_ops"],
            ),
        ),
        migrations.RunPython(suffix_index, suffix_index_drop),
    ]
