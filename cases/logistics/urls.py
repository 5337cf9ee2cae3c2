from django.urls import path

from cases.logistics import views
from core.exports import export_urls

app_name = "logistics"

urlpatterns = [
    path("projekter/<int:pk>/matchning/", views.board, name="board"),
    path("projekter/<int:pk>/matchning/tilbyd/", views.board_offer, name="board_offer"),
    path("projekter/<int:pk>/tilbudsregel/", views.project_required_offers, name="required_offers"),
    path("projekter/<int:pk>/flytninger/", views.week, name="week"),
    path("sager/<int:pk>/genhusning/", views.case_logistics, name="case"),
    path("sager/<int:pk>/genhusning/boliger/", views.case_flats, name="case_flats"),
    path("sager/<int:pk>/genhusning/tilbud/", views.case_offer, name="case_offer"),
    path("sager/<int:pk>/genhusning/behov/", views.need_edit, name="need"),
    path("sager/<int:pk>/genhusning/flytning/", views.move_plan, name="move_plan"),
    path("tilbud/<int:pk>/svar/", views.offer_reply, name="offer_reply"),
    path("flytninger/<int:pk>/", views.move_edit, name="move"),
    path("genhusningsboliger/", views.pool_list, name="pool"),
    *export_urls("genhusningsboliger/eksport", views.pool_export, "pool"),
    path("genhusningsboliger/ny/", views.pool_add, name="pool_add"),
    path("genhusningsboliger/ny/boliger/", views.pool_flat_search, name="pool_flats"),
    path("genhusningsboliger/<int:pk>/", views.pool_edit, name="pool_edit"),
    path("organisationer/<int:pk>/vandseng/", views.waterbed, name="waterbed"),
    path("organisationer/<int:pk>/vandseng.pdf", views.waterbed_pdf, name="waterbed_pdf"),
]
