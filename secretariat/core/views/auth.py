"""Log in (username or e-mail), second factor, password reset, log out."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from secretariat.core import two_factor
from secretariat.core.forms import LoginForm, PasswordResetRequestForm, TwoFactorCodeForm
from secretariat.core.models import User
from secretariat.core.services.accounts import confirm_two_factor
from secretariat.core.tasks import enqueue_on_commit, send_password_reset_email

DESK_COOKIE = "secretariat_desk"


def _safe_next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                       require_https=request.is_secure()):
        return target
    return default


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        desk = form.cleaned_data.get("desk", "")
        if desk:
            response.set_cookie(DESK_COOKIE, desk, max_age=365 * 24 * 3600, httponly=True,
                                samesite="Lax", secure=self.request.is_secure())
        return response

    def get_initial(self):
        return {"desk": self.request.COOKIES.get(DESK_COOKIE, "")}


@sensitive_post_parameters("code")
@login_required
@require_http_methods(["GET", "POST"])
def two_factor_verify(request):
    next_url = _safe_next(request, reverse_lazy("core:home"))
    if request.user.is_verified():
        return redirect(next_url)
    form = TwoFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = next(
            (d for d in TOTPDevice.objects.devices_for_user(request.user, confirmed=True)
             if d.verify_token(form.cleaned_data["code"])),
            None,
        )
        if device is not None:
            otp_login(request, device)
            return redirect(next_url)
        form.add_error("code", _("This code is not valid. Type the 6 digits shown now in your app."))
    return render(request, "registration/two_factor_verify.html", {"form": form, "next": next_url})


@sensitive_post_parameters("code")
@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request):
    """Enrol an authenticator app: scan the QR code, type the first code."""
    if request.user.is_verified():
        return redirect("core:home")
    if two_factor.has_confirmed_device(request.user):
        return redirect("core:two_factor_verify")
    device = two_factor.pending_device(request.user)
    form = TwoFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if confirm_two_factor(device, code=form.cleaned_data["code"], acting_user=request.user):
            otp_login(request, device)
            messages.success(request, _("Two-factor authentication is on for your account."))
            return redirect("core:home")
        form.add_error("code", _("This code is not valid. Check the time of your phone and type the current code."))
    return render(request, "registration/two_factor_setup.html", {
        "form": form,
        "qr_code": two_factor.qr_code_data_uri(device),
        "secret": two_factor.secret_for_manual_entry(device),
        "required": settings.REQUIRE_2FA,
    })


@require_http_methods(["GET", "POST"])
def password_reset_request(request):
    """Always answer the same, whether the address is known or not."""
    form = PasswordResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        for user in User.objects.filter(email__iexact=form.cleaned_data["email"], is_active=True):
            enqueue_on_commit(send_password_reset_email, user.pk, request.get_host(), request.is_secure())
        return redirect("core:password_reset_done")
    return render(request, "registration/password_reset_form.html", {"form": form})


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "registration/password_reset_confirm.html"
    success_url = reverse_lazy("core:password_reset_complete")


class LogoutView(auth_views.LogoutView):
    pass

