"""Rate limits of the code requests, counted from ``OnlineBookingRequest`` rows.

Counting rows (indexed by address, e-mail and phone with ``created_at``) works across web
processes and machines without a shared cache. A refused request writes nothing.
"""

from datetime import datetime, timedelta

from django.utils.translation import gettext as _

from secretariat.agenda.models import OnlineBookingRequest

WINDOW = timedelta(hours=1)
PER_ADDRESS = 10  # code requests per hour from one client address (a family, an office)
PER_CONTACT = 3  # codes per hour to one e-mail address or one phone number


def refusal(*, client_address: str | None, email: str, phone: str, now: datetime) -> str | None:
    """Why a new code cannot be sent now, or None. Three indexed counts at most."""
    recent = OnlineBookingRequest.objects.filter(created_at__gte=now - WINDOW)
    if client_address and recent.filter(client_address=client_address).count() >= PER_ADDRESS:
        return _("Many booking requests came from your connection in the last hour. Please try again "
                 "in an hour, or call the secretariat.")
    if (email and recent.filter(email=email).count() >= PER_CONTACT) or (
            phone and recent.filter(phone=phone).count() >= PER_CONTACT):
        return _("Several codes were already sent to this e-mail address or phone number in the last "
                 "hour. Please use the last code received, try again in an hour, or call the secretariat.")
    return None
