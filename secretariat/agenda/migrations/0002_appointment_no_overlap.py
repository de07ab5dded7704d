"""No double booking on PostgreSQL: an exclusion constraint over the practitioner's time ranges.

Two non-cancelled appointments of one practitioner may not overlap; ranges are half-open
[start, end), so an appointment may start when the previous one ends. btree_gist lets the
GiST index compare practitioner_id with "=". On SQLite this migration does nothing: writers
are serialised by IMMEDIATE transactions and the booking service checks overlaps inside its
transaction (see secretariat/agenda/services.py).
"""

from django.db import migrations

CONSTRAINT = "agenda_appointment_no_overlap"


def create_exclusion_constraint(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    schema_editor.execute(
        f"ALTER TABLE agenda_appointment ADD CONSTRAINT {CONSTRAINT} "
        "EXCLUDE USING gist (practitioner_id WITH =, tstzrange(start, \"end\", '[)') WITH &&) "
        "WHERE (status <> 'cancelled')"
    )


def drop_exclusion_constraint(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # The extension stays: other tables may use it.
    schema_editor.execute(f"ALTER TABLE agenda_appointment DROP CONSTRAINT IF EXISTS {CONSTRAINT}")


class Migration(migrations.Migration):
    dependencies = [
        ("agenda", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_exclusion_constraint, drop_exclusion_constraint, elidable=False),
    ]
