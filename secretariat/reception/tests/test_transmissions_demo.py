"""The team tools' demo data: what the demo promises is there."""

from django.utils import timezone

from secretariat.core.tests.factories import SiteFactory
from secretariat.patients.tests.factories import PatientFactory
from secretariat.reception.demo_team import seed_team
from secretariat.reception.models import Incident, SurveyResponse, Transmission
from secretariat.reception.queries_transmissions import transmissions_for, urgent_unread_for


def test_seed_team(personas):
    PatientFactory(structure=personas.structure, care_teams=[personas.team_a])
    SiteFactory(structure=personas.structure)
    users = {"dr.bernard": personas.practitioner_user, "dr.haddad": personas.coordinator,
             "secretaire": personas.secretary, "secretaire2": personas.other_team_secretary,
             "accueil": personas.reception, "coordination": personas.coordinator}
    now = timezone.now()
    seed_team(personas.structure, users=users, now=now)
    urgent = urgent_unread_for(personas.practitioner_user)
    assert len(urgent) == 1
    assert urgent[0].patient is not None
    # Every demo message is readable by both parties (the rules hold for the demo too).
    for message in Transmission.objects.all():
        assert transmissions_for(message.sender).filter(pk=message.pk).exists()
        assert transmissions_for(message.recipient).filter(pk=message.pk).exists()
    assert Incident.objects.filter(closed_at__isnull=True).count() == 1
    assert Incident.objects.filter(closed_at__isnull=False).count() == 1
    assert SurveyResponse.objects.count() == 40
    assert SurveyResponse.objects.values("month").distinct().count() == 3
