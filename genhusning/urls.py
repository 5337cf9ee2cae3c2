from django.contrib import admin
from django.urls import include, path

from home import views

admin.site.site_header = "genhusning"
admin.site.site_title = "genhusning"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("konto/", include("django.contrib.auth.urls")),
    path("", include("accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("cases.urls")),
    path("", include("cases.logistics.urls")),
    path("", include("cases.economy.rent_urls")),
    path("", include("cases.economy.urls")),
    path("", include("reports.urls")),
    path("", include("households.urls")),
    path("", include("outreach.urls")),
    path("", include("referrals.urls")),
    path("", include("privacy.urls")),
    path("", include("team.urls")),
]
