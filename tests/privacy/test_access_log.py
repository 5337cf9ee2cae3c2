"""The access log: every staff page of person-level data writes a row; managers read the rows of
their organisation; nobody edits or deletes one."""

from datetime import timedelta

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from households.models import AccessAction, AccessLog
from households.services import estate_assign_staff
from tests import factories


@pytest.mark.parametrize(
    ("url_name", "what", "arg"),
    [
        ("households:detail", "household page", "household"),
        ("cases:detail", "case page", "case"),
        ("outreach:contacts", "contact log", "household"),
        ("logistics:case", "offers and moves", "case"),
        ("logistics:case_flats", "suitable flats", "case"),
    ],
)
def test_it_logs_who_saw_which_household_on_the_staff_pages(client, cast, url_name, what, arg):
    case = cast.case_a1
    # The suitable flats are the rehousing officer's page; the others the caseworker's.
    viewer = cast.rehousing_officer_a1 if url_name == "logistics:case_flats" else cast.caseworker_a1
    client.force_login(viewer)
    pk = case.pk if arg == "case" else case.household_id
    url = reverse(url_name, args=[pk])

    assert client.get(url).status_code == 200

    entry = AccessLog.objects.get()
    assert (entry.user, entry.username, entry.household_id, entry.what, entry.action) == (
        viewer,
        viewer.username,
        case.household_id,
        what,
        AccessAction.VIEW,
    )
    assert entry.path == url


@pytest.mark.parametrize("url_name", ["households:detail", "cases:detail", "outreach:contacts"])
def test_it_logs_no_view_when_the_page_is_refused(client, cast, url_name):
    case = cast.case_b1
    client.force_login(cast.caseworker_a1)
    pk = case.pk if url_name == "cases:detail" else case.household_id
    assert client.get(reverse(url_name, args=[pk])).status_code == 404
    assert not AccessLog.objects.exclude(action="denied").exists()  # only the refusal


# --- the access log page, for managers ---


def log_row(user, household=None, *, what="household page", at=None, action=AccessAction.VIEW):
    return AccessLog.objects.create(
        user=user,
        username=user.username,
        household=household,
        what=what,
        action=action,
        at=at or timezone.now(),
    )


def test_the_manager_reads_her_organisations_log_newest_first(client, cast):
    a1, b1 = cast.case_a1.household, cast.case_b1.household
    old = log_row(cast.caseworker_a1, a1, at=timezone.now() - timedelta(days=3))
    new = log_row(cast.rehousing_officer_a1, a1, what="case page")
    log_row(cast.caseworker_b1, b1, what="contact log")
    client.force_login(cast.manager_a)
    response = client.get(reverse("privacy:access_log"))
    assert response.status_code == 200
    assert [entry.pk for entry in response.context["page"].object_list] == [new.pk, old.pk]
    body = response.content.decode()
    assert "Markørvej 3, 1. tv" in body and "Husstandens side" in body and "Sagens side" in body
    assert "Fjernvej" not in body and "caseworker_b1" not in body


def test_manager_b_sees_none_of_organisation_as_rows(client, cast):
    log_row(cast.caseworker_a1, cast.case_a1.household)
    log_row(cast.caseworker_a1, None, what="affected flats (CSV)", action=AccessAction.EXPORT)
    mine = log_row(cast.caseworker_b1, cast.case_b1.household)
    client.force_login(cast.manager_b)
    response = client.get(reverse("privacy:access_log"))
    assert [entry.pk for entry in response.context["page"].object_list] == [mine.pk]
    body = response.content.decode()
    assert "Markørvej" not in body and "caseworker_a1" not in body
    # the user filter offers her own staff only
    assert cast.caseworker_a1.pk not in dict(response.context["form"].fields["user"].choices)


def test_a_row_about_another_organisations_household_stays_hidden_even_by_my_staff(client, cast):
    """Someone working for both organisations: each manager sees the rows of her households."""
    log_row(cast.caseworker_a1, cast.case_b1.household)
    client.force_login(cast.manager_a)
    response = client.get(reverse("privacy:access_log"))
    assert list(response.context["page"].object_list) == []


@pytest.mark.parametrize("keys_max", [1000, 1])
def test_a_search_finds_her_organisations_households_only(client, cast, monkeypatch, keys_max):
    """Few matches go to PostgreSQL as a list of keys, many as a subquery: both keep to her
    organisations, even for a row written by her own staff about another's household."""
    monkeypatch.setattr("privacy.selectors.SEARCH_KEYS_MAX", keys_max)
    a1 = log_row(cast.caseworker_a1, cast.case_a1.household)
    a2 = log_row(cast.caseworker_a2, cast.case_a2.household)
    log_row(cast.caseworker_a1, cast.case_b1.household)
    log_row(cast.caseworker_b1, cast.case_b1.household)
    log_row(cast.caseworker_a1, None, what="affected flats (CSV)", action=AccessAction.EXPORT)
    client.force_login(cast.manager_a)
    url = reverse("privacy:access_log")
    for q in ("Markør", "3", "Carl Markørby", "Fjernvej 3"):
        response = client.get(url, {"q": q})
        expected = {"Markør": [a2.pk, a1.pk], "3": [a2.pk, a1.pk]}.get(q, [])
        assert [entry.pk for entry in response.context["page"].object_list] == expected, q
        assert "caseworker_b1" not in response.content.decode()


def test_the_visitators_exports_show_in_the_log_of_her_partners_organisation(
    client, cast, visitator_partner
):
    export = log_row(cast.visitator, None, what="affected flats (PDF)", action=AccessAction.EXPORT)
    client.force_login(cast.manager_a)
    page = client.get(reverse("privacy:access_log")).context["page"]
    assert [entry.pk for entry in page.object_list] == [export.pk]
    client.force_login(cast.manager_b)
    assert list(client.get(reverse("privacy:access_log")).context["page"].object_list) == []


def test_it_filters_by_user_address_and_dates(client, cast):
    a1, a2 = cast.case_a1.household, cast.case_a2.household
    today = timezone.localdate()
    by_a1 = log_row(cast.caseworker_a1, a1, at=timezone.now() - timedelta(days=10))
    by_a2 = log_row(cast.caseworker_a2, a2)
    client.force_login(cast.manager_a)
    url = reverse("privacy:access_log")

    def shown(**params):
        return [entry.pk for entry in client.get(url, params).context["page"].object_list]

    assert shown(user=cast.caseworker_a1.pk) == [by_a1.pk]
    assert shown(q="Skjultvej") == [by_a2.pk]
    assert shown(q="Markørvej 3, 1. tv") == [by_a1.pk]
    assert shown(q="Agnete") == [by_a1.pk]
    assert shown(date_from=(today - timedelta(days=1)).isoformat()) == [by_a2.pk]
    assert shown(date_to=(today - timedelta(days=5)).isoformat()) == [by_a1.pk]
    response = client.get(url, {"date_from": today.isoformat(), "date_to": "2020-01-01"})
    assert "Slutdatoen ligger før startdatoen" in response.content.decode()
    # htmx gets the results only
    fragment = client.get(url, {"user": cast.caseworker_a2.pk}, headers={"HX-Request": "true"})
    assert "<html" not in fragment.content.decode()
    assert "Skjultvej" in fragment.content.decode()


@pytest.mark.parametrize("count", [5, 120])
def test_the_log_page_query_count_is_flat(client, cast, django_assert_max_num_queries, count):
    households = factories.make_households(cast.case_a1.project.estate, count)
    AccessLog.objects.bulk_create(
        AccessLog(
            user=cast.caseworker_a1,
            username="caseworker_a1",
            household=household,
            resident=household.residents.first(),
            what="household page",
            action=AccessAction.VIEW,
        )
        for household in households
    )
    client.force_login(cast.manager_a)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("privacy:access_log"))
    assert len(response.context["page"].object_list) == min(count, 50)


@pytest.mark.parametrize(
    "role", ["caseworker_a1", "rehousing_officer_a1", "visitator", "caretaker_a1"]
)
def test_only_managers_read_the_log(client, cast, role):
    log_row(cast.caseworker_a1, cast.case_a1.household)
    client.force_login(getattr(cast, role))
    response = client.get(reverse("privacy:access_log"))
    assert response.status_code == 403
    assert "Markørvej" not in response.content.decode()


def test_the_log_page_refuses_post(client, cast):
    client.force_login(cast.manager_a)
    assert client.post(reverse("privacy:access_log")).status_code == 405


def test_nobody_edits_or_deletes_a_log_row(cast):
    """The trigger refuses UPDATE and DELETE, also through raw SQL and the ORM."""
    entry = log_row(cast.caseworker_a1, cast.case_a1.household)
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessLog.objects.filter(pk=entry.pk).update(what="edited")
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessLog.objects.filter(pk=entry.pk).delete()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM households_accesslog")
    entry.refresh_from_db()
    assert entry.what == "household page"


# --- the two questions of a data protection officer ---


def test_which_households_did_one_user_see_between_two_dates(client, cast):
    a1, a2 = cast.case_a1.household, cast.case_a2.household
    now = timezone.now()
    for days_ago in (40, 3, 2):
        log_row(cast.caseworker_a2, a1, at=now - timedelta(days=days_ago))
    log_row(cast.caseworker_a2, a2, at=now - timedelta(days=1))
    log_row(cast.caseworker_a1, a1, at=now - timedelta(days=2))  # someone else
    client.force_login(cast.manager_a)
    today = timezone.localdate()
    response = client.get(
        reverse("privacy:access_log"),
        {
            "user": cast.caseworker_a2.pk,
            "date_from": (today - timedelta(days=10)).isoformat(),
            "date_to": today.isoformat(),
            "group": "husstande",
        },
    )
    lines = response.context["lines"]
    assert [(line.household_id, line.entries) for line in lines] == [(a2.pk, 1), (a1.pk, 2)]
    body = response.content.decode()
    assert "Markørvej 3, 1. tv" in body and "Skjultvej 3, 1. tv" in body
    assert "Agnete Markørsen" in body  # the household's name, so she knows whom


def test_who_saw_one_household_from_its_page(client, cast):
    a1, a2 = cast.case_a1.household, cast.case_a2.household
    log_row(cast.caseworker_a1, a1)
    log_row(cast.caseworker_a1, a1, what="case page")
    log_row(cast.rehousing_officer_a1, a1)
    log_row(cast.caseworker_a2, a2)
    client.force_login(cast.manager_a)
    url = reverse("privacy:access_log")
    response = client.get(url, {"household": a1.pk, "group": "medarbejdere"})
    lines = response.context["lines"]
    assert sorted((line.user_id, line.entries) for line in lines) == sorted(
        [(cast.caseworker_a1.pk, 2), (cast.rehousing_officer_a1.pk, 1)]
    )
    # and by a resident's name
    response = client.get(url, {"q": "Agnete", "group": "medarbejdere"})
    assert {line.user_id for line in response.context["lines"]} == {
        cast.caseworker_a1.pk,
        cast.rehousing_officer_a1.pk,
    }


def test_another_organisations_household_gives_nothing_by_id(client, cast):
    log_row(cast.caseworker_b1, cast.case_b1.household)
    client.force_login(cast.manager_a)
    response = client.get(
        reverse("privacy:access_log"),
        {"household": cast.case_b1.household_id, "group": "medarbejdere"},
    )
    assert response.context["lines"] == []
    assert "Fjernvej" not in response.content.decode()
    assert "caseworker_b1" not in response.content.decode()


def test_it_filters_logins_and_refusals(client, cast):
    log_row(cast.caseworker_a1, cast.case_a1.household)
    denied = log_row(cast.caseworker_a1, None, what="refused page", action=AccessAction.DENIED)
    log_row(cast.caseworker_a1, None, what="login", action=AccessAction.LOGIN)
    client.force_login(cast.manager_a)
    response = client.get(reverse("privacy:access_log"), {"action": "denied"})
    assert [entry.pk for entry in response.context["page"].object_list] == [denied.pk]
    assert "Adgang afvist" in response.content.decode()


def test_the_manager_sees_failed_logins_on_her_staffs_accounts_only(client, cast):
    mine = AccessLog.objects.create(
        user=cast.caseworker_a1,
        username="caseworker_a1",
        what="failed login",
        action=AccessAction.LOGIN_FAILED,
    )
    AccessLog.objects.create(username="guessed-name", what="failed login", action="login_failed")
    AccessLog.objects.create(
        user=cast.caseworker_b1,
        username="caseworker_b1",
        what="failed login",
        action=AccessAction.LOGIN_FAILED,
    )
    client.force_login(cast.manager_a)
    response = client.get(reverse("privacy:access_log"))
    assert [entry.pk for entry in response.context["page"].object_list] == [mine.pk]


@pytest.mark.parametrize("group", ["husstande", "medarbejdere"])
@pytest.mark.parametrize("count", [5, 120])
def test_the_summaries_query_count_is_flat(
    client, cast, django_assert_max_num_queries, count, group
):
    households = factories.make_households(cast.case_a1.project.estate, count)
    users = [factories.make_user(f"extra_{n}") for n in range(count // 5)]
    for user in users:
        estate_assign_staff(estate=cast.case_a1.project.estate, user=user)
    AccessLog.objects.bulk_create(
        AccessLog(
            user=users[n % len(users)],
            username=users[n % len(users)].username,
            household=household,
            what="household page",
            action=AccessAction.VIEW,
        )
        for n, household in enumerate(households)
    )
    client.force_login(cast.manager_a)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("privacy:access_log"), {"group": group})
    assert response.status_code == 200
    assert len(response.context["lines"]) == min(count if group == "husstande" else count // 5, 50)


def test_the_household_page_links_the_manager_to_who_saw_it(client, cast):
    household = cast.case_a1.household
    link = f"{reverse('privacy:access_log')}?household={household.pk}&amp;group=medarbejdere"
    client.force_login(cast.manager_a)
    assert link in client.get(reverse("households:detail", args=[household.pk])).content.decode()
    client.force_login(cast.caseworker_a1)
    assert (
        link not in client.get(reverse("households:detail", args=[household.pk])).content.decode()
    )
