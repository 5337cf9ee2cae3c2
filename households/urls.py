from django.urls import path

from households import views

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
]
