"""Small database helpers that know no app."""

from django.contrib.postgres.aggregates import JSONBAgg
from django.db import connection
from django.db.models import (
    BooleanField,
    F,
    Func,
    IntegerField,
    JSONField,
    Model,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce, JSONArray

# Rows written at once above which the planner's statistics are refreshed at once.
BULK_WRITE_ROWS = 1000


def analyze(*models: type[Model]) -> None:
    """ANALYZE the models' tables: after a bulk write (the flag scan, the tenant import) the
    planner would otherwise plan with the old row counts until autovacuum comes round, and join
    and sort thousands of rows it believes are a handful. ANALYZE sees this transaction's own
    rows; a role that does not own a table gets a warning, not an error."""
    tables = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in models)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {tables}")


class AnyOf(Func):
    """`value = ANY(array)`: a list of ids as one array parameter, not a placeholder each for
    psycopg to split and bind (hundreds of ids cost more to send than to look up)."""

    template = "(%(expressions)s))"
    arg_joiner = " = ANY("
    output_field = BooleanField()


def count_of(queryset: QuerySet) -> Coalesce:
    """The number of rows of `queryset` (filtered by an OuterRef) as a column of the outer query:
    COUNT(*) of a correlated subquery (COUNT as a plain function adds no GROUP BY), 0 without
    rows."""
    counted = queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def json_rows(queryset: QuerySet, group: str, fields: tuple[str, ...], order_by: tuple) -> Subquery:
    """The rows of `queryset` (those of one `group`: filtered by an OuterRef) as one JSON list
    of lists of their `fields`, in `order_by`, or None without rows: a column of the outer query
    where a prefetch would send a query of its own and make a model instance a row."""
    rows = (
        queryset.order_by()
        .values(group)
        .annotate(rows=JSONBAgg(JSONArray(*fields), order_by=order_by))
        .values("rows")
    )
    return Subquery(rows, output_field=JSONField())
