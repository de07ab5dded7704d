"""Log in with a username or an e-mail address."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class UsernameOrEmailBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or password is None:
            return None
        users = get_user_model()._default_manager
        lookup = {"email__iexact": username} if "@" in username else {"username__iexact": username}
        try:
            user = users.get(**lookup)
        except (users.model.DoesNotExist, users.model.MultipleObjectsReturned):
            # Same cost as a real check, so timing does not tell which accounts exist.
            users.model().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


def axes_username(request, credentials) -> str:
    """Count failures per account whether the person typed the username or the e-mail."""
    typed = (credentials or {}).get("username") or request.POST.get("username", "")
    return typed.strip().lower()
