from django.urls import path

from truceline.incidents import views

app_name = "incidents"

urlpatterns = [
    path("reports/new/", views.report_new, name="report_new"),
    path("reports/drafts/autosave/", views.draft_autosave, name="draft_autosave"),
    path("incidents/<str:incident_id>/", views.incident_detail, name="detail"),
    path("incidents/<str:incident_id>/<str:action>/", views.incident_action, name="action"),
    path("findings/<str:finding_id>/<str:action>/", views.finding_action, name="finding_action"),
]
