from django.urls import path

from truceline.accounts import views

app_name = "accounts"

urlpatterns = [
    path("account/two-factor/", views.two_factor, name="two-factor"),
    path("account/password/", views.password_change, name="password"),
]
