"""Pages of the supervision app (full paths: included at the site root under the "supervision" namespace)."""

from django.urls import path

from openprobation.supervision import views

app_name = "supervision"

urlpatterns = [
    path("cases/<int:pk>/schedule/", views.schedule_view, name="schedule"),
    path("cases/<int:pk>/appointments/new/", views.appointment_new_view, name="appointment_new"),
    path("cases/<int:pk>/appointments/<int:record>/outcome/", views.outcome_view, name="outcome"),
]
