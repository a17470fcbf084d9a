from django.urls import path

from . import views

app_name = "marketplace"
urlpatterns = [
    path("", views.item_list, name="list"),
    path("new/", views.item_create, name="create"),
    path("<int:item_id>/edit/", views.item_edit, name="edit"),
]
