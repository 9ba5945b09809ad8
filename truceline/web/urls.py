from django.contrib.auth import views as auth_views
from django.urls import path

from truceline.accounts.views import SignInView
from truceline.web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "signin/",
        SignInView.as_view(),
        name="login",
    ),
    path("signout/", auth_views.LogoutView.as_view(), name="logout"),
    path("healthz", views.healthz, name="healthz"),
]
