"""Messages between colleagues (``reception`` namespace, under ``accueil/``)."""

from django.urls import path

from secretariat.reception import views_transmissions as views

urlpatterns = [
    path("messages/", views.inbox, name="inbox"),
    path("messages/ecrire/", views.compose, name="compose"),
    path("messages/ecrire/patients/", views.compose_patients, name="compose_patients"),
    path("messages/<int:pk>/", views.transmission, name="transmission"),
    path("messages/<int:pk>/repondre/", views.reply, name="transmission_reply"),
]
