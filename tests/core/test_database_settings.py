"""The application's database connections, whatever the server's own settings."""

import pytest
from django.db import connections


@pytest.mark.django_db(databases=["default", "audit"])
@pytest.mark.parametrize("alias", ["default", "audit"])
def test_the_application_queries_are_never_jit_compiled(alias):
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT current_setting('jit')")
        assert cursor.fetchone() == ("off",)
