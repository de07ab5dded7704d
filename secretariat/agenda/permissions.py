"""Who sees which appointments: those of the practitioners the user works with (404 otherwise)."""

from django.db.models import QuerySet
from django.http import Http404

from secretariat.agenda.models import Appointment
from secretariat.core.access import practitioners_for


def appointments_for(user) -> QuerySet[Appointment]:
    return Appointment.objects.filter(practitioner__in=practitioners_for(user))


def access_appointment(user, pk) -> Appointment:
    try:
        return appointments_for(user).select_related("patient", "practitioner", "appointment_type", "site").get(
            pk=pk)
    except (Appointment.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
