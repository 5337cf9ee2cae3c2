from django.urls import path

from core.exports import export_urls
from referrals.views import (
    checklist,
    communities,
    consents,
    coordination,
    followup,
    partners,
    visitator,
)
from referrals.views import referrals as referral_views

app_name = "referrals"

# Each part adds its own section; keep the sections in this order.
urlpatterns: list = [
    # --- consents, referrals, partners, checklist, coordination (helper: consent) ---
    path("husstande/<int:household_pk>/samtykker/", consents.consent_list, name="consents"),
    *export_urls(
        "husstande/<int:household_pk>/samtykker/eksport", consents.consent_export, "consents"
    ),
    path(
        "husstande/<int:household_pk>/samtykker/nyt/",
        consents.consent_create,
        name="consent_create",
    ),
    path("samtykker/<int:pk>/", consents.consent_detail, name="consent"),
    path("samtykker/<int:pk>/erstat/", consents.consent_replace, name="consent_replace"),
    path(
        "samtykker/<int:pk>/tilbagekald/",
        consents.consent_withdraw_view,
        name="consent_withdraw",
    ),
    path("samtykker/<int:pk>/dokumentation/", consents.consent_evidence, name="consent_evidence"),
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
    # --- the municipal visitator and the access log (helper: visitator) ---
    path("visitation/boliger/", visitator.flat_list, name="visitator_flats"),
    *export_urls("visitation/boliger/boliger", visitator.flat_export, "visitator_flats"),
    path("visitation/boliger/boliger.pdf", visitator.flat_export_pdf, name="visitator_flats_pdf"),
    path("visitation/husstande/", visitator.household_list, name="visitator_households"),
    path("visitation/husstande/<int:pk>/", visitator.household_detail, name="visitator_household"),
    path("visitation/henvisninger/", visitator.referral_list, name="visitator_referrals"),
    path("visitation/henvisninger/<int:pk>/", visitator.referral_detail, name="visitator_referral"),
    path(
        "visitation/henvisninger/<int:pk>/svar/",
        visitator.referral_answer,
        name="visitator_referral_answer",
    ),
    # --- bridge-building and communities (helper: bridge) ---
    path("opfoelgning/", followup.follow_up_list, name="follow_up_list"),
    *export_urls("opfoelgning/eksport", followup.follow_up_export, "follow_up_list"),
    path("opfoelgning/<int:pk>/", followup.follow_up_detail, name="follow_up"),
    path("opfoelgning/<int:pk>/afslut/", followup.follow_up_close, name="follow_up_close"),
    path("opfoelgning/<int:pk>/brobygger/", followup.follow_up_assign, name="follow_up_assign"),
    path("opfoelgning/kontakter/<int:pk>/", followup.follow_up_contact, name="follow_up_contact"),
    path("faellesskaber/", communities.community_list_view, name="communities"),
    path("faellesskaber/nyt/", communities.community_create, name="community_create"),
    path("faellesskaber/<int:pk>/", communities.community_detail, name="community"),
    path(
        "faellesskaber/<int:pk>/soeg/",
        communities.community_search,
        name="community_search",
    ),
    path(
        "faellesskaber/<int:pk>/medlemmer/",
        communities.community_member_add_view,
        name="community_member_add",
    ),
    path(
        "faellesskaber/medlemmer/<int:pk>/udmeld/",
        communities.community_member_leave_view,
        name="community_member_leave",
    ),
    path(
        "faellesskaber/<int:pk>/moeder/",
        communities.community_meeting_create,
        name="community_meeting_create",
    ),
    path(
        "faellesskaber/moeder/<int:pk>/",
        communities.community_meeting_detail,
        name="community_meeting",
    ),
    path(
        "faellesskaber/moeder/<int:pk>/fremmoede/",
        communities.community_attendance,
        name="community_attendance",
    ),
]
