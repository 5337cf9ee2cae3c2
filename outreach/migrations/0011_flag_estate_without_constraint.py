"""A flag's estate without a foreign-key constraint of its own (outreach/models.py, Flag.estate)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("households", "0013_flat_rent_and_aconto"),
        ("outreach", "0010_flag_estate"),
    ]

    operations = [
        migrations.AlterField(
            model_name="flag",
            name="estate",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="households.estate",
            ),
        ),
    ]
