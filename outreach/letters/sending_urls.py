"""URLs of letters going out (sending_views.py), in the outreach namespace."""

from django.urls import path

from outreach.letters import sending_views as views

urlpatterns = [
    path(
        "husstande/<int:household_pk>/breve/nyt-fra-skabelon/",
        views.letter_new,
        name="sent_letter_new",
    ),
    path("breve/udsendte/<int:pk>/pdf/", views.letter_file, {"fmt": "pdf"}, name="sent_letter_pdf"),
    path(
        "breve/udsendte/<int:pk>/docx/", views.letter_file, {"fmt": "docx"}, name="sent_letter_docx"
    ),
    path("breve/udsendte/<int:pk>/sendt/", views.letter_sent, name="sent_letter_sent"),
    path("breve/udsendte/<int:pk>/modtaget/", views.letter_received, name="sent_letter_received"),
    path("projekter/<int:project_pk>/breve/ny-bunke/", views.batch_new, name="letter_batch_new"),
    path("breve/bunker/<int:pk>/", views.batch_detail, name="letter_batch"),
    path("breve/bunker/<int:pk>/sendt/", views.batch_sent, name="letter_batch_sent"),
    path("breve/bunker/<int:pk>/pdf/", views.batch_file, {"fmt": "pdf"}, name="letter_batch_pdf"),
    path("breve/bunker/<int:pk>/zip/", views.batch_file, {"fmt": "zip"}, name="letter_batch_zip"),
]
