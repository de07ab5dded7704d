import re

import pytest
from django.utils.translation import override
from hypothesis import given
from hypothesis import strategies as st

from secretariat.patients.rules.names import (
    InvalidName,
    first_of,
    normalise_birth_name,
    normalise_first_name,
    normalise_first_names,
    normalise_used_name,
)

CHARACTERS = ("cannot be part of a name: type the name as written on the identity document, "
              "with letters, spaces, hyphens and apostrophes only.")
START_HYPHEN = ("A name cannot start with a hyphen: remove it, or type the missing part of the "
                "name before it.")
END_HYPHEN = ("A name cannot end with a hyphen: remove it, or type the missing part of the name "
              "after it.")
DOUBLED_APOSTROPHE = "Remove the doubled apostrophe (''): type a single apostrophe."
SPACE_APOSTROPHE = "Remove the space next to the apostrophe: write D'ARC, not D' ARC or D 'ARC."
SPACE_HYPHEN = ("Remove the space next to the hyphen (write DUPONT-MARTIN, not DUPONT - MARTIN), "
                "as on the identity document.")
TRIPLE_HYPHEN = ("Type at most two hyphens in a row: a double family name is written with “--” "
                 "(for example DUPONT--MARTIN).")
FIRST_NAME_DOUBLE_HYPHEN = ("Type a single hyphen in a first name (for example JEAN-PIERRE): “--” "
                            "is only used in family names.")
FIRST_NAME_END = ("A first name cannot end with a hyphen or an apostrophe: remove it, or type the "
                  "rest of the first name.")
NO_LETTER = "Type at least one letter: a name cannot be made only of apostrophes or hyphens."
ONE_FIRST_NAME = ("Type one first name only (a composite first name takes a hyphen, as in "
                  "JEAN-PIERRE): the other first names go in the list of birth first names.")


@pytest.fixture(autouse=True)
def _english():
    with override("en"):
        yield


def refusal(function, text: str) -> str:
    with pytest.raises(InvalidName) as caught:
        function(text)
    return caught.value.message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("Dupont", "DUPONT", id="uppercased"),
        pytest.param("  dupont \n", "DUPONT", id="surrounding-whitespace-stripped"),
        pytest.param("de  la \t Tour", "DE LA TOUR", id="inner-whitespace-collapsed"),
        pytest.param("de\u00a0la Tour", "DE LA TOUR", id="no-break-space-is-a-space"),
        pytest.param("Lefèvre", "LEFEVRE", id="grave-accent"),
        pytest.param("éèêëàâäçôöùûüîïÿñ", "EEEEAAACOOUUUIIYN", id="french-diacritics"),
        pytest.param("ÉÈÊËÀÂÄÇÔÖÙÛÜÎÏŸÑ", "EEEEAAACOOUUUIIYN", id="capital-diacritics"),
        pytest.param("Lefe\u0300vre", "LEFEVRE", id="decomposed-accent"),
        pytest.param("Cœur", "COEUR", id="oe-ligature"),
        pytest.param("LÆTITIA", "LAETITIA", id="ae-ligature"),
        pytest.param("Straße", "STRASSE", id="sharp-s"),
        pytest.param("Ørsted Łoś Đukić", "ORSTED LOS DUKIC", id="stroked-letters"),
        pytest.param("Şahin Nguyễn", "SAHIN NGUYEN", id="other-latin-diacritics"),
        pytest.param("N'Diaye", "N'DIAYE", id="apostrophe"),
        pytest.param("d’Arc", "D'ARC", id="typographic-apostrophe"),
        pytest.param("d‘Arc", "D'ARC", id="opening-quote-as-apostrophe"),
        pytest.param("d`Arc", "D'ARC", id="backtick-as-apostrophe"),
        pytest.param("'t Hooft", "'T HOOFT", id="apostrophe-first"),
        pytest.param("Dupont\u2010Martin", "DUPONT-MARTIN", id="unicode-hyphen"),
        pytest.param("Dupont\u2011Martin", "DUPONT-MARTIN", id="non-breaking-hyphen"),
        pytest.param("Dupont--Martin", "DUPONT--MARTIN", id="double-family-name"),
        pytest.param("O'", "O'", id="name-may-end-with-apostrophe"),
        pytest.param("A" * 100, "A" * 100, id="100-characters"),
    ],
)
def test_birth_name_is_normalised(text, expected):
    assert normalise_birth_name(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("Dupont3", f"“3” {CHARACTERS}", id="digit"),
        pytest.param("Du_pont!", f"“_”, “!” {CHARACTERS}", id="two-characters"),
        pytest.param("D.U.P.", f"“.” {CHARACTERS}", id="repeated-character-named-once"),
        pytest.param("Dupont/Martin", f"“/” {CHARACTERS}", id="slash"),
        pytest.param("Dupont, Martin", f"“,” {CHARACTERS}", id="comma"),
        pytest.param("Иванов", f"“И”, “в”, “а”, “н”, “о” {CHARACTERS}", id="cyrillic"),
        pytest.param("王", f"“王” {CHARACTERS}", id="chinese"),
        pytest.param("Du\u200bpont", f"U+200B {CHARACTERS}", id="invisible-character"),
        pytest.param("Dupont – Martin",
                     "Replace “–” with a hyphen (-): a dash cannot be part of a name.", id="en-dash"),
        pytest.param("Dupont—Martin",
                     "Replace “—” with a hyphen (-): a dash cannot be part of a name.", id="em-dash"),
        pytest.param("Dupont–Martin2", f"“–”, “2” {CHARACTERS}", id="dash-and-digit"),
        pytest.param("", "Type the birth name as written on the identity document.", id="empty"),
        pytest.param(" \t ", "Type the birth name as written on the identity document.",
                     id="blank"),
        pytest.param("'", NO_LETTER, id="apostrophe-only"),
        pytest.param("-", NO_LETTER, id="hyphen-only"),
        pytest.param("-Dupont", START_HYPHEN, id="starts-with-hyphen"),
        pytest.param("Dupont-", END_HYPHEN, id="ends-with-hyphen"),
        pytest.param("Dupont--", END_HYPHEN, id="ends-with-double-hyphen"),
        pytest.param("Dupont---Martin", TRIPLE_HYPHEN, id="triple-hyphen"),
        pytest.param("D''Arc", DOUBLED_APOSTROPHE, id="doubled-apostrophe"),
        pytest.param("D’'Arc", DOUBLED_APOSTROPHE, id="doubled-after-conversion"),
        pytest.param("D' Arc", SPACE_APOSTROPHE, id="space-after-apostrophe"),
        pytest.param("D 'Arc", SPACE_APOSTROPHE, id="space-before-apostrophe"),
        pytest.param("Dupont - Martin", SPACE_HYPHEN, id="spaces-around-hyphen"),
        pytest.param("Dupont -Martin", SPACE_HYPHEN, id="space-before-hyphen"),
        pytest.param("Dupont- Martin", SPACE_HYPHEN, id="space-after-hyphen"),
        pytest.param("A" * 101,
                     "Shorten the name to 100 characters: written in capitals without accents it "
                     "has 101.", id="101-characters"),
        pytest.param("Œ" + "A" * 99,
                     "Shorten the name to 100 characters: written in capitals without accents it "
                     "has 101.", id="ligature-makes-it-too-long"),
    ],
)
def test_birth_name_is_refused(text, expected):
    assert refusal(normalise_birth_name, text) == expected


def test_invalid_name_is_a_value_error_carrying_its_message():
    error = InvalidName("Type the first name.")
    assert isinstance(error, ValueError)
    assert error.message == "Type the first name."
    assert str(error) == "Type the first name."


def test_used_name_follows_the_name_rules():
    assert normalise_used_name(" Martin--Lefèvre ") == "MARTIN--LEFEVRE"
    assert refusal(normalise_used_name, "") == "Type the used name."
    assert refusal(normalise_used_name, "Martin-") == END_HYPHEN
    assert refusal(normalise_used_name, "Martin 2") == f"“2” {CHARACTERS}"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("Sarah-Lou Anna", "SARAH-LOU ANNA", id="composite-and-simple"),
        pytest.param("  Élodie   Zoé  ", "ELODIE ZOE", id="collapsed-and-transliterated"),
        pytest.param("Jean-Pierre Marie Joseph", "JEAN-PIERRE MARIE JOSEPH", id="three"),
        pytest.param("Awa", "AWA", id="one"),
        pytest.param("Marie-Ève", "MARIE-EVE", id="accent-after-hyphen"),
    ],
)
def test_first_names_are_normalised(text, expected):
    assert normalise_first_names(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("", "Type the birth first names as written on the identity document, "
                         "separated by spaces.", id="empty"),
        pytest.param("Jean--Pierre", FIRST_NAME_DOUBLE_HYPHEN, id="double-hyphen"),
        pytest.param("Anna Jean--Pierre", FIRST_NAME_DOUBLE_HYPHEN, id="double-hyphen-second"),
        pytest.param("Marie Anne-", FIRST_NAME_END, id="last-ends-with-hyphen"),
        pytest.param("Anna'", FIRST_NAME_END, id="ends-with-apostrophe"),
        pytest.param("Jean- Pierre", SPACE_HYPHEN, id="entry-ends-with-hyphen"),
        pytest.param("Jean -Pierre", SPACE_HYPHEN, id="entry-starts-with-hyphen"),
        pytest.param("Anna' Marie", SPACE_APOSTROPHE, id="entry-ends-with-apostrophe"),
        pytest.param("-Anna", START_HYPHEN, id="starts-with-hyphen"),
        pytest.param("Anna 2", f"“2” {CHARACTERS}", id="digit"),
    ],
)
def test_first_names_are_refused(text, expected):
    assert refusal(normalise_first_names, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("jean-pierre", "JEAN-PIERRE", id="composite"),
        pytest.param(" Zoé ", "ZOE", id="simple"),
        pytest.param("N’Golo", "N'GOLO", id="apostrophe"),
    ],
)
def test_first_name_is_normalised(text, expected):
    assert normalise_first_name(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("", "Type the first name.", id="empty"),
        pytest.param("Jean Pierre", ONE_FIRST_NAME, id="two-first-names"),
        pytest.param("Jean--Pierre", FIRST_NAME_DOUBLE_HYPHEN, id="double-hyphen"),
        pytest.param("Zoé-", FIRST_NAME_END, id="ends-with-hyphen"),
        pytest.param("Zoé'", FIRST_NAME_END, id="ends-with-apostrophe"),
        pytest.param("Zoé!", f"“!” {CHARACTERS}", id="punctuation"),
    ],
)
def test_first_name_is_refused(text, expected):
    assert refusal(normalise_first_name, text) == expected


@pytest.mark.parametrize(
    ("first_names", "expected"),
    [
        pytest.param("SARAH-LOU ANNA", "SARAH-LOU", id="composite-first"),
        pytest.param("AWA FATOU", "AWA", id="two"),
        pytest.param("AWA", "AWA", id="one"),
        pytest.param("", "", id="empty"),
    ],
)
def test_first_of(first_names, expected):
    assert first_of(first_names) == expected


NAME_TEXT = st.text(alphabet="abcdeéèêëàçôùîïÿœæßABCÉŒ -'’\u2010", max_size=40)


@given(NAME_TEXT)
def test_a_normalised_name_uses_only_the_allowed_characters_and_is_stable(text):
    try:
        name = normalise_birth_name(text)
    except InvalidName:
        return
    assert re.fullmatch(r"[A-Z' -]{1,100}", name)
    assert normalise_birth_name(name) == name


@given(st.text(alphabet="abcéèçàœæß", min_size=1, max_size=40))
def test_no_letter_is_dropped(text):
    expansions = sum(text.count(char) for char in "œæß")
    assert len(normalise_birth_name(text)) == len(text) + expansions


@given(st.text(alphabet="abcé -'", max_size=20), st.sampled_from("0123456789_!/.,;:@#&()[]"),
       st.text(alphabet="abcé -'", max_size=20))
def test_any_other_character_is_refused_and_named(before, char, after):
    message = refusal(normalise_birth_name, before + char + after)
    assert message == f"“{char}” {CHARACTERS}"
