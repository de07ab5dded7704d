"""Routes of the waiting room, the practitioner's queue and the screens management (under ``accueil/``)."""

from django.urls import path

from secretariat.reception import views_queue, views_screens

urlpatterns: list = [
    path("salle/", views_queue.waiting_room, name="waiting_room"),
    path("salle/action/", views_queue.visit_action, name="visit_action"),
    path("ma-file/", views_queue.my_queue, name="my_queue"),
    path("ecrans/", views_screens.screens, name="screens"),
    path("ecrans/<int:pk>/revoquer/", views_screens.revoke, name="screen_revoke"),
    path("ecrans/<int:pk>/nouvelle-adresse/", views_screens.regenerate, name="screen_regenerate"),
]
