"""The deadlines of the law (cases/deadlines.py), counted on hand-made dates with known answers,
the organisation's own periods and their page, and the termination text's check.

The calendar of 2026-27 the answers rest on: 1 Jan 2027 is a Friday and a holiday; 2 April 2026
Maundy Thursday, 3 April Good Friday, 6 April Easter Monday; 1 August 2026 a Saturday; 5 September
2026 a Saturday.
"""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import translation

from cases.deadlines import (
    RULES,
    LetterKind,
    RuleKey,
    add_months,
    is_working_day,
    moving_day_on_or_after,
    objection_due_on,
    renovation_notice_ends_on,
    reply_due_on,
    termination_ends_on,
    termination_text_problems,
)
from cases.models import DeadlineSettings
from tests import factories


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


# --- The days --------------------------------------------------------------------------------


def test_the_danish_public_holidays_and_weekends_are_not_working_days():
    assert not is_working_day(date(2026, 4, 2))  # Maundy Thursday
    assert not is_working_day(date(2026, 5, 14))  # Ascension Day
    assert not is_working_day(date(2026, 8, 1))  # a Saturday
    assert is_working_day(date(2026, 6, 5))  # Constitution Day is not a public holiday
    assert is_working_day(date(2026, 4, 8))


def test_a_month_is_the_same_day_or_the_last_of_a_shorter_month():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert add_months(date(2026, 10, 1), 3) == date(2027, 1, 1)


def test_the_moving_day_is_the_first_working_day_of_a_month_not_before_a_holiday():
    # 1 April is a Wednesday before Maundy Thursday; then Easter until Monday 6 April.
    assert moving_day_on_or_after(date(2026, 4, 1)) == date(2026, 4, 7)
    # 1 May 2026 is a Friday (not a holiday) and the next day a Saturday.
    assert moving_day_on_or_after(date(2026, 5, 1)) == date(2026, 5, 1)
    # After the month's moving day: the next month's.
    assert moving_day_on_or_after(date(2026, 5, 2)) == date(2026, 6, 1)


def test_a_termination_whose_notice_ends_on_a_public_holiday_ends_on_the_next_moving_day(db):
    # Received 1 October 2026: three months run to 1 January 2027, New Year's Day (a Friday).
    assert termination_ends_on(received_on=date(2026, 10, 1)) == date(2027, 1, 4)


def test_a_termination_whose_notice_ends_on_a_weekend_ends_on_the_next_moving_day(db):
    # Received 1 May 2026: three months run to Saturday 1 August 2026.
    assert termination_ends_on(received_on=date(2026, 5, 1)) == date(2026, 8, 3)
    # Received in the middle of a month: the moving day of the month after.
    assert termination_ends_on(received_on=date(2026, 5, 15)) == date(2026, 9, 1)


def test_a_notice_of_works_ending_on_a_holiday_or_a_weekend_moves_to_the_next_working_day(db):
    # 6 January + 3 months = Easter Monday 6 April 2026.
    assert renovation_notice_ends_on(received_on=date(2026, 1, 6)) == date(2026, 4, 7)
    # 5 June + 3 months = Saturday 5 September 2026.
    assert renovation_notice_ends_on(received_on=date(2026, 6, 5)) == date(2026, 9, 7)
    assert renovation_notice_ends_on(received_on=date(2026, 3, 10)) == date(2026, 6, 10)


def test_the_objection_period_is_six_weeks_to_a_working_day(db):
    assert objection_due_on(received_on=date(2026, 3, 2)) == date(2026, 4, 13)
    # 23 February + 6 weeks = Easter Monday.
    assert objection_due_on(received_on=date(2026, 2, 23)) == date(2026, 4, 7)


def test_an_offer_is_answered_within_the_project_reply_time_and_a_termination_awaits_none(db):
    project = factories.make_project(factories.make_estate(factories.make_organisation()))
    project.reply_days = 14
    assert reply_due_on(LetterKind.OFFER, date(2026, 3, 2), project) == date(2026, 3, 16)
    # Friday 20 March + 14 days = Good Friday: the Tuesday after Easter.
    assert reply_due_on(LetterKind.AGREEMENT, date(2026, 3, 20), project) == date(2026, 4, 7)
    assert reply_due_on(LetterKind.TERMINATION, date(2026, 3, 2), project) is None
    assert reply_due_on(LetterKind.NOTICE, date(2026, 3, 2), project) is None


def test_the_organisation_own_periods_are_used(db):
    organisation = factories.make_organisation()
    DeadlineSettings.objects.create(
        organisation=organisation, termination_notice_months=6, objection_weeks=8
    )
    assert objection_due_on(received_on=date(2026, 3, 2), organisation_id=organisation.pk) == date(
        2026, 4, 27
    )
    assert termination_ends_on(
        received_on=date(2026, 5, 1), organisation_id=organisation.pk
    ) == date(2026, 11, 2)  # 1 November 2026 is a Sunday
    # Another organisation keeps the law's.
    other = factories.make_organisation()
    assert objection_due_on(received_on=date(2026, 3, 2), organisation_id=other.pk) == date(
        2026, 4, 13
    )


def test_every_rule_names_its_paragraph_a_link_and_the_day_it_was_checked():
    assert {rule.key for rule in RULES} == set(RuleKey.values)
    for rule in RULES:
        assert rule.source.startswith("Almenlejeloven §")
        assert rule.url.startswith("https://www.retsinformation.dk/")
        assert rule.checked_on <= date.today()
        assert str(rule.end_day)


# --- The text of a termination ---------------------------------------------------------------


def test_a_termination_without_its_reason_or_the_right_to_object_is_refused():
    problems = termination_text_problems("Kære {{ household.name }}. Vi opsiger lejemålet.")
    assert len(problems) == 2
    assert "reason" in problems[0] and "§ 89" in problems[0]
    assert "object" in problems[1]

    only_reason = termination_text_problems("Opsigelsesgrund: ejendommen skal nedrives.")
    assert len(only_reason) == 1 and "object" in only_reason[0]

    # "indsigelse" without the period is not enough.
    assert len(termination_text_problems("Begrundelse: nedrivning. Du kan gøre indsigelse.")) == 1


def test_a_termination_with_its_reason_and_the_right_to_object_passes():
    text = (
        "Opsigelsesgrund: ejendommen skal nedrives (almenlejeloven § 85, stk. 1, nr. 1).\n"
        "Vil du ikke godkende opsigelsen, skal du senest 6  uger efter, at du har fået dette "
        "brev, give os skriftlig INDSIGELSE."
    )
    assert termination_text_problems(text) == []


def test_the_problems_are_told_in_danish():
    with translation.override("da"):
        problems = termination_text_problems("Vi opsiger lejemålet.")
    assert len(problems) == 2
    assert "opsigelse" in problems[0].lower()


# --- The rules page --------------------------------------------------------------------------


def _url(cast, name: str = "cases:deadlines") -> str:
    return reverse(name, args=[cast.case_a1.project.estate.organisation_id])


@pytest.mark.django_db
def test_the_manager_sees_every_rule_with_its_source_and_the_lawyer_sentence(
    client, cast, django_assert_max_num_queries
):
    client.force_login(cast.manager_a)
    with django_assert_max_num_queries(8):
        response = client.get(_url(cast))
    assert response.status_code == 200
    page = response.content.decode()
    for rule in RULES:
        assert rule.source in page and f'href="{rule.url}"' in page
        assert f'id="rule-{rule.key}"' in page
    # The page is in Danish: the lawyer confirms the rules; the uncertain ones say so.
    assert "Organisationens advokat bekræfter dem" in page
    assert "Skal bekræftes af organisationens advokat" in page
    assert "6. december 2026" in page
    assert 'action="' + _url(cast, "cases:deadlines_edit") + '"' in page


@pytest.mark.django_db
def test_a_caseworker_reads_the_rules_but_may_not_change_them(client, cast):
    client.force_login(cast.caseworker_a1)
    page = client.get(_url(cast)).content.decode()
    assert "Almenlejeloven § 89, stk. 2" in page and "Gem fristerne" not in page
    response = client.post(_url(cast, "cases:deadlines_edit"), {"version": "1"})
    assert response.status_code == 403


@pytest.mark.django_db
def test_another_organisation_manager_gets_404(client, cast):
    client.force_login(cast.manager_b)
    assert client.get(_url(cast)).status_code == 404
    response = client.post(
        _url(cast, "cases:deadlines_edit"), {"version": "1", "objection_weeks": "8"}
    )
    assert response.status_code == 404
    assert not DeadlineSettings.objects.exists()


@pytest.mark.django_db
def test_the_manager_sets_a_longer_period_and_the_page_shows_it(client, cast):
    client.force_login(cast.manager_a)
    response = client.post(
        _url(cast, "cases:deadlines_edit"), {"version": "1", "objection_weeks": "8"}
    )
    assert response.status_code == 302
    settings = DeadlineSettings.objects.get()
    assert (settings.objection_weeks, settings.termination_notice_months) == (8, None)
    assert settings.updated_by == cast.manager_a and settings.version == 2
    page = client.get(_url(cast)).content.decode()
    assert "<strong>8 uger</strong>" in page

    stale = client.post(
        _url(cast, "cases:deadlines_edit"), {"version": "1", "objection_weeks": "9"}
    )
    assert stale.status_code == 302
    settings.refresh_from_db()
    assert settings.objection_weeks == 8


@pytest.mark.django_db
def test_a_period_shorter_than_the_law_is_refused_clearly(client, cast):
    client.force_login(cast.manager_a)
    with translation.override("da"):
        response = client.post(
            _url(cast, "cases:deadlines_edit"),
            {"version": "1", "objection_weeks": "4", "termination_notice_months": "2"},
            HTTP_ACCEPT_LANGUAGE="da",
        )
    assert response.status_code == 400
    assert not DeadlineSettings.objects.exists()
    # What was typed is still there.
    page = response.content.decode()
    assert 'value="4"' in page and 'value="2"' in page
    assert "Loven giver mindst 6 uger" in page and "Loven giver mindst 3 måneder" in page
