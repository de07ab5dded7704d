from django.urls import path

from secretariat.agenda import views_settings

urlpatterns = [
    path("plannings/", views_settings.schedule_list, name="schedules"),
    path("plannings/<int:pk>/", views_settings.schedule_detail, name="schedule"),
    path("plannings/<int:pk>/exceptions/<int:exception_pk>/supprimer/", views_settings.exception_delete,
         name="schedule_exception_delete"),
]
