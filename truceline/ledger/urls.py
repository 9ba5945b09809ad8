from django.urls import path

from truceline.ledger import views

app_name = "ledger"

urlpatterns = [
    path("ledger/", views.portal, name="portal"),
    path("ledger/receipts/<int:seq>.json", views.receipt_download, name="receipt"),
]
