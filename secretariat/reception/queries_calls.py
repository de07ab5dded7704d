"""Reads of the phone log, scoped to what the user may see: calls about a patient follow the
practitioners the user works with; calls about no patient are visible to the whole structure."""

from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from secretariat.agenda.queries import structure_time_zone
from secretariat.core.access import practitioners_for
from secretariat.patients.permissions import patients_for
from secretariat.reception.models import PhoneCall


def calls_for(user) -> QuerySet[PhoneCall]:
    return PhoneCall.objects.filter(structure_id=user.structure_id).filter(
        Q(patient__isnull=True)
        | Q(practitioner__in=practitioners_for(user))
        | Q(practitioner__isnull=True, patient__in=patients_for(user)))


def access_call(user, pk) -> PhoneCall:
    try:
        return calls_for(user).get(pk=pk)
    except (PhoneCall.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def day_bounds(day: date) -> tuple[datetime, datetime]:
    tz = structure_time_zone()
    start = datetime.combine(day, time.min, tzinfo=tz)
    return start, start + timedelta(days=1)


def calls_of_day(user, day: date, *, outcome: str = "", taken_by=None) -> QuerySet[PhoneCall]:
    calls = calls_for(user).filter(taken_at__range=day_bounds(day))
    if outcome:
        calls = calls.filter(outcome=outcome)
    if taken_by is not None:
        calls = calls.filter(taken_by=taken_by)
    return calls.select_related("patient", "practitioner", "taken_by", "triage", "callback_assigned_to",
                                "callback_done_by").order_by("-taken_at")


def pending_callbacks(user) -> QuerySet[PhoneCall]:
    """Callbacks of the team not done yet, the most overdue first."""
    return (calls_for(user).filter(callback_due_at__isnull=False, callback_done_at__isnull=True)
            .select_related("patient", "practitioner", "taken_by", "callback_assigned_to")
            .order_by("callback_due_at", "pk"))


def callbacks_done_today(user, now=None) -> QuerySet[PhoneCall]:
    now = now or timezone.now()
    return (calls_for(user).filter(callback_done_at__range=day_bounds(now.astimezone(structure_time_zone()).date()))
            .select_related("patient", "callback_done_by").order_by("-callback_done_at"))
