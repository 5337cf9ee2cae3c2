from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("rapporter/", views.index, name="index"),
    path("rapporter/udskriv/", views.report_print, name="print"),
    path("rapporter/bestillinger/<int:pk>/", views.job, name="job"),
    path("rapporter/bestillinger/<int:pk>/igen/", views.job_retry, name="job_retry"),
    path("rapporter/bestillinger/<int:pk>/hent/", views.job_download, name="job_download"),
    path("projekter/<int:pk>/rapporter/", views.project_reports, name="project"),
    path("afdelinger/<int:pk>/rapporter/", views.estate_reports, name="estate"),
    path("sager/<int:pk>/resume.pdf", views.case_summary_pdf, name="case_summary"),
]
