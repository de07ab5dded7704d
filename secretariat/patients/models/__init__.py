from secretariat.patients.models.history import IdentityChange
from secretariat.patients.models.identity import Patient
from secretariat.patients.models.merge import DuplicateSuspicion, PatientMerge

__all__ = ["DuplicateSuspicion", "IdentityChange", "Patient", "PatientMerge"]
