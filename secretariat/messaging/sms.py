"""Sending SMS: one small interface, three backends chosen by ``SECRETARIAT_SMS_BACKEND``.

- ``file`` (the demo default) appends one JSON line per SMS to ``SECRETARIAT_SMS_FILE``;
- ``console`` writes them to standard output;
- ``http`` posts ``{"to", "from", "text"}`` as JSON to ``SECRETARIAT_SMS_HTTP_URL`` with the
  API key in the header named by ``SECRETARIAT_SMS_API_KEY_HEADER``; most SMS gateways accept
  this shape directly or through a small adapter of their own.

Numbers are sent in E.164 (``+33612345678``), the form every gateway takes.
"""

import json
import re
import sys
import threading
import urllib.error
import urllib.request
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone


class SmsError(Exception):
    """The SMS was not accepted. ``permanent``: trying again will not help (bad number, bad key)."""

    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


# Overseas departments use French 06 numbers under their own country codes (ITU E.164
# assignments; ARCEP numbering plan, "plan national de numérotation", mobile blocks by territory).
_OVERSEAS_MOBILE_PREFIXES = {
    "0690": "+590", "0691": "+590",  # Guadeloupe, Saint-Martin, Saint-Barthélemy
    "0694": "+594",  # Guyane
    "0696": "+596", "0697": "+596",  # Martinique
    "0692": "+262", "0693": "+262",  # La Réunion
    "0639": "+262",  # Mayotte
}
_SEPARATORS = re.compile(r"[\s.\-/()]")
_FRENCH_NUMBER = re.compile(r"0[1-9][0-9]{8}")
_E164 = re.compile(r"\+[1-9][0-9]{6,14}")


def to_e164(number: str) -> str:
    """``06 12 34 56 78`` → ``+33612345678``; ``+41 79…`` kept; anything else is a permanent error."""
    compact = _SEPARATORS.sub("", number or "")
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    if compact.startswith("+330"):  # "+33 06…" keeps its 0 by mistake often enough
        compact = "+33" + compact[4:]
    if _FRENCH_NUMBER.fullmatch(compact):
        country = _OVERSEAS_MOBILE_PREFIXES.get(compact[:4], "+33")
        return country + compact[1:]
    if _E164.fullmatch(compact):
        return compact
    raise SmsError("not a phone number that can receive an SMS", permanent=True)


@dataclass(frozen=True)
class SentSms:
    reference: str


class SmsBackend(ABC):
    """Send one SMS; return the provider's reference, raise ``SmsError`` when refused."""

    @abstractmethod
    def send(self, *, to: str, text: str) -> SentSms: ...


class ConsoleSmsBackend(SmsBackend):
    def __init__(self, stream=None):
        self.stream = stream or sys.stdout

    def send(self, *, to: str, text: str) -> SentSms:
        self.stream.write(f"SMS to {to} from {settings.SECRETARIAT_SMS_SENDER}:\n{text}\n{'-' * 40}\n")
        self.stream.flush()
        return SentSms(reference="console")


class FileSmsBackend(SmsBackend):
    """Appends JSON lines; one lock per process keeps the lines of two worker threads whole."""

    _lock = threading.Lock()

    def __init__(self, path: str | Path | None = None):
        self.path = Path(path or settings.SECRETARIAT_SMS_FILE)

    def send(self, *, to: str, text: str) -> SentSms:
        line = json.dumps({"at": timezone.now().isoformat(), "to": to,
                           "from": settings.SECRETARIAT_SMS_SENDER, "text": text}, ensure_ascii=False)
        try:
            with self._lock:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                with self.path.open("a", encoding="utf-8") as output:
                    output.write(line + "\n")
        except OSError as error:
            raise SmsError(f"cannot write the SMS file: {error.strerror or error}") from error
        return SentSms(reference=f"file:{self.path.name}")


class HttpSmsBackend(SmsBackend):
    """A JSON POST to the gateway. 4xx answers (except 408 and 429) are permanent refusals."""

    def __init__(self, *, url: str | None = None, api_key: str | None = None, header: str | None = None,
                 sender: str | None = None, timeout: int | None = None):
        self.url = url or settings.SECRETARIAT_SMS_HTTP_URL
        self.api_key = api_key if api_key is not None else settings.SECRETARIAT_SMS_API_KEY
        self.header = header or settings.SECRETARIAT_SMS_API_KEY_HEADER
        self.sender = sender or settings.SECRETARIAT_SMS_SENDER
        self.timeout = timeout or settings.SECRETARIAT_SMS_TIMEOUT
        if not self.url.startswith(("https://", "http://")):
            raise SmsError("the SMS gateway address must start with https://", permanent=True)

    def send(self, *, to: str, text: str) -> SentSms:
        payload = json.dumps({"to": to, "from": self.sender, "text": text}).encode()
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked in __init__
            self.url, data=payload, method="POST",
            headers={"Content-Type": "application/json", "Accept": "application/json",
                     self.header: self.api_key},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                body = response.read(10_000)
        except urllib.error.HTTPError as error:
            permanent = 400 <= error.code < 500 and error.code not in (408, 429)
            raise SmsError(f"the SMS gateway answered {error.code} {error.reason}",
                           permanent=permanent) from error
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise SmsError(f"the SMS gateway cannot be reached: {reason}") from error
        return SentSms(reference=_reference_from(body))


def _reference_from(body: bytes) -> str:
    """The gateway's message id when its answer carries one (``id`` or ``message_id``)."""
    try:
        answer = json.loads(body or b"{}")
    except ValueError:
        return ""
    if not isinstance(answer, dict):
        return ""
    return str(answer.get("id") or answer.get("message_id") or "")[:100]


def get_sms_backend() -> SmsBackend:
    name = settings.SECRETARIAT_SMS_BACKEND
    if name == "http":
        return HttpSmsBackend()
    if name == "console":
        return ConsoleSmsBackend()
    return FileSmsBackend()
