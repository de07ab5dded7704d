"""INS teleservice (INSi) boundary: pick the adapter, then search or verify an INS.

    client = get_insi_client()
    response = client.search_by_traits(InsiTraits("VALMORENT", "MARIE ELODIE", "F",
                                                  date(1984, 3, 12), "69123"))

The adapter is the dotted path in `settings.SECRETARIAT_INSI_ADAPTER`; by default the
SIMULATION (`simulation.SimulatedInsi`), which calls nobody and says so (`client.simulated`).
The real adapter is `soap.InsiSoapClient`, configured by `settings.SECRETARIAT_INSI_SOAP`.
Sources: shared/domain/french-rules.md §1.1, §1.2, §1.5.
"""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from .base import (
    ALLOW_TEST_OIDS_SETTING,
    OID_INS_NIA,
    OID_INS_NIR,
    OID_INS_NIR_DEMO,
    OID_INS_NIR_TEST,
    InsiClient,
    InsIdentity,
    InsiInvalidTraits,
    InsiOutcome,
    InsiResponse,
    InsiTraits,
    InsiUnavailable,
    OidKind,
    fold_insi_text,
    oid_kind,
    production_refuses,
)

ADAPTER_SETTING = "SECRETARIAT_INSI_ADAPTER"
DEFAULT_ADAPTER = "secretariat.patients.insi.simulation.SimulatedInsi"

__all__ = [
    "ADAPTER_SETTING",
    "ALLOW_TEST_OIDS_SETTING",
    "DEFAULT_ADAPTER",
    "OID_INS_NIA",
    "OID_INS_NIR",
    "OID_INS_NIR_DEMO",
    "OID_INS_NIR_TEST",
    "InsIdentity",
    "InsiClient",
    "InsiInvalidTraits",
    "InsiOutcome",
    "InsiResponse",
    "InsiTraits",
    "InsiUnavailable",
    "OidKind",
    "fold_insi_text",
    "get_insi_client",
    "oid_kind",
    "production_refuses",
]


def get_insi_client() -> InsiClient:
    """A new client of the configured adapter (a class or factory called without arguments)."""
    path = getattr(settings, ADAPTER_SETTING, DEFAULT_ADAPTER) or DEFAULT_ADAPTER
    try:
        factory = import_string(path)
    except ImportError as error:
        raise ImproperlyConfigured(f"{ADAPTER_SETTING} = {path!r} cannot be imported") from error
    return factory()
