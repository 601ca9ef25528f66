"""Pages of the programmes app (full paths: included at the site root under the "programmes"
namespace): the programme pages here, the organisations, referrals and partner portal from
``referral_urls``."""

from django.urls import path

from openprobation.programmes import referral_urls, views

app_name = "programmes"

P = "cases/<int:pk>/programme/"

urlpatterns: list = [
    path(P, views.programme_page, name="programme"),
    path(P + "new/", views.programme_new, name="programme_new"),
    path(P + "goals/", views.goal_new, name="goal_new"),
    path(P + "goals/<int:record>/", views.goal_edit, name="goal_edit"),
    path(P + "measures/", views.measure_new, name="measure_new"),
    path(P + "measures/<int:record>/", views.measure_edit, name="measure_edit"),
    path(P + "measures/<int:record>/progress/", views.measure_progress, name="measure_progress"),
    path(P + "measures/<int:record>/remove/", views.measure_remove, name="measure_remove"),
    path(P + "agreement/", views.agreement, name="agreement"),
    path(P + "review/", views.review, name="review"),
    path(P + "close/", views.close, name="close"),
    path(P + "participants/", views.participant_new, name="participant_new"),
    path(P + "participants/<int:record>/remove/", views.participant_remove, name="participant_remove"),
    path(P + "versions/<int:record>/", views.version_page, name="version"),
    path(P + "print/", views.print_page, name="print"),
    path(P + "print/copies/", views.send_copies, name="send_copies"),
    path("programmes/capacity/", views.capacity_page, name="capacity"),
    *referral_urls.urlpatterns,
]
