import datetime as dt

from django.db import migrations


def file_policy(apps, schema_editor):
    policy = apps.get_model("accounts", "SecurityPolicy")
    if not policy.objects.exists():
        policy.objects.create(effective_from=dt.date(2020, 1, 1), max_failed_logins=5,
                              lockout_minutes=15, password_max_age_days=90)


def unfile_policy(apps, schema_editor):
    apps.get_model("accounts", "SecurityPolicy").objects.filter(
        effective_from=dt.date(2020, 1, 1)
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_initial")]
    operations = [migrations.RunPython(file_policy, unfile_policy)]
