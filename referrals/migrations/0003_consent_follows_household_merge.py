"""A consent still never changes, except the household and resident it belongs to.

Merging two records of the same household (households.services.households_merge) moves the
consent to the kept record; who consented, to what and when stays exactly as recorded.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("referrals", "0002_referral_withdrawn_draft_needs_no_consent")]

    operations = [
        migrations.RunSQL(
            sql="""
            CREATE OR REPLACE FUNCTION referrals_consent_immutable() RETURNS trigger AS $$
            BEGIN
                IF (to_jsonb(NEW) - 'household_id' - 'resident_id')
                   = (to_jsonb(OLD) - 'household_id' - 'resident_id') THEN
                    RETURN NEW;
                END IF;
                RAISE EXCEPTION 'consents are never edited: record a new one that replaces it';
            END;
            $$ LANGUAGE plpgsql;
            """,
            reverse_sql="""
            CREATE OR REPLACE FUNCTION referrals_consent_immutable() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION 'consents are never edited: record a new one that replaces it';
            END;
            $$ LANGUAGE plpgsql;
            """,
        )
    ]
