from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("konto/kode/", views.otp_verify, name="otp_verify"),
    path("konto/kode/opret/", views.otp_enrol, name="otp_enrol"),
]
