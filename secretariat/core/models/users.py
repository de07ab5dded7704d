"""Staff accounts and API tokens."""

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from secretariat.core.roles import Role, capabilities_of


class User(AbstractUser):
    """A member of staff. Superusers (support) may have no structure."""

    structure = models.ForeignKey(
        "core.Structure", on_delete=models.PROTECT, null=True, blank=True, related_name="users"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        constraints = [
            models.UniqueConstraint(
                Lower("email"), condition=~models.Q(email=""), name="user_unique_email_ci"
            ),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def capabilities(self) -> frozenset[str]:
        if not self.is_active:
            return frozenset()
        return capabilities_of(self.role)

    def has_capability(self, capability: str) -> bool:
        return capability in self.capabilities


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def usable(self):
        return self.filter(revoked_at__isnull=True, user__is_active=True)


class ApiToken(models.Model):
    """A bearer token acting as its user. Only a hash is kept; the token is shown once."""

    PREFIX_LENGTH = 8

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100, blank=True)
    prefix = models.CharField(_("prefix"), max_length=PREFIX_LENGTH)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @classmethod
    def generate(cls) -> tuple[str, str, str]:
        """Return (raw token, prefix, hash)."""
        raw = "sec_" + secrets.token_urlsafe(32)
        return raw, raw[4 : 4 + cls.PREFIX_LENGTH], hash_token(raw)

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
