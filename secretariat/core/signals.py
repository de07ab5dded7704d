"""Login events go to the audit trail and start the inactivity clock (Django's auth signals are the only hook)."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from secretariat.core import audit
from secretariat.core.middleware import mark_activity


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        mark_activity(request.session)
    audit.record("core.user_logged_in", target=user, acting_user=user)


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit.record("core.user_logged_out", target=user, acting_user=user)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    typed = str((credentials or {}).get("username", ""))[:150]
    audit.record("core.login_failed", data={"username": typed})
