"""The municipal visitator's pages (included by referrals/urls.py, in its namespace)."""

from django.urls import path

from core.exports import export_urls
from referrals.visitator import views

urlpatterns = [
    path("visitation/boliger/", views.flat_list, name="visitator_flats"),
    *export_urls("visitation/boliger/boliger", views.flat_export, "visitator_flats"),
    path("visitation/boliger/boliger.pdf", views.flat_export_pdf, name="visitator_flats_pdf"),
    path("visitation/husstande/", views.household_list, name="visitator_households"),
    path("visitation/husstande/<int:pk>/", views.household_detail, name="visitator_household"),
    path("visitation/henvisninger/", views.referral_list, name="visitator_referrals"),
    path("visitation/henvisninger/<int:pk>/", views.referral_detail, name="visitator_referral"),
    path(
        "visitation/henvisninger/<int:pk>/svar/",
        views.referral_answer,
        name="visitator_referral_answer",
    ),
]
