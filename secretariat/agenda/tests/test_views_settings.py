"""Schedule and directives screens: who may change them, and that a change is whole and traced."""

from datetime import time

import pytest

from secretariat.agenda.models import (
    PractitionerDirectives,
    ScheduleException,
    TypeDirective,
    WeeklyPeriod,
)
from secretariat.agenda.tests.factories import practice_with_schedule
from secretariat.core.audit import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def practice(personas):
    return practice_with_schedule(personas.practitioner)


def url(personas):
    return f"/agenda/plannings/{personas.practitioner.pk}/"


def directives_post(practice, **overrides):
    data = {
        "section": "directives",
        "directives-min_notice_minutes": "60", "directives-online_min_notice_hours": "48",
        "directives-online_max_missed": "2", "directives-missed_window_days": "365",
        "directives-accepts_new_patients": "on", "directives-instructions": "Me passer les urgences.",
        "types-TOTAL_FORMS": "1", "types-INITIAL_FORMS": "0",
        "types-0-appointment_type": str(practice.ultrasound.pk), "types-0-accepted": "on",
        "types-0-max_per_half_day": "2", "types-0-buffer_after_minutes": "10",
    }
    data.update(overrides)
    return data


def test_the_practitioner_edits_their_directives_and_it_is_traced(client, personas, practice):
    client.force_login(personas.practitioner_user)
    response = client.post(url(personas), directives_post(practice))
    assert response.status_code == 302
    directives = PractitionerDirectives.objects.get(practitioner=personas.practitioner)
    assert (directives.min_notice_minutes, directives.online_min_notice_hours, directives.instructions) == (
        60, 48, "Me passer les urgences.")
    rule = TypeDirective.objects.get(practitioner=personas.practitioner)
    assert (rule.appointment_type, rule.max_per_half_day, rule.buffer_after_minutes) == (practice.ultrasound, 2, 10)
    assert AuditEvent.objects.filter(action="agenda.directives_changed",
                                     acting_user=personas.practitioner_user).count() == 1


def test_a_secretary_sees_the_directives_but_cannot_change_them(client, personas, practice):
    client.force_login(personas.secretary)
    page = client.get(url(personas))
    assert page.status_code == 200
    assert page.context["editable"] is False
    assert client.post(url(personas), directives_post(practice)).status_code == 404
    assert not PractitionerDirectives.objects.exists()


def test_a_practitioner_cannot_change_a_colleagues_schedule(client, personas, practice):
    colleague = personas.other_practitioner
    personas.team_a.practitioners.add(colleague)
    client.force_login(personas.practitioner_user)
    assert client.get(f"/agenda/plannings/{colleague.pk}/").context["editable"] is False
    response = client.post(f"/agenda/plannings/{colleague.pk}/", directives_post(practice))
    assert response.status_code == 404


def test_weekly_periods_are_replaced_as_a_whole_or_not_at_all(client, personas, practice):
    client.force_login(personas.coordinator)
    periods = list(WeeklyPeriod.objects.filter(practitioner=personas.practitioner).order_by("weekday"))
    data = {"section": "periods", "periods-TOTAL_FORMS": "3", "periods-INITIAL_FORMS": "2"}
    for index, period in enumerate(periods):
        data.update({f"periods-{index}-id": str(period.pk), f"periods-{index}-site": str(practice.site.pk),
                     f"periods-{index}-weekday": str(period.weekday), f"periods-{index}-start": "09:00",
                     f"periods-{index}-end": "12:00"})
    # A new Thursday period whose end is before its start: nothing of the form is saved.
    data.update({"periods-2-site": str(practice.site.pk), "periods-2-weekday": "3", "periods-2-start": "14:00",
                 "periods-2-end": "13:00"})
    response = client.post(url(personas), data)
    assert response.status_code == 400
    assert WeeklyPeriod.objects.filter(practitioner=personas.practitioner).count() == 2
    assert WeeklyPeriod.objects.get(pk=periods[1].pk).start == time(14)  # Tuesday unchanged

    data["periods-2-end"] = "18:00"
    assert client.post(url(personas), data).status_code == 302
    assert sorted(WeeklyPeriod.objects.filter(practitioner=personas.practitioner)
                  .values_list("weekday", "start", "end")) == [
        (0, time(9), time(12)), (1, time(9), time(12)), (3, time(14), time(18))]
    assert AuditEvent.objects.filter(action="agenda.schedule_changed").count() == 1


def test_exceptions_are_added_and_removed(client, personas, practice):
    client.force_login(personas.coordinator)
    response = client.post(url(personas), {"section": "exception", "exception-day": "2026-12-24",
                                           "exception-start": "12:00", "exception-end": "18:00",
                                           "exception-note": "Réveillon"})
    assert response.status_code == 302
    exception = ScheduleException.objects.get()
    assert (exception.is_open, exception.note) == (False, "Réveillon")
    # An extra opening needs a site.
    response = client.post(url(personas), {"section": "exception", "exception-day": "2026-12-26",
                                           "exception-start": "09:00", "exception-end": "12:00",
                                           "exception-is_open": "on"})
    assert response.status_code == 400
    assert ScheduleException.objects.count() == 1
    response = client.post(f"{url(personas)}exceptions/{exception.pk}/supprimer/")
    assert response.status_code == 302
    assert not ScheduleException.objects.exists()
