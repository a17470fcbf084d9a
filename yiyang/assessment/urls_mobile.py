"""The assessor's phone pages, mounted at `assess/`."""

from django.urls import path

from . import views_mobile as views

app_name = "assessor"
urlpatterns = [
    path("", views.task_list, name="tasks"),
    path("sw.js", views.service_worker, name="service_worker"),
    path("<int:assignment_id>/", views.assignment_form, name="form"),
    path("<int:assignment_id>/sync/", views.assignment_sync, name="sync"),
    path("<int:assignment_id>/evidence/", views.assignment_evidence, name="evidence"),
]
