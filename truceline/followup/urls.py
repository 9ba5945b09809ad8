from django.urls import path

from truceline.followup import views

app_name = "followup"

urlpatterns = [
    path("agreement/", views.agreement, name="agreement"),
    path("agreement/rounds/new/", views.round_new, name="round_new"),
    path("agreement/rounds/<slug:slug>/announce", views.round_announce, name="round_announce"),
    path("compliance/", views.compliance, name="compliance"),
    path(
        "compliance/<slug:commitment>/<slug:party>/<str:period>/",
        views.compliance_cell,
        name="compliance_cell",
    ),
    path("requests/", views.request_list, name="requests"),
    path("measures/", views.measure_list, name="measures"),
    path("measures/<str:target>/<str:step>", views.measure_step, name="measure_step"),
    path("requests/new/", views.request_new, name="request_new"),
    path("requests/<str:request_id>/", views.request_detail, name="request"),
]
