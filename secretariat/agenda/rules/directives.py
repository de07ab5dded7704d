"""A practitioner's directives (consignes) checked against one booking (pure: no ORM).

The booking service gathers the facts (``BookingFacts``) in a few queries and asks
``violations`` which directives the booking would break; the secretary sees each one with its
reason, and only a role allowed to override may book anyway, with a reason (traced).
Directives that shape which slots exist at all (periods, urgent reservations, buffers,
quotas) are applied by the slot engine as well, so slot search never proposes a slot that
booking then refuses for those reasons.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

# Codes, stored in Appointment.overridden_directives and in the audit trail.
MIN_NOTICE = "min_notice"
ONLINE_NOTICE = "online_notice"
ONLINE_MISSED = "online_missed"
NOT_BOOKABLE_ONLINE = "not_bookable_online"
STAFF_NOT_ALLOWED = "staff_not_allowed"
NEW_PATIENTS = "new_patients"
TYPE_NEW_PATIENTS = "type_new_patients"
TYPE_NOT_ACCEPTED = "type_not_accepted"
MIN_AGE = "min_age"
MAX_AGE = "max_age"
QUOTA_DAY = "quota_day"
QUOTA_HALF_DAY = "quota_half_day"


@dataclass(frozen=True)
class Violation:
    code: str
    message: str


@dataclass(frozen=True)
class BookingFacts:
    """Everything the directives need about one booking, already read from the database."""

    start: datetime  # aware
    now: datetime  # aware
    local_day: date
    morning: bool  # starts before noon, local time
    online: bool  # booked by the patient on the public pages
    by_privileged_role: bool  # a practitioner or a coordinator books (staff-only types)
    patient_age: int | None  # in whole years on the day of the appointment
    first_visit: bool  # never seen by this practitioner
    missed_recently: int  # missed appointments in the directives' window
    # The type
    type_label: str
    type_bookable_online: bool
    type_bookable_by_staff: bool
    type_new_patients_allowed: bool
    min_age: int | None
    max_age: int | None
    # The practitioner's directives
    min_notice: timedelta = timedelta(0)
    online_min_notice: timedelta = timedelta(0)
    online_max_missed: int | None = None
    accepts_new_patients: bool = True
    type_accepted: bool = True
    max_per_day: int | None = None
    max_per_half_day: int | None = None
    # Live appointments of this type with the practitioner already booked that day / half-day
    same_type_that_day: int = 0
    same_type_that_half_day: int = 0


def _delay(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes % (24 * 60) == 0 and minutes:
        days = minutes // (24 * 60)
        return ngettext("%(count)d day", "%(count)d days", days) % {"count": days}
    if minutes % 60 == 0 and minutes:
        hours = minutes // 60
        return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}
    return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}


def violations(facts: BookingFacts) -> list[Violation]:
    """The directives this booking breaks, in the order a secretary would explain them."""
    found: list[Violation] = []
    notice = facts.start - facts.now
    if facts.online:
        if not facts.type_bookable_online:
            found.append(Violation(NOT_BOOKABLE_ONLINE, _("“%(type)s” cannot be booked online.")
                                   % {"type": facts.type_label}))
        if notice < facts.online_min_notice:
            found.append(Violation(ONLINE_NOTICE, _("Online, the practitioner takes appointments at least "
                                                    "%(delay)s ahead.") % {"delay": _delay(facts.online_min_notice)}))
        if facts.online_max_missed is not None and facts.missed_recently >= facts.online_max_missed:
            found.append(Violation(ONLINE_MISSED, _("Too many missed appointments to book online: "
                                                    "book with the secretariat.")))
    elif not facts.type_bookable_by_staff and not facts.by_privileged_role:
        found.append(Violation(STAFF_NOT_ALLOWED, _("“%(type)s” is booked by the practitioner or a coordinator "
                                                    "only.") % {"type": facts.type_label}))
    if notice < facts.min_notice:
        found.append(Violation(MIN_NOTICE, _("The practitioner asks for at least %(delay)s of notice.")
                               % {"delay": _delay(facts.min_notice)}))
    if not facts.type_accepted:
        found.append(Violation(TYPE_NOT_ACCEPTED, _("The practitioner does not take “%(type)s”.")
                               % {"type": facts.type_label}))
    if facts.first_visit and not facts.accepts_new_patients:
        found.append(Violation(NEW_PATIENTS, _("The practitioner does not take new patients at the moment.")))
    elif facts.first_visit and not facts.type_new_patients_allowed:
        found.append(Violation(TYPE_NEW_PATIENTS, _("“%(type)s” is for patients already seen by the "
                                                    "practitioner.") % {"type": facts.type_label}))
    if facts.patient_age is not None:
        if facts.min_age is not None and facts.patient_age < facts.min_age:
            found.append(Violation(MIN_AGE, _("“%(type)s” is for patients aged %(age)d or more.")
                                   % {"type": facts.type_label, "age": facts.min_age}))
        if facts.max_age is not None and facts.patient_age > facts.max_age:
            found.append(Violation(MAX_AGE, _("“%(type)s” is for patients aged %(age)d or less.")
                                   % {"type": facts.type_label, "age": facts.max_age}))
    if facts.max_per_day is not None and facts.same_type_that_day >= facts.max_per_day:
        found.append(Violation(QUOTA_DAY, _("Already %(count)d “%(type)s” on %(day)s: the practitioner takes "
                                            "%(max)d a day.") % {
            "count": facts.same_type_that_day, "type": facts.type_label, "max": facts.max_per_day,
            "day": date_format(facts.local_day, "DATE_FORMAT")}))
    if facts.max_per_half_day is not None and facts.same_type_that_half_day >= facts.max_per_half_day:
        half = _("that morning") if facts.morning else _("that afternoon")
        found.append(Violation(QUOTA_HALF_DAY, _("Already %(count)d “%(type)s” %(half)s: the practitioner takes "
                                                 "%(max)d per half-day.") % {
            "count": facts.same_type_that_half_day, "type": facts.type_label, "half": half,
            "max": facts.max_per_half_day}))
    return found


def age_on(birth_date: date | None, day: date) -> int | None:
    if birth_date is None:
        return None
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))
