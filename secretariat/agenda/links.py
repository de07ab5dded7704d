"""Signed links sent to patients (confirm or cancel an appointment, accept a slot offer).

A link carries the purpose and the object's id, signed with the secret key and timestamped;
a forged, altered or expired link is refused without touching the database. Purposes are
part of the signature, so a confirmation link cannot be replayed as a cancellation.
"""

from datetime import timedelta

from django.core import signing

_SALT = "secretariat.agenda.links"


class BadLink(Exception):
    """The link was forged, altered, meant for something else, or has expired."""


def make_token(purpose: str, pk: int) -> str:
    return signing.TimestampSigner(salt=f"{_SALT}.{purpose}").sign_object({"pk": pk}, compress=False)


def read_token(token: str, purpose: str, *, max_age: timedelta) -> int:
    """The id carried by ``token`` for ``purpose``; BadLink when invalid or older than ``max_age``."""
    signer = signing.TimestampSigner(salt=f"{_SALT}.{purpose}")
    try:
        payload = signer.unsign_object(token, max_age=max_age)
    except signing.BadSignature as error:  # SignatureExpired is a BadSignature
        raise BadLink(str(error)) from error
    pk = payload.get("pk") if isinstance(payload, dict) else None
    if not isinstance(pk, int):
        raise BadLink("no id in the link")
    return pk
