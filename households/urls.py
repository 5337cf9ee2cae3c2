from django.urls import path

from households import import_views, views

app_name = "households"

urlpatterns = [
    path("husstande/<int:pk>/", views.household_detail, name="detail"),
    path("husstande/<int:pk>/rediger/", views.household_edit, name="edit"),
    path("husstande/<int:pk>/vurdering/", views.household_assess, name="assess"),
    path("husstande/<int:household_pk>/beboere/ny/", views.resident_edit, name="resident_add"),
    path(
        "husstande/<int:household_pk>/beboere/<int:pk>/", views.resident_edit, name="resident_edit"
    ),
    path("boliger/<int:pk>/", views.flat_detail, name="flat"),
    path("import/", import_views.import_upload, name="import"),
    path("import/skabelon.csv", import_views.import_template_csv, name="import_template_csv"),
    path("import/skabelon.xlsx", import_views.import_template_xlsx, name="import_template_xlsx"),
    path("import/<int:pk>/", import_views.import_preview, name="import_preview"),
    path("import/<int:pk>/importer/", import_views.import_apply, name="import_apply"),
    path("dubletter/", import_views.duplicates, name="duplicates"),
    path("dubletter/flet/", import_views.duplicate_merge, name="duplicate_merge"),
    path(
        "dubletter/hold-adskilt/",
        import_views.duplicate_keep_apart_view,
        name="duplicate_keep_apart",
    ),
]
