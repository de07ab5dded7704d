from django.urls import path

from secretariat.agenda import views_configuration, views_settings

urlpatterns = [
    path("configuration/", views_configuration.configuration, name="configuration"),
    path("configuration/motifs/nouveau/", views_configuration.type_edit, name="type_create"),
    path("configuration/motifs/<int:pk>/", views_configuration.type_edit, name="type_edit"),
    path("configuration/ressources/nouvelle/", views_configuration.resource_edit, name="resource_create"),
    path("configuration/ressources/<int:pk>/", views_configuration.resource_edit, name="resource_edit"),
    path("plannings/", views_settings.schedule_list, name="schedules"),
    path("plannings/<int:pk>/", views_settings.schedule_detail, name="schedule"),
    path("plannings/<int:pk>/exceptions/<int:exception_pk>/supprimer/", views_settings.exception_delete,
         name="schedule_exception_delete"),
]
