from django.urls import path

from . import views, views_figures

app_name = "assessment"
urlpatterns = [
    path("", views.assessment_list, name="list"),
    path("export/", views.assessment_export, name="export"),
    path("notices/", views.notices, name="notices"),
    path("notices/pdf/", views.notice_pdf, name="notice_pdf"),
    path("reminders/", views.reminders, name="reminders"),
    path("policies/", views.policy_list, name="policies"),
    path("figures/", views_figures.assessment_figures, name="figures"),
    path("apply/<int:elder_id>/", views.application_new, name="apply"),
    path("<int:pk>/", views.assessment_detail, name="detail"),
    path("<int:pk>/accept/", views.accept, name="accept"),
    path("<int:pk>/refuse/", views.refuse, name="refuse"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:pk>/draw/", views.draw, name="draw"),
    path("<int:pk>/conclude/", views.conclude, name="conclude"),
    path("<int:pk>/notice/", views.notice, name="notice"),
    path("<int:pk>/objection/", views.objection, name="objection"),
    path("<int:pk>/effective/", views.effective, name="effective"),
    path("<int:pk>/reassess/", views.reassess, name="reassess"),
    path("<int:pk>/letter/", views.conclusion_letter, name="letter"),
    path("<int:pk>/explanation.json", views.explanation_json, name="explanation"),
    path("<int:pk>/evidence/", views.evidence_upload, name="evidence_upload"),
    path("<int:pk>/evidence/<int:evidence_id>/", views.evidence_download, name="evidence"),
    path("<int:pk>/discrepancies/<int:discrepancy_id>/", views.reconcile, name="reconcile"),
]
