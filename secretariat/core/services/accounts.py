"""Writes about staff accounts: creation, roles and care teams, 2FA, API tokens.

One public function = one transaction with its audit rows inside.
"""

from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from secretariat.core import audit
from secretariat.core.models import ApiToken, CareTeam, User
from secretariat.core.services.errors import ServiceError


def _snapshot(user: User) -> dict:
    return {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "role": user.role,
        "is_active": user.is_active,
        "care_teams": sorted(user.care_teams.values_list("name", flat=True)),
    }


def _check_same_structure(user: User, *, acting_user: User) -> None:
    if acting_user.structure_id is None or user.structure_id != acting_user.structure_id:
        raise ServiceError(_("This account belongs to another structure."))


def _check_teams(care_teams, *, structure_id: int) -> list[CareTeam]:
    teams = list(care_teams)
    if any(team.structure_id != structure_id for team in teams):
        raise ServiceError(_("A care team of another structure cannot be assigned."))
    return teams


@transaction.atomic(durable=True)
def create_staff_user(
    *, username: str, first_name: str, last_name: str, email: str, role: str,
    care_teams=(), acting_user: User,
) -> User:
    """Create an account in the coordinator's structure; the person sets a password by e-mail."""
    if User.objects.filter(username__iexact=username).exists():
        raise ServiceError(_("The username “{username}” is already taken.").format(username=username))
    if email and User.objects.filter(email__iexact=email).exists():
        raise ServiceError(_("Another account already uses this e-mail address."))
    teams = _check_teams(care_teams, structure_id=acting_user.structure_id)
    user = User(
        username=username, first_name=first_name, last_name=last_name, email=email,
        role=role, structure_id=acting_user.structure_id,
    )
    user.set_unusable_password()
    user.save()
    user.care_teams.set(teams)
    audit.record("core.user_created", target=user, data={"new": _snapshot(user)}, acting_user=acting_user)
    return user


@transaction.atomic(durable=True)
def update_staff_user(
    user: User, *, first_name: str, last_name: str, email: str, role: str, care_teams,
    acting_user: User,
) -> User:
    _check_same_structure(user, acting_user=acting_user)
    if email and User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists():
        raise ServiceError(_("Another account already uses this e-mail address."))
    if user.pk == acting_user.pk and role != user.role:
        raise ServiceError(_("You cannot change your own role; ask another coordinator."))
    teams = _check_teams(care_teams, structure_id=user.structure_id)
    before = _snapshot(user)
    user.first_name, user.last_name, user.email, user.role = first_name, last_name, email, role
    user.save(update_fields=["first_name", "last_name", "email", "role"])
    user.care_teams.set(teams)
    diff = audit.changes(before, _snapshot(user))
    if diff:
        audit.record("core.user_changed", target=user, data={"changes": diff}, acting_user=acting_user)
    return user


@transaction.atomic(durable=True)
def set_user_active(user: User, *, active: bool, acting_user: User) -> User:
    """Disable or re-enable an account. A disabled account keeps its history and cannot log in."""
    _check_same_structure(user, acting_user=acting_user)
    if user.pk == acting_user.pk and not active:
        raise ServiceError(_("You cannot disable your own account."))
    if user.is_active == active:
        return user
    user.is_active = active
    user.save(update_fields=["is_active"])
    if not active:
        ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    audit.record(
        "core.user_enabled" if active else "core.user_disabled", target=user, acting_user=acting_user
    )
    return user


@transaction.atomic(durable=True)
def reset_two_factor(user: User, *, acting_user: User) -> int:
    """Remove the user's authenticator so they enrol a new one at next login (lost phone)."""
    _check_same_structure(user, acting_user=acting_user)
    removed, _details = TOTPDevice.objects.filter(user=user).delete()
    audit.record("core.two_factor_reset", target=user, data={"devices": removed}, acting_user=acting_user)
    return removed


@transaction.atomic(durable=True)
def confirm_two_factor(device: TOTPDevice, *, code: str, acting_user: User) -> bool:
    """Confirm a new authenticator with a first code; older devices of the user are removed."""
    if not device.verify_token(code.replace(" ", "")):
        return False
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit.record("core.two_factor_enabled", target=device.user, acting_user=acting_user)
    return True


@transaction.atomic(durable=True)
def set_care_team_members(team: CareTeam, *, members, practitioners, acting_user: User) -> CareTeam:
    if team.structure_id != acting_user.structure_id:
        raise ServiceError(_("This care team belongs to another structure."))
    members, practitioners = list(members), list(practitioners)
    if any(m.structure_id != team.structure_id for m in members) or any(
        p.structure_id != team.structure_id for p in practitioners
    ):
        raise ServiceError(_("Only people of the same structure can join a care team."))
    before = {
        "members": [m.username for m in team.members.all()],
        "practitioners": [str(p) for p in team.practitioners.all()],
    }
    team.members.set(members)
    team.practitioners.set(practitioners)
    after = {"members": [m.username for m in members], "practitioners": [str(p) for p in practitioners]}
    diff = audit.changes(before, after)
    if diff:
        audit.record("core.care_team_changed", target=team, data={"changes": diff}, acting_user=acting_user)
    return team


@transaction.atomic(durable=True)
def create_care_team(*, name: str, acting_user: User) -> CareTeam:
    """Create an empty care team in the coordinator's structure; people are added afterwards."""
    if acting_user.structure_id is None:
        raise ServiceError(_("Your account is not attached to a structure."))
    name = name.strip()
    if CareTeam.objects.filter(structure_id=acting_user.structure_id, name__iexact=name).exists():
        raise ServiceError(_("A care team named “{name}” already exists.").format(name=name))
    team = CareTeam.objects.create(structure_id=acting_user.structure_id, name=name)
    audit.record("core.care_team_created", target=team, acting_user=acting_user)
    return team


@transaction.atomic(durable=True)
def issue_api_token(user: User, *, name: str = "", acting_user: User | None = None) -> str:
    """Create a token for ``user`` and return it; it is shown once and only its hash is kept."""
    if not user.is_active:
        raise ServiceError(_("A disabled account cannot receive an API token."))
    raw, prefix, key_hash = ApiToken.generate()
    ApiToken.objects.create(user=user, name=name, prefix=prefix, key_hash=key_hash)
    audit.record("core.api_token_issued", target=user, data={"token": prefix, "name": name},
                 acting_user=acting_user)
    return raw


@transaction.atomic(durable=True)
def revoke_api_token(token: ApiToken, *, acting_user: User | None = None) -> ApiToken:
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record("core.api_token_revoked", target=token.user, data={"token": token.prefix},
                     acting_user=acting_user)
    return token


def send_password_reset(user_id: int, *, domain: str, use_https: bool) -> bool:
    """Mail a one-time link to set a new password. Silent for unknown or disabled accounts."""
    user = User.objects.filter(pk=user_id, is_active=True).exclude(email="").first()
    if user is None:
        return False
    path = reverse(
        "core:password_reset_confirm",
        kwargs={"uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user)},
    )
    link = f"{'https' if use_https else 'http'}://{domain}{path}"
    context = {"user": user, "link": link}
    send_mail(
        subject=_("Secretariat: set your password"),
        message=render_to_string("registration/password_reset_email.txt", context),
        from_email=None,
        recipient_list=[user.email],
    )
    return True
