from django.urls import path

from . import views

app_name = "supervision"
urlpatterns = [
    path("audit/", views.audit_trail, name="audit"),
    path("audit/export.csv", views.audit_export, name="audit_export"),
    path("", views.figures_index, name="index"),
]
