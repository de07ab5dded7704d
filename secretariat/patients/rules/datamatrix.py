"""The INS DataMatrix printed on health documents of a qualified identity.

Format: ANS "Format DataMatrix INS" v2.2 (2023-09-26), as summarised in french-rules.md §1.8:
a 26-character header, then blocks made of a 2-character identifier and a value. A
variable-length value shorter than its maximum, and not the last block, ends with the GS
character (ASCII 29); fixed-length values have no separator.

Names are normalised here, at the DataMatrix boundary, with the INSi writing rules
(french-rules.md §1.4): the record keeps what the identity document says.
"""

import re
from datetime import date

from ppf.datamatrix import DataMatrix

from secretariat.patients.rules.names import normalise_birth_name, normalise_first_names
from secretariat.patients.rules.nir import clean_nir, nir_problem

HEADER = "IS01" + "0" * 22
GROUP_SEPARATOR = chr(29)

# Maximum lengths of the variable blocks.
_OID_MAX = 20
_NAME_MAX = 100

# OIDs of the INS assigning authorities (french-rules.md §1.2): NIR, NIA, test, demonstration.
INS_OIDS = frozenset({
    "1.2.250.1.213.1.4.8", "1.2.250.1.213.1.4.9", "1.2.250.1.213.1.4.10", "1.2.250.1.213.1.4.11",
})

# ISO/IEC 16022 asks for a light margin of at least one module around the symbol.
_QUIET_ZONE = 1

_PLACE_CODE = re.compile(r"[0-9]{5}|2[AB][0-9]{3}")


def ins_datamatrix_payload(*, matricule: str, oid: str, birth_first_names: str, birth_name: str,
                           sex: str, birth_date: date, birthplace_code: str) -> str:
    """The text to encode; ValueError (InvalidName for a name) when a trait cannot be encoded."""
    matricule = clean_nir(matricule)
    if nir_problem(matricule) is not None:
        raise ValueError(f"not a valid INS matricule: {matricule!r}")
    if oid not in INS_OIDS:
        raise ValueError(f"not an INS OID: {oid!r}")
    if sex not in ("F", "M"):
        # INSi knows only F and M; an indeterminate sex held locally has no INS code.
        raise ValueError(f"sex {sex!r} cannot be encoded in the INS DataMatrix (F or M only)")
    if not _PLACE_CODE.fullmatch(birthplace_code):
        raise ValueError(f"not a COG place code: {birthplace_code!r}")
    return "".join((
        HEADER,
        "S1", matricule,
        "S2", _variable(oid, _OID_MAX),
        "S3", _variable(normalise_first_names(birth_first_names), _NAME_MAX),
        "S4", _variable(normalise_birth_name(birth_name), _NAME_MAX),
        "S5", sex,
        "S6", f"{birth_date.day:02d}-{birth_date.month:02d}-{birth_date.year:04d}",
        "S7", birthplace_code,
    ))


def ins_datamatrix_svg(payload: str) -> str:
    """A square ECC200 DataMatrix as an SVG element, one unit per module, ready to inline in HTML.

    Drawn from ppf.datamatrix's module matrix rather than its svg(): that one starts with an
    XML declaration (not allowed inside HTML), has no viewBox (so CSS cannot scale it to the
    printed size) and carries a style attribute, which the strict CSP (style-src 'self') blocks.
    """
    matrix = DataMatrix(payload).matrix
    width = len(matrix[0]) + 2 * _QUIET_ZONE
    height = len(matrix) + 2 * _QUIET_ZONE
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" shape-rendering="crispEdges">'
        f'<rect width="{width}" height="{height}" fill="#fff"/>'
        f'<path d="{_dark_runs(matrix)}" fill="#000"/></svg>'
    )


def _dark_runs(matrix: list[list[int]]) -> str:
    # One rectangle per horizontal run of dark modules keeps the path short.
    commands = []
    for y, row in enumerate(matrix, start=_QUIET_ZONE):
        x = 0
        while x < len(row):
            if not row[x]:
                x += 1
                continue
            start = x
            while x < len(row) and row[x]:
                x += 1
            commands.append(f"M{start + _QUIET_ZONE} {y}h{x - start}v1h-{x - start}z")
    return "".join(commands)


def _variable(value: str, maximum: int) -> str:
    if len(value) > maximum:
        raise ValueError(f"{value!r} is longer than {maximum} characters")
    return value if len(value) == maximum else value + GROUP_SEPARATOR
