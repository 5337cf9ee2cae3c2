from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("households", "0004_estate_area_required"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="accesslog", name="access_log_action_valid"),
        migrations.AlterField(
            model_name="accesslog",
            name="action",
            field=models.CharField(
                choices=[
                    ("view", "Viewed"),
                    ("export", "Exported"),
                    ("print", "Printed"),
                    ("download", "Downloaded a file"),
                    ("erase", "Erased on request"),
                ],
                max_length=20,
                verbose_name="action",
            ),
        ),
        migrations.AddConstraint(
            model_name="accesslog",
            constraint=models.CheckConstraint(
                condition=models.Q(("action__in", ["view", "export", "print", "download", "erase"])),
                name="access_log_action_valid",
            ),
        ),
    ]
