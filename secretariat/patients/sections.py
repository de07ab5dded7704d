"""Sections other apps add to the patient page (the agenda's appointments, later the
documents and the bills), without this app depending on them.

An app registers, in its ``AppConfig.ready``, a template and a function giving its context
for a user and a patient; the patient page renders the sections in registration order. A
provider returns None to show nothing (the user may not see that part).
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class PatientSection:
    template: str
    context: Callable  # (user, patient) -> dict | None


_SECTIONS: list[PatientSection] = []


def register_section(template: str, context: Callable) -> None:
    if not any(section.template == template for section in _SECTIONS):
        _SECTIONS.append(PatientSection(template, context))


def sections_for(user, patient) -> list[tuple[str, dict]]:
    rendered = []
    for section in _SECTIONS:
        context = section.context(user, patient)
        if context is not None:
            rendered.append((section.template, context))
    return rendered
