from django.urls import path

from team import views

app_name = "team"

_PERSON = "organisationer/<int:pk>/medarbejdere/<int:user_id>"

urlpatterns = [
    path("medarbejdere/", views.team_index, name="index"),
    path("organisationer/<int:pk>/medarbejdere/", views.team_view, name="team"),
    path("organisationer/<int:pk>/medarbejdere/inviter/", views.member_invite, name="invite"),
    path(f"{_PERSON}/", views.member_edit, name="member"),
    path(f"{_PERSON}/invitation/", views.invitation_resend, name="invitation_resend"),
    path(f"{_PERSON}/deaktiver/", views.member_deactivate, name="deactivate"),
    path(
        "konto/invitation/<uidb64>/<token>/",
        views.invitation_accept_view,
        name="invitation_accept",
    ),
]
