"""Routes of the desk: calls (included by ``urls.py``)."""

from django.urls import path

from secretariat.reception import views_calls

urlpatterns = [
    path("appels/", views_calls.phone_log, name="phone_log"),
    path("appels/patients/", views_calls.call_patient_search, name="call_patient_search"),
    path("appels/rappels/", views_calls.callbacks, name="callbacks"),
    path("appels/rappels/<int:pk>/fait/", views_calls.callback_done, name="callback_done"),
]
