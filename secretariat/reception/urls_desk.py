"""Routes of "Today at the desk" (included by ``urls.py``): the list, its refresh, check-in and
its undo, walk-ins."""

from django.urls import path

from secretariat.reception import views_desk

urlpatterns = [
    path("", views_desk.desk, name="desk"),
    path("lignes/", views_desk.desk_rows, name="desk_rows"),
    path("arrivee/<int:pk>/", views_desk.check_in, name="check_in"),
    path("passages/<int:pk>/annuler-arrivee/", views_desk.undo_check_in, name="undo_check_in"),
    path("sans-rendez-vous/", views_desk.walk_in, name="walk_in"),
]
