"""Agenda views (day, week, month, list), the appointment panel and its actions, the print list."""

from django.urls import path

from secretariat.agenda import views_calendar, views_calendar_actions, views_calendar_print

urlpatterns: list = [
    path("", views_calendar.day_view, name="day"),
    path("semaine/", views_calendar.week_view, name="week"),
    path("mois/", views_calendar.month_view, name="month"),
    path("liste/", views_calendar.list_view, name="list"),
    path("impression/", views_calendar_print.day_print, name="day_print"),
    path("impression/liste.pdf", views_calendar_print.day_pdf, name="day_pdf"),
    path("rdv/<int:pk>/", views_calendar_actions.appointment_panel, name="appointment"),
    path("rdv/<int:pk>/statut/", views_calendar_actions.appointment_status, name="appointment_status"),
    path("rdv/<int:pk>/annuler/", views_calendar_actions.appointment_cancel, name="appointment_cancel"),
    path("rdv/<int:pk>/deplacer/", views_calendar_actions.appointment_move, name="appointment_move"),
]
