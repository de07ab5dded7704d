"""Folding, tokens and the French phonetic key used to find duplicates."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.fr import nir as stdnum_nir

from secretariat.patients.rules.keys import (
    PARTICLES,
    comparable_nir,
    fold,
    name_tokens,
    phonetic_key,
    significant_tokens,
)


@pytest.mark.parametrize(("text", "expected"), [
    pytest.param("D'Almeida-Lefèvre", "DALMEIDALEFEVRE", id="apostrophe-hyphen-accent"),
    pytest.param("Lætitia", "LAETITIA", id="ligature-ae"),
    pytest.param("ŒUVRARD", "OEUVRARD", id="ligature-oe"),
    pytest.param("Strauß", "STRAUSS", id="sharp-s"),
    pytest.param("Łukasz Øster", "LUKASZOSTER", id="stroked-letters"),
    pytest.param("N’DIAYE", "NDIAYE", id="typographic-apostrophe"),
    pytest.param("  jean   pierre ", "JEANPIERRE", id="spaces"),
    pytest.param("Zoë Noëlle Ibáñez Çelik", "ZOENOELLEIBANEZCELIK", id="diaeresis-cedilla-tilde"),
    pytest.param("DUPONT2", "DUPONT", id="digit-dropped"),
    pytest.param("", "", id="empty"),
])
def test_fold(text: str, expected: str) -> None:
    assert fold(text) == expected


@given(st.text())
def test_fold_is_idempotent_and_gives_a_to_z_only(text: str) -> None:
    folded = fold(text)
    assert fold(folded) == folded
    assert re.fullmatch(r"[A-Z]*", folded)


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyzéèêëàâäîïôöùûüç '-"))
def test_fold_ignores_case(text: str) -> None:
    assert fold(text) == fold(text.upper())


@pytest.mark.parametrize(("text", "expected"), [
    pytest.param("Dumont-Laurent", ("DUMONT", "LAURENT"), id="compound"),
    pytest.param("D'ALMEIDA", ("D", "ALMEIDA"), id="elided-particle"),
    pytest.param("de la Fontaine", ("DE", "LA", "FONTAINE"), id="particles"),
    pytest.param("MARTIN--DUBOIS", ("MARTIN", "DUBOIS"), id="double-hyphen"),
    pytest.param("Jean-Pierre  Marie", ("JEAN", "PIERRE", "MARIE"), id="first-names"),
    pytest.param("Lefèvre", ("LEFEVRE",), id="single"),
    pytest.param(" - ' ", (), id="separators-only"),
])
def test_name_tokens(text: str, expected: tuple[str, ...]) -> None:
    assert name_tokens(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    pytest.param("de la Fontaine", ("FONTAINE",), id="particles-dropped"),
    pytest.param("LE GALL", ("GALL",), id="le"),
    pytest.param("VAN DER BERG", ("BERG",), id="dutch"),
    pytest.param("EL AMRANI", ("AMRANI",), id="arabic"),
    pytest.param("LE", ("LE",), id="only-a-particle-is-kept"),
])
def test_significant_tokens(text: str, expected: tuple[str, ...]) -> None:
    assert significant_tokens(text) == expected


def test_particles_are_folded_tokens() -> None:
    assert all(fold(particle) == particle for particle in PARTICLES)


@pytest.mark.parametrize(("first", "second"), [
    pytest.param("LEFEBVRE", "LEFEVRE", id="lefebvre-lefevre"),
    pytest.param("LEFEVRE", "LEFÈVRE", id="accent"),
    pytest.param("MARTIN", "MARTAIN", id="in-ain"),
    pytest.param("THOMAS", "TOMAS", id="th-t"),
    pytest.param("PHILIPPE", "FILIPE", id="ph-f-double-p"),
    pytest.param("DUPOND", "DUPONT", id="final-d-t"),
    pytest.param("LAURENT", "LAURANT", id="en-an"),
    pytest.param("MOREAU", "MORO", id="eau-o"),
    pytest.param("ROUSSEAU", "ROUSSO", id="eau-o-double-s"),
    pytest.param("BERNARD", "BERNART", id="final-d-t-after-r"),
    pytest.param("THIBAULT", "THIBAUD", id="ault-aud"),
    pytest.param("GUYOT", "GUIOT", id="y-i"),
    pytest.param("CHRISTOPHE", "KRISTOF", id="greek-ch"),
    pytest.param("SCHMITT", "SCHMIDT", id="tt-dt"),
    pytest.param("CATHERINE", "KATHERINE", id="c-k"),
    pytest.param("GOMES", "GOMEZ", id="es-ez"),
    pytest.param("RODRIGUES", "RODRIGUEZ", id="gues-guez"),
    pytest.param("HENRI", "HENRY", id="mute-h-y"),
    pytest.param("MICHEL", "MICHELLE", id="ll-final-e"),
    pytest.param("SOPHIE", "SOFIE", id="ph-f"),
    pytest.param("CEDRIC", "SEDRIK", id="soft-c"),
    pytest.param("MOHAMED", "MOHAMMED", id="double-m"),
    pytest.param("MAILLARD", "MAIARD", id="ill-after-vowel"),
    pytest.param("DESCHAMPS", "DECHAMP", id="sch-final-ps"),
    pytest.param("LE GALL", "LEGALL", id="space-in-name"),
    pytest.param("GEORGES", "JORJ", id="soft-g"),
    pytest.param("NGUYEN", "NGUYÊN", id="vietnamese-accent"),
])
def test_phonetic_key_equal(first: str, second: str) -> None:
    assert phonetic_key(first) == phonetic_key(second)
    assert phonetic_key(first)


@pytest.mark.parametrize(("first", "second"), [
    pytest.param("MARTIN", "MARTINEZ", id="martin-martinez"),
    pytest.param("MARTIN", "MARTINE", id="martin-martine"),
    pytest.param("DUPONT", "DURAND", id="dupont-durand"),
    pytest.param("LEFEBVRE", "LEFEBURE", id="lefebvre-lefebure"),
    pytest.param("JULIEN", "JULIA", id="julien-julia"),
    pytest.param("ANNE", "AGNES", id="anne-agnes"),
    pytest.param("BRUN", "BRUNO", id="brun-bruno"),
    pytest.param("LOUIS", "LUCIE", id="louis-lucie"),
    pytest.param("BLANC", "BLANCHE", id="blanc-blanche"),
    pytest.param("FAURE", "FAVRE", id="faure-favre"),
])
def test_phonetic_key_different(first: str, second: str) -> None:
    assert phonetic_key(first) != phonetic_key(second)


@pytest.mark.parametrize(("text", "expected"), [
    pytest.param("LEFEBVRE", "LEFEVR", id="lefebvre"),
    pytest.param("MARTIN", "MARTi", id="nasal-in"),
    pytest.param("DUPONT", "DUPo", id="nasal-on"),
    pytest.param("DURAND", "DURa", id="nasal-an"),
    pytest.param("PHILIPPE", "FILIP", id="philippe"),
    pytest.param("H", "", id="mute-h-alone"),
    pytest.param("", "", id="empty"),
])
def test_phonetic_key_values(text: str, expected: str) -> None:
    assert phonetic_key(text) == expected


@given(st.text())
def test_phonetic_key_depends_only_on_the_folded_name(text: str) -> None:
    key = phonetic_key(text)
    assert key == phonetic_key(fold(text))
    assert re.fullmatch(r"[A-Zaeiouwx]*", key)


@pytest.mark.parametrize(("text", "expected"), [
    # Worked examples of french-rules.md §2.3.
    pytest.param("185057800608491", "185057800608491", id="man-yvelines"),
    pytest.param("2 53 07 2a 073 004 43", "253072A07300443", id="corse-du-sud-spaces-lowercase"),
    pytest.param("253072B07300470", "253072B07300470", id="haute-corse"),
    pytest.param("178029712012303", "178029712012303", id="guadeloupe"),
    pytest.param("160209935001253", "160209935001253", id="pseudo-month"),
    pytest.param("185057800608492", "", id="wrong-key"),
    pytest.param("18505780060849", "", id="too-short"),
    pytest.param("253072C07300443", "", id="not-corsica"),
    pytest.param("", "", id="empty"),
])
def test_comparable_nir(text: str, expected: str) -> None:
    assert comparable_nir(text) == expected


@given(st.from_regex(r"[12][0-9]{4}(?:[0-9]{2}|2[AB])[0-9]{8}", fullmatch=True))
def test_comparable_nir_agrees_with_python_stdnum(text: str) -> None:
    assert bool(comparable_nir(text)) == stdnum_nir.is_valid(text)
