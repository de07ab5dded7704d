"""Writes of the urgency triage: installing the shipped protocol, the practitioners' edits, and
recording what a triage reached. Each is one transaction with its audit row."""

from django.db import transaction
from django.utils.translation import gettext as _

from secretariat.core import audit
from secretariat.core.services.errors import ServiceError
from secretariat.reception import protocols
from secretariat.reception.models import PhoneCall, TriageProtocol, TriageRecord
from secretariat.reception.rules_triage import InvalidAnswers, step, tree_problems


def _snapshot(protocol: TriageProtocol) -> dict:
    return {"name": protocol.name, "context": protocol.context, "tree": protocol.tree,
            "sources": protocol.sources, "version": protocol.version, "is_active": protocol.is_active}


@transaction.atomic  # not durable: also run by the demo seed inside its own transaction
def install_default_protocol(structure, acting_user=None) -> TriageProtocol:
    """The shipped general-practice protocol for ``structure``; does nothing if it is already there."""
    shipped = protocols.load()
    existing = TriageProtocol.objects.filter(structure=structure, name=shipped["name"]).first()
    if existing is not None:
        return existing
    protocol = TriageProtocol.objects.create(
        structure=structure, name=shipped["name"], context=shipped["context"], tree=shipped["tree"],
        sources=shipped["sources"], updated_by=acting_user)
    audit.record("reception.protocol_changed", target=protocol, structure_id=structure.pk, acting_user=acting_user,
                 data={"installed": "general_practice", "after": _snapshot(protocol)})
    return protocol


def _check(tree) -> None:
    problems = tree_problems(tree)
    if problems:
        raise ServiceError(" ".join(problems))


@transaction.atomic(durable=True)
def save_protocol(protocol: TriageProtocol, *, name: str, context: str, tree: dict, sources: str,
                  acting_user) -> TriageProtocol:
    """A practitioner's new version of ``protocol``: checked, version bumped, before/after audited."""
    _check(tree)
    protocol = TriageProtocol.objects.select_for_update().get(pk=protocol.pk)
    if TriageProtocol.objects.filter(structure_id=protocol.structure_id, name=name).exclude(pk=protocol.pk).exists():
        raise ServiceError(_("Another protocol already has this name."))
    before = _snapshot(protocol)
    protocol.name, protocol.context, protocol.tree, protocol.sources = name, context, tree, sources
    if _snapshot(protocol) == before:
        return protocol
    protocol.version += 1
    protocol.updated_by = acting_user
    protocol.save()
    audit.record("reception.protocol_changed", target=protocol, acting_user=acting_user,
                 data={"before": before, "after": _snapshot(protocol)})
    return protocol


@transaction.atomic(durable=True)
def create_protocol(structure, *, name: str, context: str, tree: dict, sources: str, acting_user) -> TriageProtocol:
    _check(tree)
    if TriageProtocol.objects.filter(structure=structure, name=name).exists():
        raise ServiceError(_("Another protocol already has this name."))
    protocol = TriageProtocol.objects.create(structure=structure, name=name, context=context, tree=tree,
                                             sources=sources, updated_by=acting_user)
    audit.record("reception.protocol_changed", target=protocol, acting_user=acting_user,
                 data={"before": None, "after": _snapshot(protocol)})
    return protocol


@transaction.atomic(durable=True)
def set_protocol_active(protocol: TriageProtocol, *, active: bool, acting_user) -> TriageProtocol:
    protocol = TriageProtocol.objects.select_for_update().get(pk=protocol.pk)
    if protocol.is_active == active:
        return protocol
    before = _snapshot(protocol)
    protocol.is_active = active
    protocol.updated_by = acting_user
    protocol.save(update_fields=["is_active", "updated_by", "updated_at"])
    audit.record("reception.protocol_changed", target=protocol, acting_user=acting_user,
                 data={"before": before, "after": _snapshot(protocol)})
    return protocol


@transaction.atomic(durable=True)
def record_triage(protocol: TriageProtocol, answers: list[int], acting_user, patient=None, appointment=None, *,
                  version: int | None = None, call: PhoneCall | None = None) -> TriageRecord:
    """What a triage reached (see ``record_triage_in_transaction``)."""
    return record_triage_in_transaction(protocol, answers, acting_user, patient=patient, appointment=appointment,
                                        version=version, call=call)


def record_triage_in_transaction(protocol: TriageProtocol, answers: list[int], acting_user, patient=None,
                                 appointment=None, *, version: int | None = None,
                                 call: PhoneCall | None = None) -> TriageRecord:
    """What a triage reached, with the protocol's words copied (they stay readable after edits).

    ``version`` is the version the desk was shown: if the practitioners changed the protocol
    meanwhile, the answers may mean something else and the triage must be run again. ``call``
    (optional) is the logged phone call the triage belongs to.
    """
    protocol = TriageProtocol.objects.get(pk=protocol.pk)
    if not protocol.is_active:
        raise ServiceError(_("This protocol is no longer in use."))
    if version is not None and version != protocol.version:
        raise ServiceError(_("The practitioners changed this protocol during the triage: please run it again."))
    if patient is not None and patient.structure_id != protocol.structure_id:
        raise ServiceError(_("This patient is not in your structure."))
    try:
        reached = step(protocol.tree, answers)
    except (InvalidAnswers, KeyError):
        raise ServiceError(_("These answers do not follow the protocol: please run it again.")) from None
    if not reached.is_outcome:
        raise ServiceError(_("The triage is not finished: answer the remaining questions."))
    outcome = reached.data
    instructions = outcome.get("instructions", "")
    if outcome.get("script"):
        instructions = f"{instructions}\n\n{outcome['script']}".strip()
    record = TriageRecord.objects.create(
        structure_id=protocol.structure_id, protocol=protocol, protocol_version=protocol.version,
        path=[{"question": item["question"], "answer": item["answer"]} for item in reached.path],
        outcome_key=reached.key, priority=outcome["priority"], outcome_title=outcome["title"],
        instructions=instructions, patient=patient, appointment=appointment, recorded_by=acting_user)
    if call is not None:
        call = PhoneCall.objects.select_for_update().get(pk=call.pk)
        if call.structure_id != protocol.structure_id:
            raise ServiceError(_("This call is not in your structure."))
        call.triage = record
        call.save(update_fields=["triage"])
    audit.record("reception.triage_recorded", target=record, acting_user=acting_user,
                 patient_id=patient.pk if patient else None,
                 data={"protocol": protocol.name, "version": protocol.version, "outcome": reached.key,
                       "priority": outcome["priority"], "call": call.pk if call else None})
    return record
