"""The access log records logins, logouts, failed logins and refused pages as well as every
read of person-level data; it takes the address from the proxy it trusts; the database refuses
to change or empty it; and a row stays written when the view fails after writing it."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.models import Max
from django.urls import reverse

from cases.services import case_assign_staff
from households.models import AccessAction, AccessLog
from tests import factories
from tests.conftest import MARKERS
from tests.urlwalk import Planted, plant


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


# The form pages of one household (or of one of its letters, flags, consents, expenses,
# moves, follow-up contacts): each shows the household's name and more of it. The URL name,
# the planted object its URL names (tests/urlwalk.py), who may open it, and the row's `what`.
FORM_PAGES = [
    ("outreach:contact_add", "household", "caseworker_a1", "contact form"),
    ("outreach:letter_create", "household", "caseworker_a1", "letter form"),
    ("outreach:letter_reply", "letter", "caseworker_a1", "letter reply form"),
    ("outreach:flag_resolve", "flag", "caseworker_a1", "flag resolution form"),
    ("outreach:sent_letter_new", "household", "caseworker_a1", "new letter form"),
    ("outreach:cafe_session", "cafe", "caseworker_a1", "café visit form"),
    ("referrals:consent_create", "household", "caseworker_a1", "consent form"),
    ("referrals:consent_replace", "consent", "caseworker_a1", "consent form"),
    ("referrals:consent_withdraw", "consent", "caseworker_a1", "consent withdrawal form"),
    ("referrals:referral_create", "household", "caseworker_a1", "referral form"),
    ("referrals:follow_up_contact", "visit", "bridge_builder_a", "follow-up contact form"),
    ("economy:expense", "expense", "caseworker_a1", "expense form"),
    ("economy:expense_correct", "expense", "caseworker_a1", "expense correction form"),
    ("logistics:move", "move", "rehousing_officer_a1", "move form"),
]
# The same forms opened inside another page by htmx: the contact form within the household's
# contact log (the log is what it shows), a flag's form within the flags page.
HTMX_PAGES = [
    ("outreach:contact_add", "household", "caseworker_a1", "contact log"),
    ("outreach:flag_resolve", "flag", "caseworker_a1", "flag resolution form"),
]
# Who is refused each of them, and how: the other organisation's caseworker everywhere (404),
# and a role of the estate that may not do it (403).
REFUSED = [(name, key, "caseworker_b1", 404) for name, key, _viewer, _what in FORM_PAGES] + [
    ("outreach:contact_add", "household", "caretaker_a1", 403),
    ("outreach:flag_resolve", "flag", "caretaker_a1", 403),
    ("logistics:move", "move", "caseworker_a1", 403),
]


@pytest.fixture
def planted(cast) -> Planted:
    """An object of every kind around household A1 (its letter, flag, consent, expense ...)."""
    planted = Planted()
    case = cast.case_a1
    organisation = case.project.estate.organisation
    partners = {
        "visitator": factories.make_partner(organisation, "Visitationen"),
        "other": factories.make_partner(organisation, "Hjemmeplejen"),
    }
    plant(planted, case, "Mka", staff=cast.caseworker_a1, partners=partners)
    consent = factories.make_consent(case.household, cast.caseworker_a1, partner=partners["other"])
    planted.add("consent", consent.pk)
    case_assign_staff(case=case, user=cast.bridge_builder_a, by=cast.manager_a)
    return planted


def form_page(name: str, key: str, planted: Planted) -> str:
    url = reverse(name, args=[planted.ids[key][0]])
    if name == "outreach:cafe_session":  # the café's page with one visitor chosen
        url += f"?household={planted.ids['household'][0]}"
    return url


def test_every_form_page_of_one_household_logs_who_opened_it(client, cast, planted):
    household = cast.case_a1.household
    problems = []
    pages = [(*page, {}) for page in FORM_PAGES]
    pages += [(*page, {"HTTP_HX_REQUEST": "true"}) for page in HTMX_PAGES]
    for name, key, viewer, what, headers in pages:
        user = getattr(cast, viewer)
        client.force_login(user)
        before = AccessLog.objects.aggregate(last=Max("pk"))["last"] or 0
        response = client.get(form_page(name, key, planted), **headers)
        body = response.content.decode()
        if response.status_code != 200 or not (headers or household.display_name() in body):
            problems.append(f"{name}: {response.status_code}, shows the household: no")
            continue
        rows = list(
            AccessLog.objects.filter(pk__gt=before).values_list(
                "user_id", "username", "action", "what", "household_id", "resident_id"
            )
        )
        expected = [(user.pk, user.username, AccessAction.VIEW, what, household.pk, None)]
        if rows != expected:
            problems.append(f"{name}: {rows}, not {expected}")
    assert problems == [], "\n".join(problems)


def test_a_refused_form_page_writes_no_read_of_the_household(client, cast, planted):
    problems = []
    for name, key, viewer, status in REFUSED:
        client.force_login(getattr(cast, viewer))
        before = AccessLog.objects.aggregate(last=Max("pk"))["last"] or 0
        response = client.get(form_page(name, key, planted))
        if response.status_code != status:
            problems.append(f"{name} for {viewer}: {response.status_code}, not {status}")
        rows = list(AccessLog.objects.filter(pk__gt=before).values_list("action", "household_id"))
        if rows != [(AccessAction.DENIED, None)]:
            problems.append(f"{name} for {viewer}: {rows}")
    assert problems == [], "\n".join(problems)


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
