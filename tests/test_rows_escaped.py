"""The list rows written in Python, not by the template engine (the caseload's, the project
table's, the flags list's): every name, address and reason a user typed is escaped there too."""

import pytest
from django.urls import reverse

from cases.models import CaseAssignment
from outreach.models import FlagKind
from outreach.services import flag_raise
from tests import factories

HOSTILE = '<script>alert("x")</script>'
ESCAPED = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"


@pytest.fixture
def hostile(cast):
    project = cast.case_a1.project
    project.name = f"Projekt {HOSTILE}"
    project.save(update_fields=["name"])
    stairwell = factories.make_stairwell(project.estate, street=f"{HOSTILE}vej")
    household = factories.make_household(
        factories.make_flat(stairwell), f"Ida {HOSTILE}", f"Ole {HOSTILE}"
    )
    case = factories.make_case(project, household, next_step=f"Ring {HOSTILE}")
    cast.caseworker_a2.first_name = HOSTILE
    cast.caseworker_a2.save(update_fields=["first_name"])
    for user in (cast.caseworker_a1, cast.caseworker_a2):
        CaseAssignment.objects.create(case=case, user=user, role="caseworker")
    flag_raise(household=household, case=case, kind=FlagKind.NO_CONTACT, reason=HOSTILE)
    return case


@pytest.mark.parametrize(
    "page",
    ["caseload", "caseload_manager", "project", "flags"],
)
def test_hostile_text_is_escaped_in_the_rows(client, cast, hostile, page):
    user = cast.caseworker_a1 if page == "caseload" else cast.manager_a
    url = {
        "caseload": reverse("cases:caseload"),
        "caseload_manager": reverse("cases:caseload") + "?scope=all",
        "project": reverse("cases:project", args=[hostile.project_id]),
        "flags": reverse("outreach:flags"),
    }[page]
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert HOSTILE not in html
    assert "<script>alert" not in html
    assert ESCAPED in html
