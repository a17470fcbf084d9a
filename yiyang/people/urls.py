from django.urls import path

from . import views

app_name = "people"
urlpatterns = [
    path("", views.elder_list, name="list"),
    path("new/", views.elder_create, name="create"),
    path("<int:pk>/", views.elder_detail, name="detail"),
    path("<int:pk>/edit/", views.elder_edit, name="edit"),
    path("<int:pk>/status/", views.elder_status, name="status"),
    path("<int:pk>/reveal/", views.elder_reveal, name="reveal"),
    path("<int:pk>/health/", views.elder_health, name="health"),
    path("<int:pk>/health/edit/", views.elder_health_edit, name="health_edit"),
    path("<int:pk>/guardians/new/", views.guardian_add, name="guardian_add"),
    path(
        "<int:pk>/guardians/<int:guardian_pk>/remove/",
        views.guardian_remove,
        name="guardian_remove",
    ),
]
