from django.contrib.auth import views as auth_views
from django.urls import include, path, reverse_lazy
from django.views.i18n import set_language

from secretariat.core.views import auth, shell

app_name = "core"

urlpatterns = [
    path("", shell.home, name="home"),
    path("recherche/", shell.search, name="search"),
    path("annuaire/", shell.practitioner_list, name="practitioner_list"),
    path("annuaire/<int:pk>/", shell.practitioner_detail, name="practitioner_detail"),
    path("connexion/", auth.LoginView.as_view(), name="login"),
    path("deconnexion/", auth.LogoutView.as_view(), name="logout"),
    path("connexion/code/", auth.two_factor_verify, name="two_factor_verify"),
    path("connexion/double-authentification/", auth.two_factor_setup, name="two_factor_setup"),
    path("mot-de-passe/oublie/", auth.password_reset_request, name="password_reset"),
    path(
        "mot-de-passe/envoye/",
        auth_views.PasswordResetDoneView.as_view(template_name="registration/password_reset_done.html"),
        name="password_reset_done",
    ),
    path("mot-de-passe/nouveau/<uidb64>/<token>/", auth.PasswordResetConfirmView.as_view(),
         name="password_reset_confirm"),
    path(
        "mot-de-passe/change/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="registration/password_reset_complete.html",
            extra_context={"login_url": reverse_lazy("core:login")},
        ),
        name="password_reset_complete",
    ),
    path("langue/", set_language, name="set_language"),
    path("administration/organisation/", include("secretariat.core.organisation_urls")),
    path("administration/", include("secretariat.core.admin_urls")),
]
