"""Small database helpers that know no app."""

from django.db import connection
from django.db.models import BooleanField, Func, Model

# Rows written at once above which the planner's statistics are refreshed at once.
BULK_WRITE_ROWS = 1000


def analyze(*models: type[Model]) -> None:
    """ANALYZE the models' tables: after a bulk write (the flag scan, the tenant import) the
    planner would otherwise plan with the old row counts until autovacuum comes round, and join
    and sort thousands of rows it believes are a handful."""
    tables = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in models)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {tables}")


class AnyOf(Func):
    """`value = ANY(array)`: a list of ids as one array parameter, not a placeholder each for
    psycopg to split and bind (hundreds of ids cost more to send than to look up)."""

    template = "(%(expressions)s))"
    arg_joiner = " = ANY("
    output_field = BooleanField()
