"""No double booking of a room or equipment on PostgreSQL: an exclusion constraint over each
resource's live time ranges (half-open, like appointments in migration 0002). On SQLite the
booking service checks inside its IMMEDIATE transaction."""

from django.db import migrations

CONSTRAINT = "agenda_resourcebooking_no_overlap"


def create_exclusion_constraint(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    schema_editor.execute(
        f"ALTER TABLE agenda_resourcebooking ADD CONSTRAINT {CONSTRAINT} "
        "EXCLUDE USING gist (resource_id WITH =, tstzrange(start, \"end\", '[)') WITH &&) "
        "WHERE (is_live)"
    )


def drop_exclusion_constraint(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE agenda_resourcebooking DROP CONSTRAINT IF EXISTS {CONSTRAINT}")


class Migration(migrations.Migration):
    dependencies = [
        ("agenda", "0004_appointment_messages"),
    ]

    operations = [
        migrations.RunPython(create_exclusion_constraint, drop_exclusion_constraint, elidable=False),
    ]
