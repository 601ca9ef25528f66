"""Pages of the labour app (full paths: included at the site root under the "labour" namespace)."""

from django.urls import path

from openprobation.labour import views

app_name = "labour"

urlpatterns = [
    path("cases/<int:pk>/labour/", views.labour_overview, name="overview"),
    path("cases/<int:pk>/labour/hours/", views.hours_view, name="hours"),
    path("cases/<int:pk>/labour/employment/", views.employment_view, name="employment"),
    path("cases/<int:pk>/labour/referrals/", views.referral_view, name="referral"),
    path("cases/<int:pk>/labour/offers/", views.offer_view, name="offer"),
    path("cases/<int:pk>/labour/offers/<int:record>/answer/", views.offer_answer_view, name="offer_answer"),
    path("cases/<int:pk>/labour/rejudge/", views.rejudge_view, name="rejudge"),
]
