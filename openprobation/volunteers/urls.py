"""Pages of the volunteers app (full paths: included at the site root under the "volunteers" namespace)."""

from django.urls import path

from openprobation.volunteers import case_views, views

app_name = "volunteers"

urlpatterns = [
    path("volunteers/", views.volunteer_list, name="list"),
    path("volunteers/new/", views.volunteer_new, name="new"),
    path("volunteers/<int:record>/", views.volunteer_detail, name="detail"),
    path("volunteers/<int:record>/edit/", views.volunteer_edit, name="edit"),
    path("volunteers/<int:record>/checks/", views.check_view, name="check"),
    path("volunteers/<int:record>/status/", views.status_view, name="status"),
    path("cases/<int:pk>/volunteers/assign/", case_views.assign_view, name="assign"),
    path("cases/<int:pk>/volunteers/<int:record>/session/", case_views.session_view, name="session"),
    path("cases/<int:pk>/volunteers/<int:record>/end/", case_views.end_view, name="end"),
]
