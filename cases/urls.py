from django.urls import path

from cases import views
from cases.planning import views as planning
from core.exports import export_urls

app_name = "cases"

urlpatterns = [
    path("sager/", views.caseload_view, name="caseload"),
    *export_urls("sager/eksport", views.caseload_export, "caseload"),
    path("sager/<int:pk>/", views.case_detail, name="detail"),
    path("sager/<int:pk>/rediger/", views.case_edit, name="edit"),
    path("sager/<int:pk>/boliger/", views.case_flat_search, name="flat_search"),
    path("sager/<int:pk>/stadie/", views.case_stage, name="stage"),
    path("sager/<int:pk>/stadie/fortryd/", views.case_stage_undo, name="stage_undo"),
    path("sager/<int:pk>/medarbejdere/", views.case_assign, name="assign"),
    path("sager/<int:pk>/medarbejdere/<int:user_id>/fjern/", views.case_unassign, name="unassign"),
    path("organisationer/<int:pk>/frister/", views.deadline_rules, name="deadlines"),
    path(
        "organisationer/<int:pk>/frister/rediger/",
        views.deadline_rules_edit,
        name="deadlines_edit",
    ),
    path("projekter/", views.project_list, name="projects"),
    path("projekter/<int:pk>/", views.project_detail, name="project"),
    path("projekter/ny/", planning.project_new, name="project_new"),
    path("projekter/<int:pk>/rediger/", planning.project_edit, name="project_edit"),
    path("projekter/<int:pk>/tidsplan/", planning.schedule, name="schedule"),
    path("projekter/<int:pk>/tidsplan/fil/", planning.schedule_upload, name="schedule_upload"),
    path("projekter/<int:pk>/sager/aabn/", planning.open_cases, name="open_cases"),
    path("projekter/<int:pk>/fordel/", planning.distribute, name="distribute"),
    path("projekter/<int:pk>/luk/", planning.close, name="project_close"),
    path("projekter/<int:pk>/tidslinje/", planning.timeline, name="timeline"),
]
