from django.db import migrations

# On PostgreSQL the audit tables refuse UPDATE and DELETE at the database, so not even a
# raw query or a future bug can rewrite the trail. SQLite (the demo) relies on the model guard.
FORWARD = """
CREATE OR REPLACE FUNCTION yiyang_audit_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'audit rows are append-only' USING DETAIL = TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER core_changelog_append_only BEFORE UPDATE OR DELETE ON core_changelog
  FOR EACH ROW EXECUTE FUNCTION yiyang_audit_append_only();
CREATE TRIGGER core_accesslog_append_only BEFORE UPDATE OR DELETE ON core_accesslog
  FOR EACH ROW EXECUTE FUNCTION yiyang_audit_append_only();
"""
BACKWARD = """
DROP TRIGGER IF EXISTS core_changelog_append_only ON core_changelog;
DROP TRIGGER IF EXISTS core_accesslog_append_only ON core_accesslog;
DROP FUNCTION IF EXISTS yiyang_audit_append_only();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
