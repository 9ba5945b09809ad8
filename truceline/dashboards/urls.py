from django.urls import path

from truceline.dashboards import views

app_name = "dashboards"

urlpatterns = [
    path("map/", views.map_page, name="map"),
    path("dashboard/", views.dashboard_page, name="dashboard"),
]
