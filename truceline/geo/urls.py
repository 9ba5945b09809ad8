from django.urls import path

from truceline.geo import views

app_name = "geo"

urlpatterns = [
    path("crossings/", views.crossings, name="crossings"),
    path("crossings/<slug:slug>/", views.crossing, name="crossing"),
]
