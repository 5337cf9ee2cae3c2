from django.urls import include, path

from core.exports import export_urls
from referrals.views import checklist, coordination, partners
from referrals.views import referrals as referral_views

app_name = "referrals"

# Every page of the app is in the one namespace "referrals"; the sub-domains bring their own
# lists. The order is the order the patterns are tried in.
urlpatterns: list = [
    path("", include("referrals.consents.urls")),
    path("samarbejdspartnere/", partners.partner_list_view, name="partners"),
    path("samarbejdspartnere/ny/", partners.partner_edit, name="partner_create"),
    path("samarbejdspartnere/<int:pk>/rediger/", partners.partner_edit, name="partner_edit"),
    path(
        "husstande/<int:household_pk>/henvisninger/",
        referral_views.referral_list,
        name="household_referrals",
    ),
    *export_urls(
        "husstande/<int:household_pk>/henvisninger/eksport",
        referral_views.referral_export,
        "household_referrals",
    ),
    path(
        "husstande/<int:household_pk>/henvisninger/ny/",
        referral_views.referral_create_view,
        name="referral_create",
    ),
    path("henvisninger/<int:pk>/", referral_views.referral_detail, name="referral"),
    path(
        "henvisninger/<int:pk>/status/",
        referral_views.referral_transition_view,
        name="referral_transition",
    ),
    path("tjekliste/<int:pk>/", checklist.checklist_item_set, name="checklist_item"),
    path(
        "sager/<int:case_pk>/tjekliste/standard/",
        checklist.checklist_defaults,
        name="checklist_defaults",
    ),
    path(
        "husstande/<int:household_pk>/koordinering/",
        coordination.coordination_view,
        name="coordination",
    ),
    path("", include("referrals.visitator.urls")),
    path("", include("referrals.bridge.urls")),
]
