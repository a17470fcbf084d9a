from django.urls import path

from . import events_views

app_name = "events"
urlpatterns = [
    path("", events_views.events_list, name="list"),
    path("<int:delivery_id>/retry/", events_views.events_retry, name="retry"),
]
