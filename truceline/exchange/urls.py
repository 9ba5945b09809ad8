from django.urls import path

from truceline.exchange import views

app_name = "exchange"

urlpatterns = [
    path("exports/", views.exports, name="exports"),
    path("exports/incidents.<str:fmt>", views.export_download, name="download"),
]
