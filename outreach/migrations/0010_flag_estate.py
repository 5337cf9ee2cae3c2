"""A flag keeps its household's estate, written by the database for every writer.

The flags page filters the open flags of every organisation by the estates a user works in;
through the household, flat and stairwell that meant joining every household to its estate
before the first flag was kept. The column is set by triggers on the insert of flags (checked
a statement at a time: the scan's INSERT gives it, flag_raise does not) and on each change of a
flag's household (a merge of households), and again for the flags of the households concerned
whenever a household's flat, a flat's stairwell or a stairwell's estate changes: a value that
is not the household's estate is replaced, whoever wrote it.
"""

import django.db.models.deletion
from django.db import migrations, models

FORWARD = """
CREATE FUNCTION outreach_flag_set_estate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT s.estate_id INTO NEW.estate_id
      FROM households_household h
      JOIN households_flat f ON f.id = h.flat_id
      JOIN households_stairwell s ON s.id = f.stairwell_id
     WHERE h.id = NEW.household_id;
    RETURN NEW;
END;
$$;

CREATE TRIGGER outreach_flag_estate
    BEFORE UPDATE OF household_id, estate_id ON outreach_flag
    FOR EACH ROW EXECUTE FUNCTION outreach_flag_set_estate();

-- Inserted flags, at once a statement (the scan inserts ~27,000 in one, giving their estates):
-- those whose estate is not their household's are set again, through the trigger above. A row
-- trigger on insert cost the scan a third of a second more.
CREATE FUNCTION outreach_flag_inserted_estate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE outreach_flag fl SET estate_id = s.estate_id
      FROM inserted i
      JOIN households_household h ON h.id = i.household_id
      JOIN households_flat f ON f.id = h.flat_id
      JOIN households_stairwell s ON s.id = f.stairwell_id
     WHERE fl.id = i.id AND fl.estate_id IS DISTINCT FROM s.estate_id;
    RETURN NULL;
END;
$$;

CREATE TRIGGER outreach_flag_inserted_estate
    AFTER INSERT ON outreach_flag REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION outreach_flag_inserted_estate();

-- A household, flat or stairwell that moves: its flags' estate is set again (through the
-- trigger above, by naming the household in the UPDATE).
CREATE FUNCTION outreach_flag_estate_household_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE outreach_flag SET household_id = household_id WHERE household_id = NEW.id;
    RETURN NULL;
END;
$$;

CREATE TRIGGER outreach_flag_estate_household_moved
    AFTER UPDATE OF flat_id ON households_household
    FOR EACH ROW WHEN (OLD.flat_id IS DISTINCT FROM NEW.flat_id)
    EXECUTE FUNCTION outreach_flag_estate_household_moved();

CREATE FUNCTION outreach_flag_estate_flat_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE outreach_flag SET household_id = household_id
     WHERE household_id IN (SELECT id FROM households_household WHERE flat_id = NEW.id);
    RETURN NULL;
END;
$$;

CREATE TRIGGER outreach_flag_estate_flat_moved
    AFTER UPDATE OF stairwell_id ON households_flat
    FOR EACH ROW WHEN (OLD.stairwell_id IS DISTINCT FROM NEW.stairwell_id)
    EXECUTE FUNCTION outreach_flag_estate_flat_moved();

CREATE FUNCTION outreach_flag_estate_stairwell_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE outreach_flag SET household_id = household_id
     WHERE household_id IN (
        SELECT h.id FROM households_household h
          JOIN households_flat f ON f.id = h.flat_id
         WHERE f.stairwell_id = NEW.id);
    RETURN NULL;
END;
$$;

CREATE TRIGGER outreach_flag_estate_stairwell_moved
    AFTER UPDATE OF estate_id ON households_stairwell
    FOR EACH ROW WHEN (OLD.estate_id IS DISTINCT FROM NEW.estate_id)
    EXECUTE FUNCTION outreach_flag_estate_stairwell_moved();

-- the flags there are
UPDATE outreach_flag SET household_id = household_id;
"""

BACKWARD = """
DROP TRIGGER outreach_flag_estate_stairwell_moved ON households_stairwell;
DROP FUNCTION outreach_flag_estate_stairwell_moved();
DROP TRIGGER outreach_flag_estate_flat_moved ON households_flat;
DROP FUNCTION outreach_flag_estate_flat_moved();
DROP TRIGGER outreach_flag_estate_household_moved ON households_household;
DROP FUNCTION outreach_flag_estate_household_moved();
DROP TRIGGER outreach_flag_inserted_estate ON outreach_flag;
DROP FUNCTION outreach_flag_inserted_estate();
DROP TRIGGER outreach_flag_estate ON outreach_flag;
DROP FUNCTION outreach_flag_set_estate();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("households", "0013_flat_rent_and_aconto"),
        ("outreach", "0009_flag_partial_resolved_by_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="flag",
            name="estate",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="households.estate",
            ),
        ),
        migrations.RunSQL(sql=FORWARD, reverse_sql=BACKWARD),
    ]
