from datetime import date

import pytest
from django.utils.translation import override
from hypothesis import given
from hypothesis import strategies as st
from stdnum.fr import nir as stdnum_nir

from secretariat.patients.rules.nir import clean_nir, nir_inconsistencies, nir_key, nir_problem

# french-rules.md §2.3, the six worked examples: (body, key).
WORKED_EXAMPLES = [
    pytest.param("1850578006084", "91", id="1-man-yvelines"),
    pytest.param("253072A073004", "43", id="2-woman-corse-du-sud"),
    pytest.param("253072B073004", "70", id="3-woman-haute-corse"),
    pytest.param("2951099126111", "93", id="4-woman-born-abroad"),
    pytest.param("1780297120123", "03", id="5-man-guadeloupe"),
    pytest.param("1602099350012", "53", id="6-pseudo-month-born-abroad"),
]

KEY_91_MESSAGE = "The key 91 does not match: check the 15 characters on the carte Vitale."
CORSICA_LETTERS = ("cannot be part of a NIR: it is made of digits only, with 2A or 2B for people "
                   "born in Corsica.")


@pytest.fixture(autouse=True)
def _english():
    with override("en"):
        yield


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("1 85 05 78 006 084 91", "185057800608491", id="spaces"),
        pytest.param("2.53.07.2a.073.004.43", "253072A07300443", id="dots-and-lowercase"),
        pytest.param("1-85-05-78-006-084-91", "185057800608491", id="hyphens"),
        pytest.param("\t185057800608491\n", "185057800608491", id="surrounding-whitespace"),
        pytest.param("1\u00a085 05", "18505", id="no-break-space"),
        pytest.param("", "", id="empty"),
    ],
)
def test_clean_nir(text, expected):
    assert clean_nir(text) == expected


@pytest.mark.parametrize(("body", "key"), WORKED_EXAMPLES)
def test_key_of_the_worked_examples(body, key):
    assert nir_key(body) == key


@pytest.mark.parametrize(("body", "key"), WORKED_EXAMPLES)
def test_worked_examples_have_no_problem(body, key):
    assert nir_problem(body + key) is None


@pytest.mark.parametrize(
    "body",
    [
        pytest.param("253072C073004", id="2C"),
        pytest.param("185057800608", id="12-characters"),
        pytest.param("18505780060845", id="14-characters"),
        pytest.param("185057800608A", id="letter-in-order-number"),
        pytest.param("1850578006084 ", id="trailing-space"),
        pytest.param("185057800608٤", id="arabic-indic-digit"),
    ],
)
def test_key_of_a_malformed_body_is_a_programming_error(body):
    with pytest.raises(ValueError, match="not a 13-character NIR body"):
        nir_key(body)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("1 85 05 78 006 084 91", id="typed-in-groups"),
        pytest.param("253072a07300443", id="lowercase-corsica"),
        pytest.param("7850578006084 82", id="temporary-7"),
        pytest.param("885057800608432", id="temporary-8"),
        pytest.param("253072007300416", id="corsica-before-1976"),
    ],
)
def test_well_formed_nir_has_no_problem(text):
    assert nir_problem(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("185057800608492",
                     "The key 92 does not match: check the 15 characters on the carte Vitale.",
                     id="key-off-by-one"),
        pytest.param("185057800608419",
                     "The key 19 does not match: check the 15 characters on the carte Vitale.",
                     id="key-digits-swapped"),
        pytest.param("185057800608591", KEY_91_MESSAGE, id="body-digit-changed"),
        pytest.param("185057800680491", KEY_91_MESSAGE, id="body-digits-swapped"),
        pytest.param("253072B07300443",
                     "The key 43 does not match: check the 15 characters on the carte Vitale.",
                     id="2B-with-the-key-of-2A"),
        pytest.param("185057800608400",
                     "The key 00 does not match: check the 15 characters on the carte Vitale.",
                     id="key-00"),
        pytest.param("18505780060849",
                     "You typed 14 characters and a NIR has 15: check the number on the carte "
                     "Vitale.", id="14-characters"),
        pytest.param("1850578006084911",
                     "You typed 16 characters and a NIR has 15: check the number on the carte "
                     "Vitale.", id="16-characters"),
        pytest.param("1",
                     "You typed 1 character and a NIR has 15: check the number on the carte "
                     "Vitale.", id="1-character"),
        pytest.param("1 85 05 78 006 084",
                     "Add the key: you typed 13 characters and a NIR has 15, the last two being "
                     "the key printed at the end of the number.", id="13-characters-no-key"),
        pytest.param("18505780O608491", f"“O” {CORSICA_LETTERS}", id="letter-O-for-zero"),
        pytest.param("253072C07300443", f"“C” {CORSICA_LETTERS}", id="2C"),
        pytest.param("1X5057800Y08491", f"“X”, “Y” {CORSICA_LETTERS}", id="two-letters"),
        pytest.param("185057800608491/",
                     "Remove “/”: a NIR is made of digits only, with 2A or 2B for people born in "
                     "Corsica.", id="slash"),
        pytest.param("18505_78006084é",
                     "Remove “_”, “É”: a NIR is made of digits only, with 2A or 2B for people born "
                     "in Corsica.", id="underscore-and-accent"),
        pytest.param("1A5057800608491",
                     "Check the letters: only Corsica is written with a letter, as 2A or 2B in "
                     "6th and 7th position.", id="A-at-the-wrong-place"),
        pytest.param("253073A07300443",
                     "Check the letters: only Corsica is written with a letter, as 2A or 2B in "
                     "6th and 7th position.", id="3A-is-not-corsica"),
        pytest.param("385057800608488",
                     "Check the first digit: it is 1 for a man or 2 for a woman (7 or 8 for a "
                     "temporary number), not 3.", id="first-digit-3"),
        pytest.param("", "Type the NIR: 15 characters, as on the carte Vitale.", id="empty"),
        pytest.param(" . ", "Type the NIR: 15 characters, as on the carte Vitale.",
                     id="separators-only"),
    ],
)
def test_nir_problem(text, expected):
    assert nir_problem(text) == expected


CORSICA_OR_DIGITS = st.one_of(st.sampled_from(["2A", "2B"]),
                              st.text(alphabet="0123456789", min_size=2, max_size=2))
BODIES = st.builds(
    lambda first, middle, department, rest: first + middle + department + rest,
    st.sampled_from("1278"),
    st.text(alphabet="0123456789", min_size=4, max_size=4),
    CORSICA_OR_DIGITS,
    st.text(alphabet="0123456789", min_size=6, max_size=6),
)


@given(BODIES)
def test_any_body_with_its_key_is_valid(body):
    key = nir_key(body)
    assert "01" <= key <= "97"
    assert key == stdnum_nir.calc_check_digits(body)
    assert nir_problem(body + key) is None


@given(BODIES, st.integers(min_value=0, max_value=99))
def test_any_other_key_is_refused(body, number):
    other = f"{number:02d}"
    if other == nir_key(body):
        other = f"{(number + 1) % 100:02d}"
    assert nir_problem(body + other) == (
        f"The key {other} does not match: check the 15 characters on the carte Vitale.")


MAN_YVELINES = "185057800608491"
WOMAN_CORSE_DU_SUD = "253072A07300443"
WOMAN_ABROAD = "295109912611193"
MAN_GUADELOUPE = "178029712012303"
PSEUDO_MONTH = "160209935001253"
CORSICA_1953 = "253072007300416"  # département 20: born in Corsica before 1976
ALGERIA_1955 = "155039112304535"  # département 91 before 1962: Algeria
SEINE_1960 = "160037501203471"
SEINE_1970 = "170037501203466"


@pytest.mark.parametrize(
    ("nir", "sex", "birth_date", "place"),
    [
        pytest.param(MAN_YVELINES, "M", date(1985, 5, 17), "78006", id="1-man-yvelines"),
        pytest.param(WOMAN_CORSE_DU_SUD, "F", date(1953, 7, 2), "2A073", id="2-corse-du-sud"),
        pytest.param("253072B07300470", "F", date(1953, 7, 2), "2B073", id="3-haute-corse"),
        pytest.param(WOMAN_ABROAD, "F", date(1995, 10, 30), "99126", id="4-born-abroad"),
        pytest.param(MAN_GUADELOUPE, "M", date(1978, 2, 1), "97120", id="5-guadeloupe"),
        pytest.param(PSEUDO_MONTH, "M", date(1960, 8, 14), "99350", id="6-pseudo-month"),
        pytest.param("1 85 05 78 006 084 91", "M", date(1985, 5, 17), "78006", id="typed-in-groups"),
        pytest.param(MAN_YVELINES, "M", date(1885, 5, 17), "78006", id="century-is-not-compared"),
        pytest.param(MAN_YVELINES, "I", date(1985, 5, 17), "78006", id="indeterminate-sex"),
        pytest.param("785057800608482", "F", date(1985, 5, 17), "78006", id="temporary-7"),
        pytest.param("885057800608432", "M", date(1985, 5, 17), "78006", id="temporary-8"),
        pytest.param(CORSICA_1953, "F", date(1953, 7, 2), "2A073", id="corsica-20-then-2A"),
        pytest.param(CORSICA_1953, "F", date(1953, 7, 2), "2B073", id="corsica-20-then-2B"),
        pytest.param(WOMAN_CORSE_DU_SUD, "F", date(1953, 7, 2), "20073", id="corsica-2A-then-20"),
        pytest.param(ALGERIA_1955, "M", date(1955, 3, 9), "99352", id="algeria-before-1962"),
        pytest.param(SEINE_1960, "M", date(1960, 3, 9), "92012", id="seine-before-1968"),
        pytest.param(MAN_YVELINES, "M", date(1985, 5, 17), "", id="no-birthplace"),
        pytest.param(MAN_YVELINES, "M", date(1985, 5, 17), "7800", id="malformed-birthplace"),
        pytest.param(MAN_YVELINES, "M", date(1985, 5, 17), " 78006 ", id="birthplace-with-spaces"),
        pytest.param("185057800608492", "F", date(2001, 1, 1), "99109", id="invalid-nir-no-warning"),
    ],
)
def test_consistent_traits_give_no_warning(nir, sex, birth_date, place):
    assert nir_inconsistencies(nir, sex=sex, birth_date=birth_date, birthplace_code=place) == []


@pytest.mark.parametrize(
    ("nir", "sex", "birth_date", "place", "expected"),
    [
        pytest.param(MAN_YVELINES, "F", date(1985, 5, 17), "78006",
                     "The NIR is a man's (it starts with 1) but the sex is female: check the sex, "
                     "and that this NIR is the patient's own.", id="man-nir-female"),
        pytest.param(WOMAN_CORSE_DU_SUD, "M", date(1953, 7, 2), "2A073",
                     "The NIR is a woman's (it starts with 2) but the sex is male: check the sex, "
                     "and that this NIR is the patient's own.", id="woman-nir-male"),
        pytest.param(MAN_YVELINES, "M", date(1986, 5, 17), "78006",
                     "The NIR gives a birth year ending in 85 but the birth date is in 1986: check "
                     "the birth date and the NIR.", id="year"),
        pytest.param(MAN_YVELINES, "M", date(1985, 6, 17), "78006",
                     "The NIR gives 05 as the month of birth but the birth date is in month 06: "
                     "check the birth date and the NIR.", id="month"),
        pytest.param(MAN_YVELINES, "M", date(1985, 5, 17), "75056",
                     "The NIR gives a birth in département 78 but the birthplace code 75056 is in "
                     "département 75: check the birthplace and the NIR.", id="department"),
        pytest.param(MAN_YVELINES, "M", date(1985, 5, 17), "78010",
                     "The NIR gives the commune code 78006 but the birthplace code is 78010: check "
                     "the birthplace (the commune code at the date of birth) and the NIR.",
                     id="commune"),
        pytest.param(MAN_YVELINES, "M", date(1985, 5, 17), "99109",
                     "The NIR gives a birth in France (place code 78006) but the birthplace code "
                     "99109 is a foreign country: check the birthplace and the NIR.",
                     id="france-vs-abroad"),
        pytest.param(WOMAN_ABROAD, "F", date(1995, 10, 30), "75056",
                     "The NIR gives a birth abroad (country code 99126) but the birthplace code "
                     "75056 is in France: check the birthplace and the NIR.", id="abroad-vs-france"),
        pytest.param(WOMAN_ABROAD, "F", date(1995, 10, 30), "99109",
                     "The NIR gives the country of birth 99126 but the birthplace code is 99109: "
                     "check the country of birth and the NIR.", id="other-country"),
        pytest.param(MAN_GUADELOUPE, "M", date(1978, 2, 1), "97209",
                     "The NIR gives a birth in département 971 but the birthplace code 97209 is in "
                     "département 972: check the birthplace and the NIR.", id="overseas"),
        pytest.param(WOMAN_CORSE_DU_SUD, "F", date(1953, 7, 2), "2B073",
                     "The NIR gives a birth in département 2A but the birthplace code 2B073 is in "
                     "département 2B: check the birthplace and the NIR.", id="2A-vs-2B"),
        pytest.param(CORSICA_1953, "F", date(1953, 7, 2), "2A074",
                     "The NIR gives the commune code 20073 but the birthplace code is 2A074: check "
                     "the birthplace (the commune code at the date of birth) and the NIR.",
                     id="corsica-20-other-commune"),
        pytest.param(SEINE_1970, "M", date(1970, 3, 9), "92012",
                     "The NIR gives a birth in département 75 but the birthplace code 92012 is in "
                     "département 92: check the birthplace and the NIR.", id="seine-after-1968"),
    ],
)
def test_one_inconsistency(nir, sex, birth_date, place, expected):
    assert nir_inconsistencies(nir, sex=sex, birth_date=birth_date, birthplace_code=place) == [
        expected]


def test_several_inconsistencies_are_all_reported_in_order():
    assert nir_inconsistencies(MAN_YVELINES, sex="F", birth_date=date(1990, 1, 3),
                               birthplace_code="2A004") == [
        "The NIR is a man's (it starts with 1) but the sex is female: check the sex, and that "
        "this NIR is the patient's own.",
        "The NIR gives a birth year ending in 85 but the birth date is in 1990: check the birth "
        "date and the NIR.",
        "The NIR gives 05 as the month of birth but the birth date is in month 01: check the "
        "birth date and the NIR.",
        "The NIR gives a birth in département 78 but the birthplace code 2A004 is in département "
        "2A: check the birthplace and the NIR.",
    ]


@pytest.mark.parametrize("month", [1, 6, 12])
def test_pseudo_month_matches_any_month(month):
    assert nir_inconsistencies(PSEUDO_MONTH, sex="M", birth_date=date(1960, month, 1),
                               birthplace_code="99350") == []
