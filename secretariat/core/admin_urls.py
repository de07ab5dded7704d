"""Coordinator screens: users, care teams, API tokens, audit trail, failed tasks."""

from django.urls import path

from secretariat.core.views import administration as views

urlpatterns = [
    path("", views.admin_home, name="admin_home"),
    path("utilisateurs/", views.user_list, name="user_list"),
    path("utilisateurs/nouveau/", views.user_create, name="user_create"),
    path("utilisateurs/<int:pk>/", views.user_edit, name="user_edit"),
    path("utilisateurs/<int:pk>/desactiver/", views.user_disable, name="user_disable"),
    path("utilisateurs/<int:pk>/reactiver/", views.user_enable, name="user_enable"),
    path("utilisateurs/<int:pk>/double-authentification/reinitialiser/", views.user_reset_2fa,
         name="user_reset_2fa"),
    path("utilisateurs/<int:pk>/mot-de-passe/envoyer/", views.user_send_password_email,
         name="user_send_password_email"),
    path("jetons/<int:pk>/revoquer/", views.token_revoke, name="token_revoke"),
    path("equipes/", views.care_team_list, name="care_team_list"),
    path("equipes/nouvelle/", views.care_team_create, name="care_team_create"),
    path("equipes/<int:pk>/", views.care_team_edit, name="care_team_edit"),
    path("journal/", views.audit_search, name="audit_search"),
    path("audit/patient/<int:patient_id>/export.csv", views.audit_patient_export,
         name="audit_patient_export"),
    path("taches-en-echec/", views.task_failures, name="task_failures"),
    path("taches-en-echec/<int:pk>/acquitter/", views.task_failure_acknowledge,
         name="task_failure_acknowledge"),
]
