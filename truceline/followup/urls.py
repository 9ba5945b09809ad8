from django.urls import path

from truceline.followup import views

app_name = "followup"

urlpatterns = [
    path("agreement/", views.agreement, name="agreement"),
    path("requests/", views.request_list, name="requests"),
    path("requests/new/", views.request_new, name="request_new"),
    path("requests/<str:request_id>/", views.request_detail, name="request"),
]
