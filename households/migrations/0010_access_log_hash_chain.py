"""The access log's hash chain: each row carries its number in the chain and the SHA-256 over
its content and the previous row's hash, computed by the database on insert.

Why a trigger: every way a row gets in (the app's two connections, the admin, plain SQL) is
chained the same way, and the application cannot leave it out. Why the advisory lock: two
inserts at once must not both chain onto the same last row; the lock is taken first and held
to the end of the inserting transaction, so the next insert waits for it to commit and then
reads it as the last row (read committed: each statement of the trigger sees what committed
before it). The access log is written in autocommit (households/audit.py), so the lock is held
for one insert only. Rows written before this migration are chained in id order here.
"""

from django.db import migrations, models

HASH_FUNCTION = """
CREATE FUNCTION households_accesslog_hash(previous text, entry households_accesslog)
RETURNS text AS $$
    SELECT encode(sha256(convert_to(jsonb_build_array(
        previous,
        entry.seq,
        to_char(entry.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'),
        entry.user_id,
        entry.username,
        entry.action,
        entry.household_id,
        entry.resident_id,
        entry.what,
        entry.path,
        host(entry.ip)
    )::text, 'UTF8')), 'hex')
$$ LANGUAGE sql STABLE;
"""

BACKFILL = """
ALTER TABLE households_accesslog DISABLE TRIGGER households_accesslog_append_only;
DO $$
DECLARE
    entry households_accesslog;
    previous text := '';
    number bigint := 0;
BEGIN
    FOR entry IN SELECT * FROM households_accesslog ORDER BY id LOOP
        number := number + 1;
        entry.seq := number;
        previous := households_accesslog_hash(previous, entry);
        UPDATE households_accesslog SET seq = number, hash = previous WHERE id = entry.id;
    END LOOP;
END
$$;
ALTER TABLE households_accesslog ENABLE TRIGGER households_accesslog_append_only;
"""

CHAIN_TRIGGER = """
CREATE FUNCTION households_accesslog_chain() RETURNS trigger AS $$
DECLARE
    last households_accesslog;
BEGIN
    -- One chain, one writer at a time (the number is the lock's own: 'acclog' in ASCII).
    PERFORM pg_advisory_xact_lock(107079497707367);
    SELECT * INTO last FROM households_accesslog ORDER BY seq DESC LIMIT 1;
    NEW.seq := coalesce(last.seq, 0) + 1;
    NEW.hash := households_accesslog_hash(coalesce(last.hash, ''), NEW);
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER households_accesslog_chain
    BEFORE INSERT ON households_accesslog
    FOR EACH ROW EXECUTE FUNCTION households_accesslog_chain();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("households", "0009_access_log_staff_action"),
    ]

    operations = [
        migrations.AddField(
            model_name="accesslog",
            name="seq",
            field=models.BigIntegerField(
                editable=False, null=True, verbose_name="number in the chain"
            ),
        ),
        migrations.AddField(
            model_name="accesslog",
            name="hash",
            field=models.CharField(
                default="", editable=False, max_length=64, verbose_name="chain hash"
            ),
            preserve_default=False,
        ),
        migrations.RunSQL(
            sql=HASH_FUNCTION + BACKFILL + CHAIN_TRIGGER,
            reverse_sql="""
            DROP TRIGGER households_accesslog_chain ON households_accesslog;
            DROP FUNCTION households_accesslog_chain();
            DROP FUNCTION households_accesslog_hash(text, households_accesslog);
            """,
        ),
        migrations.AlterField(
            model_name="accesslog",
            name="seq",
            field=models.BigIntegerField(
                editable=False, unique=True, verbose_name="number in the chain"
            ),
        ),
    ]
