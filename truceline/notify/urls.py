from django.urls import path

from truceline.notify import views

app_name = "notify"

urlpatterns = [path("notifications/", views.notifications, name="notifications")]
