"""URLs of the administrative file, in the ``patients`` namespace (added to ``patients.urls``)."""

from django.urls import path

from secretariat.patients import views_administrative as views

FILE = "<int:pk>/administratif/"

urlpatterns = [
    path(FILE, views.administrative_file, name="administrative"),
    path(f"{FILE}contact/", views.edit_contact_preferences, name="administrative_contact"),
    path(f"{FILE}besoins/", views.edit_needs, name="administrative_needs"),
    path(f"{FILE}medecin-traitant/", views.edit_medecin_traitant, name="administrative_medecin_traitant"),
    path(f"{FILE}partage/", views.edit_sharing, name="administrative_sharing"),
    path(f"{FILE}adresses/nouvelle/", views.address_form, name="address_add"),
    path(f"{FILE}adresses/<int:item_pk>/", views.address_form, name="address_edit"),
    path(f"{FILE}adresses/<int:item_pk>/supprimer/", views.address_remove, name="address_remove"),
    path(f"{FILE}personnes/nouvelle/", views.contact_person_form, name="contact_person_add"),
    path(f"{FILE}personnes/<int:item_pk>/", views.contact_person_form, name="contact_person_edit"),
    path(f"{FILE}personnes/<int:item_pk>/supprimer/", views.contact_person_remove,
         name="contact_person_remove"),
    path(f"{FILE}amo/nouvelle/", views.amo_form, name="amo_add"),
    path(f"{FILE}amo/<int:item_pk>/", views.amo_form, name="amo_edit"),
    path(f"{FILE}amo/<int:item_pk>/supprimer/", views.amo_remove, name="amo_remove"),
    path(f"{FILE}amc/nouvelle/", views.amc_form, name="amc_add"),
    path(f"{FILE}amc/<int:item_pk>/", views.amc_form, name="amc_edit"),
    path(f"{FILE}amc/<int:item_pk>/supprimer/", views.amc_remove, name="amc_remove"),
]
