"""Demo data of the team tools: messages between colleagues (one urgent and unread for
dr.bernard), two incident reports (one open, one closed) and about forty survey answers over
three months. Fictional people only; written directly (the demo runs in one transaction, the
services are durable)."""

import random
from datetime import timedelta

from django.utils import timezone

from secretariat.agenda.queries import structure_time_zone
from secretariat.core.models import Site
from secretariat.patients.permissions import patients_for
from secretariat.reception.models import Incident, SurveyResponse, Transmission
from secretariat.reception.queries_incidents import first_of_month

Priority = Transmission.Priority

PRAISE = [
    "Accueil très souriant, merci.",
    "Un peu d'attente mais on nous a prévenus du retard.",
    "Secrétaire très patiente au téléphone.",
    "Tout était clair, merci pour les explications.",
]
CRITICISM = [
    "La salle d'attente manque de chaises aux heures de pointe.",
    "Difficile de se garer le matin.",
    "Attente longue sans information, dommage.",
]


def _message(structure, *, sender, recipient, subject, body="", priority=Priority.NORMAL, patient=None,
             sent_at, read_at=None, reply_to=None) -> Transmission:
    root = (reply_to.thread_root or reply_to) if reply_to else None
    message = Transmission.objects.create(
        structure=structure, sender=sender, recipient=recipient, subject=subject, body=body, priority=priority,
        patient=patient if root is None else root.patient, in_reply_to=reply_to, thread_root=root, read_at=read_at,
    )
    Transmission.objects.filter(pk=message.pk).update(sent_at=sent_at)  # auto_now_add: set the demo's time
    return message


def seed_team(structure, *, users: dict, now) -> None:
    bernard, haddad = users["dr.bernard"], users["dr.haddad"]
    secretary, secretary2, desk, coordinator = (users["secretaire"], users["secretaire2"], users["accueil"],
                                                users["coordination"])
    followed = list(patients_for(secretary).filter(care_teams__practitioners__user=bernard).order_by("pk")[:2])
    cardiology = patients_for(secretary2).filter(care_teams__practitioners__user=haddad).order_by("pk").first()

    # Messages -----------------------------------------------------------------------------
    _message(structure, sender=secretary, recipient=bernard, priority=Priority.URGENT,
             patient=followed[0] if followed else None, sent_at=now - timedelta(minutes=12),
             subject="Rappel demandé : douleur dans la poitrine depuis ce matin",
             body="Appel à 9 h 40. Douleur modérée, pas d'essoufflement d'après le patient. Protocole suivi : "
                  "rappel par le médecin dans l'heure. Numéro dans le dossier.")
    heating = _message(structure, sender=desk, recipient=bernard, sent_at=now - timedelta(days=1, hours=2),
                       read_at=now - timedelta(days=1, hours=1, minutes=40),
                       subject="Salle 2 : le chauffage ne fonctionne plus",
                       body="Il fait 17 °C dans la salle 2. J'ai installé le patient suivant en salle 3.")
    _message(structure, sender=bernard, recipient=desk, reply_to=heating, sent_at=now - timedelta(days=1, hours=1),
             read_at=now - timedelta(days=1, minutes=50), subject="Re: Salle 2 : le chauffage ne fonctionne plus",
             body="Merci Lucas. Je préviens la coordination pour le technicien.")
    if cardiology is not None:
        holter = _message(structure, sender=haddad, recipient=secretary2, priority=Priority.HIGH, patient=cardiology,
                          sent_at=now - timedelta(hours=5), read_at=now - timedelta(hours=4, minutes=30),
                          subject="Holter à programmer avant le 15",
                          body="Holter ECG 24 h à poser avant la consultation de contrôle.")
        _message(structure, sender=secretary2, recipient=haddad, reply_to=holter,
                 sent_at=now - timedelta(hours=4, minutes=20), subject="Re: Holter à programmer avant le 15",
                 body="Posé mardi à 8 h 30, retrait mercredi même heure. Patient prévenu.")
    _message(structure, sender=coordinator, recipient=secretary, sent_at=now - timedelta(hours=2),
             subject="Réunion d'équipe jeudi 13 h", body="Ordre du jour : planning des congés, affichage en salle.")

    # Incidents ----------------------------------------------------------------------------
    centre = Site.objects.filter(structure=structure).order_by("pk").first()
    aggression = Incident.objects.create(
        structure=structure, site=centre, occurred_at=now - timedelta(days=2, hours=3), place="Salle d'attente",
        kind=Incident.Kind.VERBAL_AGGRESSION, severity=Incident.Severity.MODERATE,
        people_involved="Un accompagnant, Lucas (accueil), deux patients témoins.",
        description="Après 45 minutes d'attente, un accompagnant a haussé le ton et insulté l'agent d'accueil "
                    "devant la salle. Il s'est calmé quand le médecin est venu expliquer le retard.",
        immediate_action="Explication du retard, proposition d'un autre créneau, l'accompagnant est resté.",
        follow_up=f"{timezone.localtime(now - timedelta(days=1), structure_time_zone()):%d/%m/%Y %H:%M} · "
                  "Isabelle Garnier — Entretien avec Lucas ; affichage du retard en salle à prévoir.",
        reported_by=desk,
    )
    fall = Incident.objects.create(
        structure=structure, site=centre, occurred_at=now - timedelta(days=20, hours=1), place="Entrée",
        kind=Incident.Kind.FALL, severity=Incident.Severity.MINOR,
        people_involved="Une patiente âgée, Nathalie (secrétariat).",
        description="Glissade sur le sol mouillé à l'entrée un jour de pluie, sans blessure apparente.",
        immediate_action="Patiente relevée et assise, vue par le médecin, pas de blessure.",
        reported_by=secretary, closed_at=now - timedelta(days=15), closed_by=coordinator,
        closing_note="Tapis absorbant installé à l'entrée et panneau « sol glissant » les jours de pluie.",
    )
    # reported_at is auto_now_add: give the demo reports their own time, shortly after the facts.
    Incident.objects.filter(pk=aggression.pk).update(reported_at=aggression.occurred_at + timedelta(minutes=40))
    Incident.objects.filter(pk=fall.pk).update(reported_at=fall.occurred_at + timedelta(minutes=25))

    # Survey -------------------------------------------------------------------------------
    draw = random.Random(5)  # noqa: S311 (demo data, not a secret)
    this_month = timezone.localtime(now, structure_time_zone()).date().replace(day=1)
    answers = []
    for back, count in ((2, 12), (1, 15), (0, 13)):
        month = first_of_month(this_month, months_back=back)
        for index in range(count):
            overall = draw.choices([2, 3, 4, 5], weights=[1, 2, 5, 4])[0]
            answers.append(SurveyResponse(
                structure=structure, site=centre, month=month,
                channel=SurveyResponse.Channel.LINK if index % 3 == 0 else SurveyResponse.Channel.QR_CODE,
                welcome=min(5, overall + draw.choice([0, 0, 1])), waiting=max(1, overall - draw.choice([0, 1, 2])),
                information=overall, overall=overall,
                would_recommend=None if index % 7 == 6 else overall >= 3,
                comment="" if index % 4 else (PRAISE if overall >= 4 else CRITICISM)[(index + back) % 3],
            ))
    SurveyResponse.objects.bulk_create(answers)
