"""The letter templates' pages, included in outreach's URLs (namespace `outreach`)."""

from django.urls import path

from outreach.letters import views

urlpatterns = [
    path("brevskabeloner/", views.template_list, name="templates"),
    path("brevskabeloner/ny/", views.template_new, name="template_new"),
    path("brevskabeloner/<int:pk>/", views.template_detail, name="template"),
    path(
        "brevskabeloner/<int:pk>/husstande/",
        views.template_households,
        name="template_households",
    ),
    path(
        "brevskabeloner/<int:pk>/<str:language>/",
        views.template_edit,
        name="template_edit",
    ),
]
