from django.urls import path, re_path

from truceline.publications import views
from truceline.publications.feeds import PublishedFindings

app_name = "publications"

PERIOD = r"(?P<key>\d{4}-\d{2}|\d{4}-Q[1-4]|all)"
urlpatterns = [
    path("reports/periodic/", views.periodic, name="periodic"),
    path("reports/periodic/any/", views.any_period, name="any"),
    re_path(rf"^reports/periodic/{PERIOD}/$", views.edition, name="edition"),
    re_path(rf"^reports/periodic/{PERIOD}\.pdf$", views.edition_pdf, name="edition-pdf"),
    path("feeds/findings.atom", PublishedFindings(), name="feed"),
]
