from django.urls import path

from truceline.publications import views
from truceline.publications.feeds import PublishedFindings

app_name = "publications"

urlpatterns = [
    path("reports/periodic/", views.periodic, name="periodic"),
    path("feeds/findings.atom", PublishedFindings(), name="feed"),
]
