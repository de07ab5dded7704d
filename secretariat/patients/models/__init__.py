from secretariat.patients.models.administrative import (
    Address,
    AdministrativeChange,
    AdministrativeFile,
    AmcCoverage,
    AmoCoverage,
    ContactPerson,
)
from secretariat.patients.models.history import IdentityChange
from secretariat.patients.models.identity import NameKey, Patient
from secretariat.patients.models.merge import DuplicateSuspicion, PatientMerge

__all__ = [
    "Address",
    "AdministrativeChange",
    "AdministrativeFile",
    "AmcCoverage",
    "AmoCoverage",
    "ContactPerson",
    "DuplicateSuspicion",
    "IdentityChange",
    "NameKey",
    "Patient",
    "PatientMerge",
]
