"""Routes of the desk: settings (included by ``urls.py``)."""

from django.urls import path

from secretariat.reception import views_settings

urlpatterns = [
    path("reglages/", views_settings.desk_settings, name="settings"),
]
