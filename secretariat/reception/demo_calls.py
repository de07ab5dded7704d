"""Demo data of the phone log: the shipped triage protocol, a dozen calls this morning, a few
callbacks still to do (one late), and one call sent to the 15 with its triage."""

from datetime import timedelta

from secretariat.patients.models import Patient
from secretariat.reception.models import PhoneCall
from secretariat.reception.services_calls import log_call_in_transaction
from secretariat.reception.services_triage import (
    install_default_protocol,
    record_triage_in_transaction,
)

Outcome = PhoneCall.Outcome
NO_TO_LIFE_THREATENING = [1] * 8  # "Non" to the eight first questions of the shipped protocol


def seed_calls(structure, *, users: dict, now) -> None:
    protocol = install_default_protocol(structure, acting_user=users.get("dr.bernard"))
    patients = list(Patient.objects.filter(structure=structure, merged_into__isnull=True).order_by("pk")[:8])
    practitioners = list(structure.practitioners.filter(is_active=True).order_by("pk")[:3])

    def patient(index):
        return patients[index] if index < len(patients) else None

    def practitioner(index):
        return practitioners[index % len(practitioners)] if practitioners else None

    secretary, second, desk = users["secretaire"], users.get("secretaire2", users["secretaire"]), users.get(
        "accueil", users["secretaire"])
    calls = [
        # minutes ago, taker, caller, phone, patient, practitioner, reason, outcome, extra
        (190, secretary, "Mme Lefèvre", "06 11 22 33 44", 0, 0, "Renouvellement d'ordonnance", Outcome.MESSAGE, {}),
        (175, secretary, "M. Garcia", "06 22 33 44 55", 1, 0, "Rendez-vous de suivi", Outcome.BOOKED, {}),
        (160, second, "Laboratoire Biomed", "04 72 00 00 00", None, 1, "Résultats à transmettre au médecin",
         Outcome.MESSAGE, {}),
        (150, secretary, "Mme Nguyen", "07 12 34 56 78", 2, None, "Horaires du cabinet samedi", Outcome.INFORMATION,
         {}),
        (140, desk, "M. Roussel", "06 98 76 54 32", 3, 0, "Résultats de prise de sang",
         Outcome.CALLBACK, {"callback_due_at": now - timedelta(minutes=40), "note": "Rappeler après avis du médecin"}),
        (120, secretary, "Mme Morel (fille de la patiente)", "06 45 45 45 45", 4, 0,
         "Sa mère a une douleur dans la poitrine depuis 20 minutes", Outcome.EMERGENCY, {"triage_answers": [0]}),
        (95, second, "Cabinet de kinésithérapie", "04 78 12 12 12", None, None, "Demande de compte rendu",
         Outcome.REDIRECTED, {"note": "Orienté vers le secrétariat de radiologie"}),
        (80, secretary, "M. Fabre", "06 01 02 03 04", 5, 1, "Fièvre à 39,5 depuis hier", Outcome.BOOKED,
         {"triage_answers": NO_TO_LIFE_THREATENING + [0]}),
        (60, desk, "Mme Bonnet", "06 55 66 77 88", 6, 0, "Certificat de sport pour son fils",
         Outcome.CALLBACK, {"callback_due_at": now + timedelta(minutes=30), "assignee": secretary}),
        (45, secretary, "Pharmacie du Marché", "04 72 11 11 11", None, 0, "Question sur une ordonnance",
         Outcome.CALLBACK, {"callback_due_at": now + timedelta(hours=3)}),
        (30, second, "M. Lambert", "06 77 88 99 00", 7, 1, "Déplacer son rendez-vous de jeudi", Outcome.BOOKED, {}),
        (10, secretary, "Mme Dubois", "06 10 20 30 40", None, None, "Prend-on de nouveaux patients ?",
         Outcome.INFORMATION, {}),
    ]
    for minutes, taker, caller, phone, patient_index, practitioner_index, reason, outcome, extra in calls:
        who = patient(patient_index) if patient_index is not None else None
        triage = None
        if "triage_answers" in extra:
            triage = record_triage_in_transaction(protocol, extra["triage_answers"], taker, patient=who)
        due = extra.get("callback_due_at")
        call = log_call_in_transaction(
            structure=structure, acting_user=taker, taken_at=now - timedelta(minutes=minutes), caller_name=caller,
            caller_phone=phone, patient=who,
            practitioner=practitioner(practitioner_index) if practitioner_index is not None else None,
            reason=reason, outcome=outcome, note=extra.get("note", ""), triage=triage,
            callback_due_at=due, callback_assigned_to=extra.get("assignee"))
        if call.outcome == Outcome.EMERGENCY:
            PhoneCall.objects.filter(pk=call.pk).update(
                note="Appel transféré au 15 à " + (now - timedelta(minutes=119)).strftime("%H:%M")
                + " ; le Dr a été prévenu.")
