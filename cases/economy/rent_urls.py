from django.urls import path

from cases.economy import rent_views

app_name = "rents"

urlpatterns = [
    path("boliger/<int:pk>/husleje/", rent_views.flat_rent_edit, name="flat_rent"),
    path("projekter/<int:pk>/husleje/", rent_views.project_rents, name="project"),
    path(
        "projekter/<int:pk>/husleje/kvartalsopgoerelse.xlsx",
        rent_views.quarter_statement_export,
        {"fmt": "xlsx"},
        name="statement_xlsx",
    ),
]
