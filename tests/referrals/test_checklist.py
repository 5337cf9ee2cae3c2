"""The practical-help checklist on the case page: one tap (htmx, no reload), who helped, a
change made meanwhile is not overwritten, default items for older cases, and access."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from referrals.models import ChecklistItem, ChecklistKind, ChecklistList, ChecklistStatus
from referrals.services import checklist_ensure, checklist_set
from tests.test_access import assert_no_markers

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def item(cast):
    return cast.case_a1.checklist.get(kind=ChecklistKind.ENERGY)


def test_a_new_case_has_the_defaults_of_its_project_kind(cast):
    assert set(cast.case_a1.checklist.values_list("kind", flat=True)) == {
        "address_change", "energy", "internet_tv", "containers", "social_cleaning", "movers",
        "keys",
    }  # fmt: skip
    assert "daycare_school" in set(cast.case_a2.checklist.values_list("kind", flat=True))
    checklist_ensure(case=cast.case_a1)  # idempotent
    assert cast.case_a1.checklist.count() == 7


@pytest.mark.parametrize("role", ["caseworker_a1", "rehousing_officer_a1", "manager_a"])
def test_the_case_page_shows_the_checklist_with_buttons(client, cast, item, role):
    client.force_login(getattr(cast, role))
    page = client.get(reverse("cases:detail", args=[cast.case_a1.pk])).content.decode()
    assert 'id="checklist"' in page
    assert "Energiselskab" in page or "Energy company" in page
    assert reverse("referrals:checklist_item", args=[item.pk]) in page
    assert "0 af 7 klaret" in page


def test_one_tap_sets_the_item_and_answers_with_the_item_and_the_count(client, cast, item):
    client.force_login(cast.rehousing_officer_a1)
    response = client.post(
        reverse("referrals:checklist_item", args=[item.pk]),
        {"status": "done", "expected_status": "open", "helped_by": " Datteren "},
        **HTMX,
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith(f'<li id="checklist-item-{item.pk}"')
    assert 'aria-pressed="true">Klaret' in body
    assert 'id="checklist-progress"' in body and 'hx-swap-oob="true"' in body
    assert "1 af 7 klaret" in body
    item.refresh_from_db()
    assert (item.status, item.helped_by, item.updated_by) == (
        ChecklistStatus.DONE,
        "Datteren",
        cast.rehousing_officer_a1,
    )


def test_not_needed_and_back_to_do(client, cast, item):
    client.force_login(cast.caseworker_a1)
    url = reverse("referrals:checklist_item", args=[item.pk])
    client.post(url, {"status": "not_needed", "expected_status": "open"}, **HTMX)
    assert ChecklistItem.objects.get(pk=item.pk).status == ChecklistStatus.NOT_NEEDED
    response = client.post(url, {"status": "open", "expected_status": "not_needed"})
    assert response.status_code == 302  # without htmx: back to the case page
    assert response.url == reverse("cases:detail", args=[cast.case_a1.pk]) + "#checklist"
    assert ChecklistItem.objects.get(pk=item.pk).status == ChecklistStatus.OPEN


def test_a_change_made_meanwhile_is_not_overwritten(client, cast, item):
    checklist_set(
        item=item, status=ChecklistStatus.DONE, helped_by="Flyttefirma", by=cast.caseworker_a1
    )
    client.force_login(cast.rehousing_officer_a1)
    response = client.post(
        reverse("referrals:checklist_item", args=[item.pk]),
        {"status": "not_needed", "expected_status": "open", "helped_by": ""},
        **HTMX,
    )
    body = response.content.decode()
    assert "En anden har imens sat dette til “Klaret”" in body
    item.refresh_from_db()
    assert (item.status, item.helped_by) == (ChecklistStatus.DONE, "Flyttefirma")


def test_nonsense_changes_nothing(client, cast, item):
    client.force_login(cast.caseworker_a1)
    response = client.post(
        reverse("referrals:checklist_item", args=[item.pk]),
        {"status": "maybe", "expected_status": "open"},
        **HTMX,
    )
    assert "Vælg klaret" in response.content.decode()
    assert ChecklistItem.objects.get(pk=item.pk).status == ChecklistStatus.OPEN


def test_an_older_case_gets_the_default_items(client, cast):
    cast.case_a2.checklist.all().delete()
    client.force_login(cast.caseworker_a2)
    page = client.get(reverse("cases:detail", args=[cast.case_a2.pk])).content.decode()
    assert "Sagen har endnu ingen tjekliste" in page
    url = reverse("referrals:checklist_defaults", args=[cast.case_a2.pk])
    assert url in page
    response = client.post(url, **HTMX)
    assert response.status_code == 200
    assert 'id="checklist"' in response.content.decode()
    assert cast.case_a2.checklist.count() == 9
    client.post(url)  # again: nothing doubled
    assert cast.case_a2.checklist.count() == 9


@pytest.mark.parametrize("role", ["caseworker_a2", "visitator", "caretaker_a1", "manager_b"])
def test_others_cannot_see_or_tap_the_checklist(client, cast, item, role):
    checklist_set(item=item, status="done", helped_by="Agnete Markørsen", by=cast.caseworker_a1)
    client.force_login(getattr(cast, role))
    response = client.post(
        reverse("referrals:checklist_item", args=[item.pk]),
        {"status": "open", "expected_status": "done"},
        **HTMX,
    )
    assert response.status_code == 404
    assert_no_markers(response.content.decode(), ["case_a1"])
    response = client.post(reverse("referrals:checklist_defaults", args=[cast.case_a1.pk]))
    assert response.status_code in (403, 404)
    assert ChecklistItem.objects.get(pk=item.pk).status == ChecklistStatus.DONE


def test_anonymous_and_wrong_method(client, cast, item):
    url = reverse("referrals:checklist_item", args=[item.pk])
    assert client.post(url, {"status": "done"}).url.startswith(reverse("login"))
    client.force_login(cast.caseworker_a1)
    assert client.get(url).status_code == 405
    assert (
        client.get(reverse("referrals:checklist_defaults", args=[cast.case_a1.pk])).status_code
        == 405
    )


def test_the_case_page_query_count_does_not_grow_with_the_items(client, cast):
    client.force_login(cast.caseworker_a1)
    url = reverse("cases:detail", args=[cast.case_a1.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    checklist_ensure(case=cast.case_a1, section=ChecklistList.NEW_AREA)
    for item in cast.case_a1.checklist.all()[:5]:
        checklist_set(item=item, status="done", by=cast.caseworker_a2)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(response.context["items"]) == 13
    assert len(many) == len(few)
