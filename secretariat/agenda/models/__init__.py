"""Models of the agenda, by concern: schedules and directives, appointments, waiting list,
messages and online booking."""

from .appointments import (
    MAX_APPOINTMENT_LENGTH,
    NO_OVERLAP_CONSTRAINT,
    RESOURCE_NO_OVERLAP_CONSTRAINT,
    RESOURCE_SAME_START_CONSTRAINT,
    SAME_START_CONSTRAINT,
    Appointment,
    AppointmentSeries,
    ExternalAppointment,
    ResourceBooking,
)
from .messages import AppointmentMessage, CalendarFeed, OnlineBookingRequest
from .schedule import (
    Absence,
    AgendaSettings,
    AppointmentType,
    PractitionerDirectives,
    Resource,
    ScheduleException,
    TypeDirective,
    WeeklyPeriod,
)
from .waiting import SlotOffer, WaitingListEntry

__all__ = [
    "MAX_APPOINTMENT_LENGTH",
    "NO_OVERLAP_CONSTRAINT",
    "RESOURCE_NO_OVERLAP_CONSTRAINT",
    "RESOURCE_SAME_START_CONSTRAINT",
    "SAME_START_CONSTRAINT",
    "Absence",
    "AgendaSettings",
    "Appointment",
    "AppointmentMessage",
    "AppointmentSeries",
    "AppointmentType",
    "CalendarFeed",
    "ExternalAppointment",
    "OnlineBookingRequest",
    "PractitionerDirectives",
    "Resource",
    "ResourceBooking",
    "ScheduleException",
    "SlotOffer",
    "TypeDirective",
    "WaitingListEntry",
    "WeeklyPeriod",
]
