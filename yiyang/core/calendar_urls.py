from django.urls import path

from . import calendar_views

app_name = "calendar"
urlpatterns = [
    path("", calendar_views.calendar_list, name="list"),
    path("<int:year>/", calendar_views.calendar_edit, name="edit"),
    path("<int:year>/delete/", calendar_views.calendar_delete, name="delete"),
]
