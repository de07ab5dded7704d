"""Uploaded files between the upload and the confirmation, under MEDIA_ROOT/imports/.

No table: each upload is ``<token>.csv`` (the bytes as sent) beside ``<token>.json`` (who
uploaded it, the file's name, when). The token is random (144 bits) and an upload opens only
for the user who sent it; anyone else gets a 404. The file holds identities: it is deleted
as soon as the import is done, and any upload left behind is deleted after ``KEEP_HOURS``.

Confirming first renames ``<token>.csv`` to ``<token>.importing``: a second click (or a
second tab) finds nothing to import, so a file is never imported twice. When the import
fails the name is given back; when it succeeds the data goes and ``<token>.done.json`` keeps
the outcome (row numbers and patient numbers, no identity) for the result page.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.http import Http404
from django.utils import timezone

KEEP_HOURS = 24
_TOKEN = re.compile(r"[A-Za-z0-9_-]{24}")


class AlreadyClaimed(Exception):
    """The upload is being imported, or was, by another request."""


@dataclass(frozen=True)
class Upload:
    token: str
    name: str
    user_id: int
    structure_id: int
    uploaded_at: str

    @property
    def data_path(self) -> Path:
        return directory() / f"{self.token}.csv"

    @property
    def claimed_path(self) -> Path:
        return directory() / f"{self.token}.importing"

    @property
    def result_path(self) -> Path:
        return directory() / f"{self.token}.done.json"

    def read(self) -> bytes:
        return self.data_path.read_bytes()

    def is_done(self) -> bool:
        return self.result_path.exists()


def directory() -> Path:
    path = Path(settings.MEDIA_ROOT) / "imports"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def save(data: bytes, *, name: str, user) -> Upload:
    forget_stale()
    token = secrets.token_urlsafe(18)
    upload = Upload(token=token, name=Path(name).name[:200] or "import.csv", user_id=user.pk,
                    structure_id=user.structure_id, uploaded_at=timezone.now().isoformat())
    _write(upload.data_path, data)
    _write(directory() / f"{token}.json", json.dumps({
        "name": upload.name, "user_id": upload.user_id, "structure_id": upload.structure_id,
        "uploaded_at": upload.uploaded_at,
    }).encode())
    return upload


def _write(path: Path, data: bytes) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)


def open_upload(token: str, *, user) -> Upload:
    """The user's own upload, or 404 (unknown token, someone else's, or deleted)."""
    if not _TOKEN.fullmatch(token or ""):
        raise Http404
    try:
        meta = json.loads((directory() / f"{token}.json").read_text())
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    if meta.get("user_id") != user.pk or meta.get("structure_id") != user.structure_id:
        raise Http404
    return Upload(token=token, name=meta["name"], user_id=meta["user_id"],
                  structure_id=meta["structure_id"], uploaded_at=meta["uploaded_at"])


def claim(upload: Upload) -> None:
    try:
        os.rename(upload.data_path, upload.claimed_path)
    except FileNotFoundError:
        raise AlreadyClaimed from None


def release(upload: Upload) -> None:
    """Give the file back after a failed import, so that it can be checked and confirmed again."""
    os.rename(upload.claimed_path, upload.data_path)


def read_claimed(upload: Upload) -> bytes:
    return upload.claimed_path.read_bytes()


def finish(upload: Upload, result: dict) -> None:
    """Keep the outcome for the result page and delete the identities."""
    _write(upload.result_path, json.dumps(result).encode())
    upload.claimed_path.unlink(missing_ok=True)


def read_result(upload: Upload) -> dict | None:
    try:
        return json.loads(upload.result_path.read_text())
    except FileNotFoundError:
        return None


def discard(upload: Upload) -> None:
    for path in (upload.data_path, directory() / f"{upload.token}.json", upload.result_path):
        path.unlink(missing_ok=True)


def forget_stale(*, now: float | None = None) -> int:
    """Delete the files of uploads older than KEEP_HOURS; how many files went."""
    limit = (now or time.time()) - KEEP_HOURS * 3600
    removed = 0
    for path in directory().iterdir():
        try:
            if path.is_file() and path.stat().st_mtime < limit:
                path.unlink()
                removed += 1
        except FileNotFoundError:
            continue
    return removed
