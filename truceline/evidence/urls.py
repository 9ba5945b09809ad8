from django.urls import path

from truceline.evidence import views

app_name = "evidence"

urlpatterns = [
    path("evidence/<str:evidence_id>/", views.detail, name="detail"),
    path("evidence/<str:evidence_id>/download", views.download_view, name="download"),
    path("evidence/<str:evidence_id>/image", views.image, name="image"),
    path("evidence/<str:evidence_id>/sharing", views.share, name="share"),
    path("evidence/<str:evidence_id>/copy", views.make_copy, name="copy"),
]
