from django.urls import path

from cases.economy import views
from core.exports import export_urls

app_name = "economy"

urlpatterns = [
    path("sager/<int:pk>/udgifter/", views.case_expenses, name="case_expenses"),
    path("udgifter/<int:pk>/", views.expense_edit, name="expense"),
    path("udgifter/<int:pk>/godkend/", views.expense_approve, name="expense_approve"),
    path("udgifter/<int:pk>/ret/", views.expense_correct, name="expense_correct"),
    path("udgifter/<int:pk>/kvittering/", views.expense_receipt, name="expense_receipt"),
    path("udgifter/godkendelse/", views.approvals, name="approvals"),
    path("projekter/<int:pk>/budget/", views.budget, name="budget"),
    path("projekter/<int:pk>/budget/rediger/", views.budget_edit, name="budget_edit"),
    path("projekter/<int:pk>/budget/fil/", views.budget_upload, name="budget_upload"),
    *export_urls("projekter/<int:pk>/budget/eksport", views.budget_export, "budget"),
    *export_urls("projekter/<int:pk>/udgifter/eksport", views.expenses_export, "expenses"),
]
