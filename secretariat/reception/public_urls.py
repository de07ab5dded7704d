"""The waiting-room screen (no login): its address is a secret and carries no patient data."""

from django.urls import path

from secretariat.reception import views_public

app_name = "waiting_screen"
urlpatterns: list = [
    path("<str:secret>/", views_public.show, name="show"),
    path("<str:secret>/etat/", views_public.state, name="state"),
]
