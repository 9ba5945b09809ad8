from django.urls import path

from truceline.publications import views

app_name = "publications"

urlpatterns = [path("reports/periodic/", views.periodic, name="periodic")]
