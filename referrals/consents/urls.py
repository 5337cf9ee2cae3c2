"""The consent pages (included by referrals/urls.py, in its namespace)."""

from django.urls import path

from core.exports import export_urls
from referrals.consents import views

urlpatterns = [
    path("husstande/<int:household_pk>/samtykker/", views.consent_list, name="consents"),
    *export_urls(
        "husstande/<int:household_pk>/samtykker/eksport", views.consent_export, "consents"
    ),
    path(
        "husstande/<int:household_pk>/samtykker/nyt/",
        views.consent_create,
        name="consent_create",
    ),
    path("samtykker/<int:pk>/", views.consent_detail, name="consent"),
    path("samtykker/<int:pk>/erstat/", views.consent_replace, name="consent_replace"),
    path(
        "samtykker/<int:pk>/tilbagekald/",
        views.consent_withdraw_view,
        name="consent_withdraw",
    ),
    path("samtykker/<int:pk>/dokumentation/", views.consent_evidence, name="consent_evidence"),
]
