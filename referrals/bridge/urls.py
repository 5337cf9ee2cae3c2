"""Bridge-building and the communities (included by referrals/urls.py, in its namespace)."""

from django.urls import path

from core.exports import export_urls
from referrals.bridge.views import communities, followup

urlpatterns = [
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
