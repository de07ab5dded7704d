from django.urls import path

from secretariat.agenda import views_booking

urlpatterns = [
    path("prendre-rdv/", views_booking.book, name="book"),
    path("prendre-rdv/creneau/", views_booking.book_confirm, name="book_confirm"),
    path("prendre-rdv/reserver/", views_booking.book_submit, name="book_submit"),
]
