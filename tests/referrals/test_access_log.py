"""The access log: every staff page of person-level data writes a row; managers read the rows of
their organisation; nobody edits or deletes one."""

import pytest
from django.urls import reverse

from households.models import AccessAction, AccessLog


@pytest.mark.parametrize(
    ("url_name", "what", "arg"),
    [
        ("households:detail", "household page", "household"),
        ("cases:detail", "case page", "case"),
        ("outreach:contacts", "contact log", "household"),
    ],
)
def test_it_logs_who_saw_which_household_on_the_staff_pages(client, cast, url_name, what, arg):
    case = cast.case_a1
    client.force_login(cast.caseworker_a1)
    pk = case.pk if arg == "case" else case.household_id
    url = reverse(url_name, args=[pk])

    assert client.get(url).status_code == 200

    entry = AccessLog.objects.get()
    assert (entry.user, entry.username, entry.household_id, entry.what, entry.action) == (
        cast.caseworker_a1,
        "caseworker_a1",
        case.household_id,
        what,
        AccessAction.VIEW,
    )
    assert entry.path == url


@pytest.mark.parametrize("url_name", ["households:detail", "cases:detail", "outreach:contacts"])
def test_it_logs_nothing_when_the_page_is_refused(client, cast, url_name):
    case = cast.case_b1
    client.force_login(cast.caseworker_a1)
    pk = case.pk if url_name == "cases:detail" else case.household_id
    assert client.get(reverse(url_name, args=[pk])).status_code == 404
    assert not AccessLog.objects.exists()
