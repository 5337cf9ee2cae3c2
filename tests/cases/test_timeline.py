"""The schedule as a timeline: months across, stairwells down."""

from datetime import date

import pytest
from django.urls import reverse

from cases.planning.selectors import schedule_timeline
from tests import factories


@pytest.mark.django_db
def test_the_timeline_has_a_column_per_month_and_marks_the_stay_away(client, cast):
    project = cast.case_a1.project
    a = factories.make_stairwell(project.estate, street="Kløvermarken", number=3)
    b = factories.make_stairwell(project.estate, street="Kløvermarken", number=4)
    project.stairwells.set([a, b])
    factories.make_schedule(
        project, a, notice_on=date(2026, 1, 5), move_out_on=date(2026, 3, 1),
        return_on=date(2026, 5, 20),
    )  # fmt: skip

    months, rows = schedule_timeline(project=project)

    assert months == [date(2026, m, 1) for m in range(1, 6)]
    (first, cells_a), (second, cells_b) = rows
    assert (first, second) == (a, b)
    assert [cell.events for cell in cells_a] == [
        ["notice_on"],
        [],
        ["move_out_on"],
        [],
        ["return_on"],
    ]
    assert [cell.away for cell in cells_a] == [False, False, True, True, True]
    assert not any(cell.events or cell.away for cell in cells_b)

    client.force_login(cast.caseworker_a1)
    response = client.get(reverse("cases:timeline", args=[project.pk]))
    assert response.status_code == 200
    assert "Kløvermarken 3" in response.content.decode()
    client.force_login(cast.manager_b)
    assert client.get(reverse("cases:timeline", args=[project.pk])).status_code == 404
