"""Staff URLs of the waiting list, absences, series and external appointments (``agenda``
namespace, included by ``agenda.urls``)."""

from django.urls import path

from secretariat.agenda import views_absences, views_external, views_series, views_waiting

urlpatterns = [
    path("liste-attente/", views_waiting.waiting_list, name="waiting_list"),
    path("liste-attente/ajouter/", views_waiting.waiting_add, name="waiting_add"),
    path("liste-attente/<int:pk>/retirer/", views_waiting.waiting_withdraw, name="waiting_withdraw"),
    path("creneau-libere/<int:pk>/", views_waiting.freed_slot, name="freed_slot"),
    path("creneau-libere/<int:pk>/reserver/", views_waiting.freed_slot_book, name="freed_slot_book"),
    path("creneau-libere/<int:pk>/proposer/", views_waiting.freed_slot_offer, name="freed_slot_offer"),
    path("absences/", views_absences.absence_list, name="absence_list"),
    path("absences/declarer/", views_absences.absence_new, name="absence_new"),
    path("absences/<int:pk>/", views_absences.absence_detail, name="absence_detail"),
    path("series/nouvelle/", views_series.series_new, name="series_new"),
    path("series/<int:pk>/", views_series.series_detail, name="series_detail"),
    path("series/<int:pk>/decaler/", views_series.series_move, name="series_move"),
    path("series/<int:pk>/rdv/<int:appointment_pk>/deplacer/", views_series.series_move_one,
         name="series_move_one"),
    path("series/<int:pk>/annuler-la-suite/", views_series.series_cancel_rest, name="series_cancel_rest"),
    path("externes/", views_external.external_list, name="external_list"),
    path("externes/nouveau/", views_external.external_new, name="external_new"),
    path("externes/<int:pk>/", views_external.external_edit, name="external_edit"),
    path("externes/<int:pk>/annuler/", views_external.external_cancel, name="external_cancel"),
]
