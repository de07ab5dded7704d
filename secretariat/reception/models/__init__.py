"""Models of the welcome desk, by concern: the day at the desk, phone calls, transmissions,
triage, incidents and the satisfaction survey."""

from .calls import PhoneCall
from .desk import ConsultingRoom, Priority, PublicScreen, ReceptionSettings, Visit, VitaleReading
from .incidents import Incident
from .surveys import SurveyInvitation, SurveyResponse
from .transmissions import Transmission
from .triage import TriageProtocol, TriageRecord

__all__ = [
    "ConsultingRoom",
    "Incident",
    "PhoneCall",
    "Priority",
    "PublicScreen",
    "ReceptionSettings",
    "SurveyInvitation",
    "SurveyResponse",
    "Transmission",
    "TriageProtocol",
    "TriageRecord",
    "Visit",
    "VitaleReading",
]
