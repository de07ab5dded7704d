from secretariat.patients.models.history import IdentityChange
from secretariat.patients.models.identity import Patient
from secretariat.patients.models.merge import PatientMerge

__all__ = ["IdentityChange", "Patient", "PatientMerge"]
