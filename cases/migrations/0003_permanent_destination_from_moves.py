from django.db import migrations
from django.db.models import OuterRef, Subquery


def destination_from_done_moves(apps, schema_editor):
    """A case that moved into its new home but lost the flat from the case (an older version
    let the accepted offer be withdrawn afterwards) gets it back from the done move."""
    Case = apps.get_model("cases", "Case")
    Move = apps.get_model("cases", "Move")
    using = schema_editor.connection.alias  # migrate's own connection (the owner's), not default
    moved_to = Move.objects.using(using).filter(
        case=OuterRef("pk"), kind="to_permanent", status="done"
    ).order_by("-moves_on", "-pk")
    Case.objects.using(using).filter(permanent_flat__isnull=True, moves__kind="to_permanent").filter(
        moves__status="done"
    ).update(permanent_flat=Subquery(moved_to.values("to_flat")[:1]))


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_rehousing_logistics")]

    operations = [migrations.RunPython(destination_from_done_moves, migrations.RunPython.noop)]
