"""Roles and the capability map: what each role may see and do.

A capability is checked by views (``require_capability``) and by the navigation.
Access to a given patient or practitioner is further scoped by structure and
care team in ``access.py``.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    SECRETARY = "secretary", _("Medical secretary")
    RECEPTION = "reception", _("Reception agent")
    PRACTITIONER = "practitioner", _("Practitioner")
    COORDINATOR = "coordinator", _("Coordinator")
    ACCOUNTANT = "accountant", _("Accountant")


class Capability(models.TextChoices):
    VIEW_DESK = "view_desk", _("See the welcome desk")
    VIEW_DIRECTORY = "view_directory", _("See the structure's directory")
    VIEW_PATIENTS = "view_patients", _("See patient files")
    EDIT_PATIENTS = "edit_patients", _("Create and edit patient identities")
    MERGE_PATIENTS = "merge_patients", _("Review duplicates, merge and split patient records")
    VIEW_AGENDA = "view_agenda", _("See agendas")
    BOOK_APPOINTMENTS = "book_appointments", _("Book appointments")
    OVERRIDE_DIRECTIVES = "override_directives", _("Book against a practitioner's directives, with a reason")
    EDIT_DIRECTIVES = "edit_directives", _("Edit practitioners' schedules and directives")
    READ_MEDICAL_MESSAGES = "read_medical_messages", _("Read messages about patients' care")
    EDIT_TRIAGE_PROTOCOLS = "edit_triage_protocols", _("Write the urgency triage protocols")
    CLOSE_INCIDENTS = "close_incidents", _("Close incident reports")
    VIEW_MAIL = "view_mail", _("See the mail registry")
    VIEW_BILLING = "view_billing", _("See billing")
    MANAGE_CASH_BOOK = "manage_cash_book", _("Keep and close the cash book")
    VIEW_STOCK = "view_stock", _("See the stock")
    VIEW_TEAM = "view_team", _("See the team planning")
    VIEW_STATS = "view_stats", _("See activity statistics")
    MANAGE_USERS = "manage_users", _("Manage users, roles and care teams")
    MANAGE_ORGANISATION = "manage_organisation", _("Manage sites, services and practitioners")
    VIEW_AUDIT = "view_audit", _("Search the audit trail")
    VIEW_TASK_FAILURES = "view_task_failures", _("See failed background tasks")


C = Capability

CAPABILITIES: dict[str, frozenset[str]] = {
    Role.SECRETARY: frozenset({
        C.VIEW_DESK, C.VIEW_DIRECTORY, C.VIEW_PATIENTS, C.EDIT_PATIENTS, C.VIEW_AGENDA,
        C.BOOK_APPOINTMENTS, C.READ_MEDICAL_MESSAGES, C.VIEW_MAIL, C.VIEW_BILLING, C.VIEW_TEAM,
    }),
    Role.RECEPTION: frozenset({
        C.VIEW_DESK, C.VIEW_DIRECTORY, C.VIEW_PATIENTS, C.EDIT_PATIENTS, C.VIEW_AGENDA,
        C.BOOK_APPOINTMENTS,
    }),
    Role.PRACTITIONER: frozenset({
        C.VIEW_DESK, C.VIEW_DIRECTORY, C.VIEW_PATIENTS, C.VIEW_AGENDA, C.BOOK_APPOINTMENTS,
        C.OVERRIDE_DIRECTIVES, C.EDIT_DIRECTIVES, C.EDIT_TRIAGE_PROTOCOLS,
        C.READ_MEDICAL_MESSAGES, C.VIEW_MAIL, C.VIEW_TEAM, C.VIEW_STATS,
    }),
    Role.COORDINATOR: frozenset({
        C.VIEW_DESK, C.VIEW_DIRECTORY, C.VIEW_PATIENTS, C.EDIT_PATIENTS, C.MERGE_PATIENTS, C.VIEW_AGENDA,
        C.BOOK_APPOINTMENTS, C.OVERRIDE_DIRECTIVES, C.EDIT_DIRECTIVES, C.READ_MEDICAL_MESSAGES, C.VIEW_MAIL,
        C.VIEW_BILLING, C.VIEW_STOCK, C.VIEW_TEAM, C.VIEW_STATS, C.MANAGE_USERS, C.MANAGE_ORGANISATION,
        C.VIEW_AUDIT, C.VIEW_TASK_FAILURES, C.CLOSE_INCIDENTS,
    }),
    Role.ACCOUNTANT: frozenset({
        C.VIEW_DIRECTORY, C.VIEW_BILLING, C.MANAGE_CASH_BOOK, C.VIEW_STOCK, C.VIEW_STATS,
    }),
}


def capabilities_of(role: str) -> frozenset[str]:
    return CAPABILITIES.get(role, frozenset())
