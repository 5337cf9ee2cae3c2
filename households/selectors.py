from django.db.models import QuerySet

from households.models import Household, VulnerabilityAssessment


def latest_assessment(*, household: Household) -> VulnerabilityAssessment | None:
    return household.assessments.select_related("assessed_by").first()


def assessment_history(*, household: Household) -> QuerySet[VulnerabilityAssessment]:
    return household.assessments.select_related("assessed_by")
