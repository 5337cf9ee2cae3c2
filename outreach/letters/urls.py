"""The letters' pages, included in outreach's URLs (namespace `outreach`): the templates
(views.py), and the letters going out, one or a batch (sending_views.py)."""

from django.urls import path

from outreach.letters import sending_views, views

urlpatterns = [
    path("breve/min-telefon/", views.staff_contact, name="letter_contact"),
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
    # --- letters going out: one or a batch (sending_views.py) ---
    path(
        "husstande/<int:household_pk>/breve/nyt-fra-skabelon/",
        sending_views.letter_new,
        name="sent_letter_new",
    ),
    path(
        "breve/udsendte/<int:pk>/pdf/",
        sending_views.letter_file,
        {"fmt": "pdf"},
        name="sent_letter_pdf",
    ),
    path(
        "breve/udsendte/<int:pk>/docx/",
        sending_views.letter_file,
        {"fmt": "docx"},
        name="sent_letter_docx",
    ),
    path("breve/udsendte/<int:pk>/sendt/", sending_views.letter_sent, name="sent_letter_sent"),
    path(
        "breve/udsendte/<int:pk>/modtaget/",
        sending_views.letter_received,
        name="sent_letter_received",
    ),
    path(
        "projekter/<int:project_pk>/breve/ny-bunke/",
        sending_views.batch_new,
        name="letter_batch_new",
    ),
    path("breve/bunker/<int:pk>/", sending_views.batch_detail, name="letter_batch"),
    path("breve/bunker/<int:pk>/sendt/", sending_views.batch_sent, name="letter_batch_sent"),
    path(
        "breve/bunker/<int:pk>/pdf/",
        sending_views.batch_file,
        {"fmt": "pdf"},
        name="letter_batch_pdf",
    ),
    path(
        "breve/bunker/<int:pk>/zip/",
        sending_views.batch_file,
        {"fmt": "zip"},
        name="letter_batch_zip",
    ),
]
