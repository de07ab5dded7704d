from secretariat.patients.models.history import IdentityChange
from secretariat.patients.models.identity import Patient

__all__ = ["IdentityChange", "Patient"]
