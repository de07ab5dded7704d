"""Protocols shipped with the software, as data the practitioners of a structure review and adopt."""

import copy
import json
from functools import cache
from pathlib import Path

HERE = Path(__file__).resolve().parent


@cache
def _read(name: str) -> dict:
    return json.loads((HERE / f"{name}.json").read_text(encoding="utf-8"))


def load(name: str = "general_practice") -> dict:
    """``{"name", "context", "sources", "tree"}`` of a shipped protocol (a fresh copy each call)."""
    return copy.deepcopy(_read(name))
