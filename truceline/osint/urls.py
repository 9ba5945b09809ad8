from django.urls import path

from truceline.osint import views

app_name = "osint"

urlpatterns = [
    path("monitoring/", views.monitoring, name="monitoring"),
    path("monitoring/ingest/", views.upload, name="upload"),
    path("monitoring/candidates/<int:candidate_id>/", views.decide, name="decide"),
    path("monitoring/claims/", views.claims, name="claims"),
]
