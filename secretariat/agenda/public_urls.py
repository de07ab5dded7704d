"""Patient-facing agenda pages (no staff login): online booking and the links in messages."""

from django.urls import path

from secretariat.agenda import views_links, views_offer
from secretariat.agenda.online import views as online

app_name = "agenda_public"

urlpatterns: list = [
    path("lien/<str:token>/", views_links.appointment_link, name="appointment_link"),
    path("offre/<str:token>/", views_offer.offer, name="offer"),
    # Online booking: /rdv/<structure>/ → type → practitioner → slot → identity → code → done.
    path("<int:structure_id>/", online.start, name="online_start"),
    path("<int:structure_id>/motif/<int:type_id>/", online.practitioners, name="online_practitioners"),
    path("<int:structure_id>/motif/<int:type_id>/creneaux/", online.slots, name="online_slots"),
    path("<int:structure_id>/motif/<int:type_id>/coordonnees/", online.identity, name="online_identity"),
    path("code/<str:token>/", online.code, name="online_code"),
    path("confirmation/<str:token>/", online.done, name="online_done"),
]
