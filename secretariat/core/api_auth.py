"""``Authorization: Bearer <token>`` for the JSON API; the token acts exactly as its user."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from secretariat.core import audit
from secretariat.core.models import ApiToken
from secretariat.core.models.users import hash_token


class BearerTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("The Authorization header must be “Bearer <token>”."))
        raw = header[1].decode(errors="replace")
        try:
            token = ApiToken.objects.usable().select_related("user").get(key_hash=hash_token(raw))
        except ApiToken.DoesNotExist:
            raise exceptions.AuthenticationFailed(_("This token is unknown or revoked.")) from None
        now = timezone.now()
        # One write per minute at most: the timestamp is for coordinators, not for accounting.
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        # DRF authenticates inside the view, after the audit middleware: name the actor now.
        audit.current_context().user = token.user
        return token.user, token

    def authenticate_header(self, request) -> str:
        return self.keyword
