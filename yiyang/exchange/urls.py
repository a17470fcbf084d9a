from django.urls import path

from . import views

app_name = "exchange"
urlpatterns = [
    path("", views.imports, name="imports"),
    path("jobs/<int:job_id>/", views.job, name="job"),
    path("jobs/<int:job_id>/progress/", views.job_progress, name="job_progress"),
    path("jobs/<int:job_id>/errors.xlsx", views.errors, name="errors"),
    path("templates/<slug:kind>.xlsx", views.template, name="template"),
    path("export/<slug:kind>.xlsx", views.export, name="export"),
    path("completeness/", views.completeness_page, name="completeness"),
]
