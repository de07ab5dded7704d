from django.urls import path  # noqa: F401

app_name = "waiting_screen"
urlpatterns: list = []
