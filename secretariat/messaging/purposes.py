"""What each message is for, as shown to the secretariat. Apps register their purposes at start-up
(``register_purpose("agenda.reminder", _("Appointment reminder"))``); an unknown code shows as is."""

_LABELS: dict[str, object] = {}


def register_purpose(code: str, label) -> None:
    if code in _LABELS:
        raise ValueError(f"Message purpose {code!r} is registered twice.")
    _LABELS[code] = label


def purpose_label(code: str) -> str:
    return str(_LABELS.get(code, code))
