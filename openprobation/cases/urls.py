from django.urls import path

from openprobation.cases import views

app_name = "cases"

urlpatterns = [
    path("", views.caseload_view, name="caseload"),
    path("office/", views.office_caseload_view, name="office_caseload"),
    path("new/", views.case_open_view, name="open"),
    path("<int:pk>/", views.case_detail_view, name="detail"),
    path("<int:pk>/transition/", views.case_transition_view, name="transition"),
    path("<int:pk>/register/", views.case_register_view, name="register"),
    path("<int:pk>/allocate/", views.case_allocate_view, name="allocate"),
    path("<int:pk>/transfer/", views.case_transfer_view, name="transfer"),
    path("<int:pk>/appearance/", views.case_appearance_view, name="appearance"),
    path("<int:pk>/decisions/", views.case_decision_view, name="decision"),
]
