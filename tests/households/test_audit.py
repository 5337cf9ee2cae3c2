"""The access log records logins, logouts, failed logins and refused pages as well as every
read of person-level data; it takes the address from the proxy it trusts; the database refuses
to change or empty it; and a row stays written when the view fails after writing it."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from households.models import AccessAction, AccessLog
from tests import factories
from tests.conftest import MARKERS


def actions():
    return list(AccessLog.objects.order_by("pk").values_list("action", "username", "user_id"))


# --- logins, logouts, failed logins ---


def test_it_logs_a_login_and_a_logout_with_the_address(client, cast):
    user = cast.caseworker_a1
    response = client.post(
        reverse("login"),
        {"username": user.username, "password": factories.PASSWORD},
        REMOTE_ADDR="192.0.2.10",
    )
    assert response.status_code == 302
    client.post(reverse("logout"), REMOTE_ADDR="192.0.2.10")
    assert actions() == [
        (AccessAction.LOGIN, user.username, user.pk),
        (AccessAction.LOGOUT, user.username, user.pk),
    ]
    assert set(AccessLog.objects.values_list("ip", flat=True)) == {"192.0.2.10"}


def test_a_failed_login_records_the_name_tried_and_never_the_password(client, cast):
    client.post(reverse("login"), {"username": "caseworker_a1", "password": "wrong-Secret-991"})
    client.post(reverse("login"), {"username": "nobody-by-that-name", "password": "x-Secret-992"})
    assert actions() == [
        (AccessAction.LOGIN_FAILED, "caseworker_a1", cast.caseworker_a1.pk),
        (AccessAction.LOGIN_FAILED, "nobody-by-that-name", None),
    ]
    stored = " ".join(str(value) for row in AccessLog.objects.values() for value in row.values())
    assert "Secret-99" not in stored


# --- refused pages ---


@pytest.mark.parametrize(
    ("url_name", "arg"),
    [("households:detail", "household"), ("cases:detail", "case"), ("outreach:contacts", "h")],
)
def test_it_logs_a_refused_page_and_not_as_a_view(client, cast, url_name, arg):
    case = cast.case_b1
    client.force_login(cast.caseworker_a1)
    url = reverse(url_name, args=[case.pk if arg == "case" else case.household_id])
    assert client.get(url).status_code == 404
    entry = AccessLog.objects.get()
    assert (entry.action, entry.user, entry.household_id, entry.path) == (
        AccessAction.DENIED,
        cast.caseworker_a1,
        None,
        url,
    )


def test_it_logs_a_403(client, cast):
    client.force_login(cast.caseworker_a1)
    assert client.get(reverse("privacy:access_log")).status_code == 403
    assert actions() == [(AccessAction.DENIED, "caseworker_a1", cast.caseworker_a1.pk)]


def test_an_address_that_is_no_page_is_no_refusal(client, cast):
    client.force_login(cast.caseworker_a1)
    assert client.get("/ingen-side-her/").status_code == 404
    assert not AccessLog.objects.exists()


def test_an_anonymous_visitor_is_sent_to_the_login_and_not_logged(client, cast):
    response = client.get(reverse("households:detail", args=[cast.case_a1.household_id]))
    assert response.status_code == 302
    assert not AccessLog.objects.exists()


# --- from where ---


def test_without_a_trusted_proxy_the_forwarded_header_is_ignored(client, cast, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    client.force_login(cast.caseworker_a1)
    client.get(
        reverse("households:detail", args=[cast.case_a1.household_id]),
        REMOTE_ADDR="10.0.0.5",
        HTTP_X_FORWARDED_FOR="203.0.113.7",
    )
    assert AccessLog.objects.get().ip == "10.0.0.5"


def test_behind_one_proxy_it_takes_the_address_the_proxy_saw_not_the_clients_word(
    client, cast, settings
):
    settings.TRUSTED_PROXY_COUNT = 1
    client.force_login(cast.caseworker_a1)
    url = reverse("households:detail", args=[cast.case_a1.household_id])
    # The browser claims 198.51.100.1; the proxy appends the address it really saw.
    client.get(url, REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.7")
    client.get(url, REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="not-an-address")
    client.get(url, REMOTE_ADDR="10.0.0.5")
    assert list(AccessLog.objects.order_by("pk").values_list("ip", flat=True)) == [
        "203.0.113.7",
        "10.0.0.5",
        "10.0.0.5",
    ]


# --- every page of one household's data writes the log ---


@pytest.mark.parametrize(
    ("url_name", "viewer", "arg", "what"),
    [
        ("households:edit", "caseworker_a1", "household", "household form"),
        ("households:assess", "caseworker_a1", "household", "vulnerability assessment"),
        ("households:resident_edit", "caseworker_a1", "resident", "resident form"),
        ("households:flat", "caseworker_a1", "flat", "flat page"),
        ("cases:edit", "caseworker_a1", "case", "case form"),
        ("logistics:need", "rehousing_officer_a1", "case", "housing needs"),
    ],
)
def test_the_pages_that_did_not_log_now_do(client, cast, url_name, viewer, arg, what):
    case = cast.case_a1
    household = case.household
    resident = household.residents.first()
    args = {
        "household": [household.pk],
        "resident": [household.pk, resident.pk],
        "flat": [household.flat_id],
        "case": [case.pk],
    }[arg]
    client.force_login(getattr(cast, viewer))
    assert client.get(reverse(url_name, args=args)).status_code == 200
    entry = AccessLog.objects.get()
    assert (entry.what, entry.household_id, entry.action) == (
        what,
        household.pk,
        AccessAction.VIEW,
    )
    if arg == "resident":
        assert entry.resident_id == resident.pk


def test_the_printed_door_knock_list_is_logged_per_household(client, cast):
    client.force_login(cast.caseworker_a1)
    stairwell = cast.case_a1.household.flat.stairwell
    response = client.get(reverse("outreach:round_print", args=[stairwell.pk]))
    assert MARKERS["case_a1"][0] in response.content.decode()
    entry = AccessLog.objects.get()
    assert (entry.what, entry.action, entry.household_id) == (
        "door-knock list",
        AccessAction.PRINT,
        cast.case_a1.household_id,
    )


def test_the_door_knock_round_on_screen_is_logged_per_household(client, cast):
    """The round shows what the printed list shows (names, vulnerability, the latest contact):
    each way of seeing it writes a row per household."""
    client.force_login(cast.caseworker_a1)
    household = cast.case_a1.household
    urls = [
        reverse("outreach:round_stairwell", args=[household.flat.stairwell_id]),
        reverse("outreach:round") + f"?bolig={household.flat_id}",
        reverse("outreach:round_talk", args=[household.pk]),
    ]
    for url in urls:
        response = client.get(url)
        assert MARKERS["case_a1"][0] in response.content.decode(), url
    card = client.get(reverse("outreach:round_card", args=[household.pk]), HTTP_HX_REQUEST="true")
    assert MARKERS["case_a1"][0] in card.content.decode()
    rows = list(AccessLog.objects.order_by("pk").values_list("what", "action", "household_id"))
    assert rows == [("door-knock round", AccessAction.VIEW, household.pk)] * 4


def test_the_words_of_a_search_never_reach_the_log(client, cast):
    """The log keeps every row for ever, out of reach of an erasure: of a page's query it keeps
    the numbers (ids, a page), never the words typed into a search (they may name a resident)."""
    client.force_login(cast.caseworker_a1)
    name = MARKERS["case_a1"][0]
    household = reverse("households:detail", args=[cast.case_a1.household_id])
    client.get(household, {"q": name, "page": "2", "bolig": ["7", "8"]})
    client.get(reverse("cases:caseload_csv"), {"q": name})
    paths = list(AccessLog.objects.order_by("pk").values_list("path", flat=True))
    assert paths[0] == f"{household}?q=…&page=2&bolig=7&bolig=8"
    assert paths[-1] == reverse("cases:caseload_csv") + "?q=…"
    assert not any(name in path for path in paths)


# --- append-only ---


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE households_accesslog SET what = 'edited'",
        "UPDATE households_accesslog SET user_id = NULL, username = 'someone else'",
        "DELETE FROM households_accesslog",
        "TRUNCATE households_accesslog",
        "TRUNCATE households_accesslog CASCADE",
    ],
)
def test_the_database_refuses_to_change_or_empty_the_log(cast, sql):
    entry = AccessLog.objects.create(
        user=cast.caseworker_a1, username="caseworker_a1", what="household page", action="view"
    )
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        # What every session but a test database's own flush has (tests/conftest.py).
        cursor.execute("SET LOCAL genhusning.flush_test_database = 'off'")
        cursor.execute(sql)
    entry.refresh_from_db()
    assert (entry.what, entry.username) == ("household page", "caseworker_a1")


def test_the_orm_cannot_change_or_delete_a_row_either(cast):
    entry = AccessLog.objects.create(
        user=cast.manager_a, username="manager_a", what="case page", action="view"
    )
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessLog.objects.filter(pk=entry.pk).update(what="edited")
    with pytest.raises(DatabaseError), transaction.atomic():
        entry.delete()
    assert AccessLog.objects.filter(pk=entry.pk, what="case page").exists()


# --- written even when the view fails ---


@pytest.mark.urls("tests.households.audit_urls")
def test_a_view_that_fails_after_logging_keeps_its_row(client, cast):
    client.raise_request_exception = False
    client.force_login(cast.caseworker_a1)
    household_id = cast.case_a1.household_id
    assert client.get(f"/fejler/{household_id}/").status_code == 500
    entry = AccessLog.objects.get()
    assert (entry.household_id, entry.action) == (household_id, AccessAction.PRINT)


@pytest.mark.urls("tests.households.audit_urls")
@pytest.mark.django_db(transaction=True, databases=["default", "audit"])
def test_a_row_written_inside_a_transaction_survives_its_rollback(client):
    user = factories.make_user("caseworker_x")
    household = factories.make_household(
        factories.make_flat(
            factories.make_stairwell(
                factories.make_estate(factories.make_organisation("Org X"), "Estate X")
            )
        ),
        "Rita Rulletilbage",
    )
    client.raise_request_exception = False
    client.force_login(user)
    assert client.get(f"/ruller-tilbage/{household.pk}/").status_code == 500
    entry = AccessLog.objects.get()
    assert (entry.user_id, entry.household_id, entry.what) == (user.pk, household.pk, "case page")
