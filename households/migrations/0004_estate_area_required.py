from django.db import migrations, models


def name_blank_areas(apps, schema_editor):
    """An estate without an area is its own area until someone sets a better one."""
    Estate = apps.get_model("households", "Estate")
    using = schema_editor.connection.alias  # migrate's own connection (the owner's), not default
    for estate in Estate.objects.using(using).filter(area__regex=r"^\s*$"):
        estate.area = estate.name[:100]
        estate.save(update_fields=["area"], using=using)


class Migration(migrations.Migration):
    dependencies = [("households", "0003_access_log_waterbed_threshold")]

    operations = [
        migrations.RunPython(name_blank_areas, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="estate",
            constraint=models.CheckConstraint(
                condition=models.Q(("area", ""), _negated=True), name="estate_area_required"
            ),
        ),
    ]
