from django.urls import path

from openprobation.people import views

app_name = "people"

urlpatterns = [
    path("", views.person_list, name="list"),
    path("new/", views.person_create_view, name="create"),
    path("<int:pk>/", views.person_detail_view, name="detail"),
    path("<int:pk>/edit/", views.person_edit_view, name="edit"),
    path("<int:pk>/family/add/", views.add_family_view, name="add_family"),
    path("<int:pk>/address/", views.set_address_view, name="set_address"),
    path("<int:pk>/documents/add/", views.add_document_view, name="add_document"),
]
