from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("households", "0005_access_log_erase_action"),
    ]

    operations = [
        migrations.AddField(
            model_name="household",
            name="anonymised_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="anonymised"
            ),
        ),
    ]
