"""Routes of the desk: the carte Vitale screen of a patient (included by ``urls.py``)."""

from django.urls import path

from secretariat.reception import views_vitale

urlpatterns = [
    path("vitale/<int:patient_pk>/", views_vitale.vitale, name="vitale"),
]
