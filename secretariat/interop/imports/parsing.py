"""Reading a CSV export of patients from another software: pure functions, no database.

- ``load`` decodes the bytes (UTF-8 with or without BOM, UTF-16 with BOM, else Windows-1252
  or Latin-1, as old French software exports), sniffs the delimiter (``;``, ``,`` or tab) and
  reads the header row and the data rows, refusing files past the limits.
- ``guess_mapping`` proposes one of our fields for each column from its header.
- ``parse_row`` reads one row under the same rules as the identity screens
  (``patients.forms.IdentityForm``): names written under the INSi rules (``rules/names.py``),
  dates in the typed forms (``rules/dates.py``), a birthplace COG code we know, a French phone.

The RNIV traits come from the source file as it was typed there; nothing is dropped silently:
a value that the rules refuse makes the whole row refused, with the rule's own message.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import islice

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from secretariat.patients import birthplaces
from secretariat.patients.rules import names
from secretariat.patients.rules.dates import birth_date_problem, parse_search_text, parse_typed_date
from secretariat.patients.services import Identity

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 50_000
MAX_COLUMNS = 100
EMAIL_MAX_LENGTH = 254
DELIMITERS = (";", ",", "\t")
# Lines read to sniff the delimiter.
SNIFF_LINES = 50

IGNORE = ""
FIELDS: tuple[tuple[str, object], ...] = (
    ("birth_name", gettext_lazy("Birth name")),
    ("birth_first_names", gettext_lazy("Birth first names")),
    ("first_birth_first_name", gettext_lazy("First birth first name")),
    ("birth_date", gettext_lazy("Birth date")),
    ("sex", gettext_lazy("Sex")),
    ("birthplace_code", gettext_lazy("Birthplace")),
    ("used_name", gettext_lazy("Used name")),
    ("used_first_name", gettext_lazy("Used first name")),
    ("phone", gettext_lazy("Phone")),
    ("email", gettext_lazy("E-mail")),
)
FIELD_LABELS = dict(FIELDS)
REQUIRED_FIELDS = ("birth_name", "birth_first_names", "birth_date", "sex", "birthplace_code")


class ImportRefused(ValueError):
    """A file that cannot be imported at all; ``message`` is the translated text for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- reading the file ------------------------------------------------------------------------


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[int, tuple[str, ...]], ...]
    """(row number as a spreadsheet shows it, header = 1; cells), blank rows left out."""
    encoding: str
    delimiter: str

    def samples(self, column: int, count: int = 3) -> list[str]:
        """The first non-empty values of a column, shown beside its header on the mapping screen."""
        found = []
        for _number, cells in self.rows:
            if column < len(cells) and cells[column].strip():
                found.append(cells[column].strip())
                if len(found) == count:
                    break
        return found


ENCODING_LABELS = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 (BOM)",
    "utf-16": "UTF-16",
    "cp1252": "Windows-1252",
    "latin-1": "Latin-1 (ISO-8859-1)",
}
DELIMITER_LABELS = {";": gettext_lazy("semicolon (;)"), ",": gettext_lazy("comma (,)"),
                    "\t": gettext_lazy("tab")}


def load(data: bytes) -> Table:
    """Decode, sniff and read a CSV file; ``ImportRefused`` past the limits."""
    if len(data) > MAX_BYTES:
        raise ImportRefused(too_large_message())
    text, encoding = decode(data)
    delimiter = sniff_delimiter(text)
    headers, rows = read_rows(text, delimiter)
    return Table(headers=headers, rows=rows, encoding=encoding, delimiter=delimiter)


def too_large_message() -> str:
    return _("The file is larger than %(size)d MB: split it into several files and import "
             "them one after the other. Nothing was imported.") % {"size": MAX_BYTES // (1024 * 1024)}


def decode(data: bytes) -> tuple[str, str]:
    """The text and the encoding read: BOMs first, then UTF-8, then Windows-1252 or Latin-1.

    A file that is valid UTF-8 is read as such; otherwise old French exports are Windows-1252
    (é is E9, œ is 9C, the apostrophe ’ is 92). Latin-1 covers the five bytes cp1252 leaves out.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise ImportRefused(_("The file could not be read as UTF-16 text.")) from None
    if b"\x00" in data:
        raise ImportRefused(_(
            "This is not a CSV text file (a spreadsheet such as .xlsx or .ods, or another binary "
            "file?): save it as CSV in the other software or the spreadsheet, then import that file."))
    encoding = "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
    try:
        return data.decode(encoding), encoding
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first lines into the same, largest number of cells.

    ``csv.Sniffer`` guesses from character frequencies and is easily fooled by commas inside
    names or addresses; here each candidate reads the first lines for real (quotes honoured).
    """
    sample = "".join(islice(io.StringIO(text, newline=""), SNIFF_LINES))
    best, best_score = None, (0, 0)
    for delimiter in DELIMITERS:
        try:
            lines = [row for row in csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter)
                     if any(cell.strip() for cell in row)]
        except csv.Error:
            continue
        if not lines or len(lines[0]) < 2:
            continue
        width = len(lines[0])
        # A last line cut by the sample may be short: only count how many lines agree.
        consistent = sum(1 for row in lines if len(row) == width)
        score = (consistent, width)
        if score > best_score:
            best, best_score = delimiter, score
    if best is None:
        raise ImportRefused(_(
            "The columns could not be found: the first row must hold the column names, separated "
            "by semicolons (;), commas (,) or tabs."))
    return best


def read_rows(text: str, delimiter: str) -> tuple[tuple[str, ...], tuple[tuple[int, tuple[str, ...]], ...]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, tuple[str, ...]]] = []
    headers: tuple[str, ...] | None = None
    try:
        for number, row in enumerate(reader, start=1):
            if headers is None:
                headers = tuple(cell.strip() for cell in row)
                if len(headers) > MAX_COLUMNS:
                    raise ImportRefused(_(
                        "The file has %(count)d columns; at most %(maximum)d can be imported. "
                        "Keep only the identity columns.") % {"count": len(headers), "maximum": MAX_COLUMNS})
                continue
            if not any(cell.strip() for cell in row):
                continue
            if len(rows) == MAX_ROWS:
                raise ImportRefused(_(
                    "The file has more than %(maximum)s rows of patients: split it into several "
                    "files and import them one after the other. Nothing was imported.")
                    % {"maximum": number_format(MAX_ROWS, force_grouping=True)})
            rows.append((number, tuple(row)))
    except csv.Error as error:
        raise ImportRefused(_("Row %(row)d cannot be read as CSV (%(error)s).")
                            % {"row": reader.line_num, "error": error}) from None
    if headers is None or not any(headers):
        raise ImportRefused(_("The file is empty: the first row must hold the column names."))
    if not rows:
        raise ImportRefused(_("The file has column names but no patient rows."))
    return headers, tuple(rows)


# --- mapping columns to fields -----------------------------------------------------------------


def header_key(header: str) -> str:
    """A header compacted for comparison: "Date de naissance" → "datedenaissance", "PRENOM(S)" → "prenoms"."""
    decomposed = unicodedata.normalize("NFKD", header.casefold())
    words = re.findall(r"[a-z0-9]+", decomposed.encode("ascii", "ignore").decode("ascii"))
    # "nom_patient", "patient_nom", "ddn_pat": the word "patient" says nothing about the field.
    words = [word for word in words if word not in {"patient", "pat", "du", "d", "le", "la"}] or words
    return "".join(words)


# (header key, field, rank): the lowest rank wins a field, then the leftmost column.
_GUESSES: dict[str, list[tuple[str, int]]] = {}


def _guess(field_name: str, rank: int, *keys: str) -> None:
    for key in keys:
        _GUESSES.setdefault(key, []).append((field_name, rank))


_guess("birth_name", 0, "nomnaissance", "nomdenaissance", "nomdefamille", "nomfamille", "nomjf",
       "nomjeunefille", "nomdejeunefille", "nompatronymique", "patronyme", "nomnais", "birthname",
       "familyname", "lastname", "nomnaiss")
_guess("birth_name", 1, "nom", "name", "surname")
_guess("used_name", 0, "nomusage", "nomdusage", "nomutilise", "nommarital", "nomepoux",
       "nomepouse", "usedname")
# A plain "NOM" beside an explicit birth name column is the used name in most software.
_guess("used_name", 2, "nom", "name")
_guess("birth_first_names", 0, "prenoms", "prenomsnaissance", "prenomsdenaissance", "listeprenoms",
       "listedesprenoms", "firstnames", "givennames", "autresprenoms")
_guess("birth_first_names", 1, "prenom", "prenomnaissance", "prenomdenaissance", "firstname",
       "givenname")
_guess("first_birth_first_name", 0, "premierprenom", "premierprenomdenaissance", "prenom1",
       "premierprenomnaissance")
_guess("first_birth_first_name", 2, "prenom", "firstname")
_guess("used_first_name", 0, "prenomusage", "prenomdusage", "prenomutilise", "usedfirstname")
_guess("birth_date", 0, "datenaissance", "datedenaissance", "ddn", "dtnaiss", "datenaiss",
       "datenais", "dtnaissance", "naissance", "neele", "nele", "nee", "birthdate", "dateofbirth",
       "dob", "datenaisance")
_guess("sex", 0, "sexe", "sex", "genre", "gender")
_guess("birthplace_code", 0, "lieunaissance", "lieudenaissance", "codeinseenaissance",
       "codeinseelieunaissance", "inseenaissance", "cognaissance", "codelieunaissance",
       "codecognaissance", "communenaissance", "communedenaissance", "lieunaiss", "birthplace",
       "placeofbirth", "codeinseelieudenaissance")
_guess("phone", 0, "portable", "mobile", "telportable", "telmobile", "telephoneportable",
       "telephonemobile", "gsm", "numportable", "ntelportable")
_guess("phone", 1, "tel", "telephone", "phone", "numtel", "ntel", "numerotelephone", "teldomicile",
       "telephonedomicile", "telfixe", "telephonefixe", "ntelephone", "notel")
_guess("email", 0, "email", "mail", "courriel", "adressemail", "adresseemail", "adressemel", "mel",
       "emailaddress", "adressecourriel", "adresseelectronique")


def guess_mapping(headers: Sequence[str]) -> list[str]:
    """Our field for each column ("" to ignore it), from common header names of French software."""
    candidates = sorted(
        (rank, column, field_name)
        for column, header in enumerate(headers)
        for field_name, rank in _GUESSES.get(header_key(header), ())
    )
    mapping = [IGNORE] * len(headers)
    taken: set[str] = set()
    for _rank, column, field_name in candidates:
        if field_name not in taken and mapping[column] == IGNORE:
            mapping[column] = field_name
            taken.add(field_name)
    return mapping


def mapping_problems(mapping: Sequence[str]) -> list[str]:
    """What keeps a mapping from being used: a required field not mapped, a field mapped twice."""
    problems = []
    for field_name in REQUIRED_FIELDS:
        if field_name not in mapping:
            problems.append(_("Choose the column holding: %(field)s (required).")
                            % {"field": FIELD_LABELS[field_name]})
    for field_name, label in FIELDS:
        if list(mapping).count(field_name) > 1:
            problems.append(_("%(field)s is chosen for several columns: keep one.") % {"field": label})
    return problems


# --- reading one row -------------------------------------------------------------------------


_SEXES = {
    "f": "F", "femme": "F", "feminin": "F", "feminine": "F", "2": "F",
    "m": "M", "h": "M", "homme": "M", "masculin": "M", "1": "M",
    "i": "I", "indetermine": "I", "indeterminee": "I",
}
# "01/02/1980 00:00:00", "1980-02-01T00:00:00": a date column exported as date and time.
_TIME_SUFFIX = re.compile(r"[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?$")
# Spreadsheets drop the leading zero of numbers: 1053 was 01053, 612345678 was 0612345678.
_LOST_ZERO_COG = re.compile(r"\d{4}")
_LOST_ZERO_PHONE = re.compile(r"[1-9]\d{8}")


def parse_sex(text: str) -> str | None:
    decomposed = unicodedata.normalize("NFKD", text.strip().casefold())
    key = decomposed.encode("ascii", "ignore").decode("ascii").strip(" .")
    return _SEXES.get(key)


@dataclass
class ParsedRow:
    number: int
    values: dict[str, str]
    """Raw text of each mapped field."""
    cleaned: dict[str, object] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    """Translated messages, each starting with the field's label."""

    @property
    def identity(self) -> Identity | None:
        if self.errors:
            return None
        return Identity(**{name: self.cleaned[name] for name in Identity.__dataclass_fields__})

    def shown(self, name: str) -> str:
        """What the row says for a field: as understood when it was read, else as written."""
        if name in self.cleaned:
            value = self.cleaned[name]
            if isinstance(value, date):
                return f"{value:%d/%m/%Y}"
            return str(value)
        return self.values.get(name, "")


BirthplaceResolver = Callable[[str], tuple[str | None, str]]


def parse_row(number: int, cells: Sequence[str], mapping: Sequence[str], *, today: date,
              birthplace: BirthplaceResolver | None = None) -> ParsedRow:
    """Read one row as the identity form reads what a secretary types."""
    return RowReader(mapping, today=today, birthplace=birthplace).read(number, cells)


class RowReader:
    """Reads the rows of one file; remembers the names and places already read (they repeat)."""

    _NAME_RULES = (
        ("birth_name", names.normalise_birth_name, True),
        ("birth_first_names", names.normalise_first_names, True),
        ("first_birth_first_name", names.normalise_first_name, False),
        ("used_name", names.normalise_used_name, False),
        ("used_first_name", names.normalise_first_name, False),
    )

    def __init__(self, mapping: Sequence[str], *, today: date, birthplace: BirthplaceResolver | None = None):
        self.mapping = list(mapping)
        self.today = today
        self.birthplace = birthplace or cached_resolver()
        self._names: dict[tuple[str, str], tuple[bool, str]] = {}

    def read(self, number: int, cells: Sequence[str]) -> ParsedRow:
        values = {name: (cells[column].strip() if column < len(cells) else "")
                  for column, name in enumerate(self.mapping) if name}
        row = ParsedRow(number=number, values=values)
        extra = [cell for cell in cells[len(self.mapping):] if cell.strip()]
        if extra:
            row.errors.append(_("This row has more cells than the file has columns: check the "
                                "delimiters and quotes of this row in the file."))
        self._read_names(row)
        _read_birth_date(row, today=self.today)
        sex = parse_sex(values.get("sex", ""))
        if sex is None:
            row.errors.append(_label("sex", _(
                "Write F, M or I (also understood: Femme, Homme, féminin, masculin, 1 for a man, "
                "2 for a woman).")))
        else:
            row.cleaned["sex"] = sex
        code, problem = self.birthplace(values.get("birthplace_code", ""))
        if code is None:
            row.errors.append(_label("birthplace_code", problem))
        else:
            row.cleaned["birthplace_code"] = code
        _read_contact(row, today=self.today)
        return row

    def _normalised(self, name: str, normalise, text: str) -> tuple[bool, str]:
        key = (name, text)
        if key not in self._names:
            try:
                self._names[key] = (True, normalise(text))
            except names.InvalidName as error:
                self._names[key] = (False, error.message)
        return self._names[key]

    def _read_names(self, row: ParsedRow) -> None:
        for name, normalise, required in self._NAME_RULES:
            text = row.values.get(name, "")
            if not text and not required:
                row.cleaned[name] = ""
                continue
            valid, result = self._normalised(name, normalise, text)
            if valid:
                row.cleaned[name] = result
            else:
                row.errors.append(_label(name, result))
        first_names = row.cleaned.get("birth_first_names")
        if first_names and row.cleaned.get("first_birth_first_name") == "":
            row.cleaned["first_birth_first_name"] = names.first_of(first_names)
        if row.cleaned.get("used_name") and row.cleaned["used_name"] == row.cleaned.get("birth_name"):
            row.cleaned["used_name"] = ""


def _label(name: str, message: str) -> str:
    return _("%(field)s: %(message)s") % {"field": FIELD_LABELS[name], "message": message}


def _read_birth_date(row: ParsedRow, *, today: date) -> None:
    text = _TIME_SUFFIX.sub("", row.values.get("birth_date", "")).strip()
    if not text:
        row.errors.append(_label("birth_date", _("The birth date is missing.")))
        return
    parsed = parse_typed_date(text, today=today)
    if parsed is None:
        row.errors.append(_label("birth_date", _("Type an existing date, day first: 14/07/1962 or 14071962.")))
        return
    problem = birth_date_problem(parsed, today=today)
    if problem:
        row.errors.append(_label("birth_date", problem))
        return
    row.cleaned["birth_date"] = parsed


def _read_contact(row: ParsedRow, *, today: date) -> None:
    text = row.values.get("phone", "")
    if _LOST_ZERO_PHONE.fullmatch(text):
        text = "0" + text
    if not text:
        row.cleaned["phone"] = ""
    elif (phone := parse_search_text(text, today=today).phone) and _only_phone(text):
        row.cleaned["phone"] = phone
    else:
        row.errors.append(_label("phone", _("Type a French phone number: 06 12 34 56 78 or +33 6 12 34 56 78.")))
    email = row.values.get("email", "")
    try:
        if email:
            validate_email(email)
            if len(email) > EMAIL_MAX_LENGTH:
                raise ValidationError("too long")
    except ValidationError:
        row.errors.append(_label("email", _("Enter a valid email address.")))
    else:
        row.cleaned["email"] = email


def _only_phone(text: str) -> bool:
    # The search box keeps other words beside the number ("06 12 34 56 78 =A1"); a cell holds
    # the number alone.
    return not re.search(r"[^0-9+().\-\s]", text)


def resolve_birthplace(text: str) -> tuple[str | None, str]:
    """(COG code, "") for a known code or an unambiguous place name; (None, message) otherwise.

    A code is checked with ``birthplaces.is_known``, as on the identity screen. A name
    ("Lyon", "Maroc", "Saint-Étienne (42)") is taken only if every place bearing it has the
    same code: many communes share a name, and a former commune keeps its own code (the one in
    force at the birth date, RNIV); the code then decides.
    """
    text = " ".join(text.split())
    if not text:
        return None, _("The birthplace is missing: give its INSEE (COG) code or the name of the "
                       "commune or country.")
    code = text.upper()
    if _LOST_ZERO_COG.fullmatch(code):
        code = "0" + code
    if birthplaces.COMMUNE_CODE_RE.match(code):
        if birthplaces.is_known(code):
            return code, ""
        return None, _("Choose the birthplace in the list (a French commune or a country); "
                       "“%(code)s” is not an INSEE code we know.") % {"code": code}
    wanted = birthplaces.fold(text)
    if wanted == "france":
        return None, _("“France” is not a birthplace: for someone born in France, give the "
                       "commune of birth (its INSEE code or its name).")
    found = [place for place in birthplaces.search(text, limit=20)
             if wanted in (birthplaces.fold(place.name), birthplaces.fold(place.label))]
    # A former commune of the same name has its own code (the one in force at the birth date):
    # only a name that designates one code is taken.
    codes = {place.code for place in found}
    if len(codes) == 1:
        return codes.pop(), ""
    if not codes:
        return None, _("“%(place)s” is not a French commune or a country we know: give the "
                       "INSEE (COG) code of the birthplace.") % {"place": text}
    return None, _("Several places are called “%(place)s”: give the INSEE (COG) code of the "
                   "birthplace.") % {"place": text}


def cached_resolver() -> BirthplaceResolver:
    """``resolve_birthplace`` remembering its answers: the same places come back on many rows."""
    answers: dict[str, tuple[str | None, str]] = {}

    def resolve(text: str) -> tuple[str | None, str]:
        if text not in answers:
            answers[text] = resolve_birthplace(text)
        return answers[text]

    return resolve


def parse_rows(table: Table, mapping: Sequence[str], *, today: date) -> list[ParsedRow]:
    reader = RowReader(mapping, today=today)
    return [reader.read(number, cells) for number, cells in table.rows]
