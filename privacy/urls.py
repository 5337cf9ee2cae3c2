from django.urls import path

from privacy import views

app_name = "privacy"

urlpatterns = [
    path("adgangslog/", views.access_log, name="access_log"),
    path(
        "husstande/<int:household_pk>/beboere/<int:pk>/indsigt/",
        views.resident_access,
        name="resident_access",
    ),
    path(
        "husstande/<int:household_pk>/beboere/<int:pk>/slet/",
        views.resident_erase,
        name="resident_erase",
    ),
]
