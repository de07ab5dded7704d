"""The pure rules of the triage protocols: checking a tree, walking it, the line format."""

import pytest
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from secretariat.reception import protocols
from secretariat.reception.rules_triage import (
    InvalidAnswers,
    LineFormatError,
    format_answers,
    outline,
    parse_answers,
    parse_lines,
    step,
    to_lines,
    tree_problems,
)


@pytest.fixture(autouse=True)
def _english():
    """Messages asserted as their msgids (the French catalogue is compiled by the lead)."""
    with translation.override("en"):
        yield


def small_tree():
    return {
        "start": "q1",
        "questions": {
            "q1": {"text": "Douleur dans la poitrine ?", "answers": [
                {"label": "Oui", "outcome": "call_15"}, {"label": "Non", "next": "q2"}]},
            "q2": {"text": "Fièvre ?", "answers": [
                {"label": "Oui", "outcome": "today"}, {"label": "Non", "outcome": "routine"}]},
        },
        "outcomes": {
            "call_15": {"priority": 1, "title": "Appelez le 15", "instructions": "", "script": "Gardez en ligne."},
            "today": {"priority": 2, "title": "Aujourd'hui", "instructions": "", "script": ""},
            "routine": {"priority": 4, "title": "Habituel", "instructions": "", "script": ""},
        },
    }


def test_the_shipped_protocol_is_valid_and_starts_with_chest_pain():
    shipped = protocols.load()
    assert tree_problems(shipped["tree"]) == []
    assert shipped["tree"]["start"] == "chest_pain"
    assert "doivent le relire" in shipped["sources"]
    emergencies = [o for o in shipped["tree"]["outcomes"].values() if o["priority"] == 1]
    assert all("15" in o["title"] and o["script"] for o in emergencies)


def test_a_valid_tree_has_no_problem():
    assert tree_problems(small_tree()) == []


@pytest.mark.parametrize(("change", "expected"), [
    (lambda t: t.update(start="nowhere"), "The first question “nowhere” does not exist."),
    (lambda t: t["questions"]["q1"]["answers"].__setitem__(1, {"label": "Non", "next": "q9"}),
     "Answer 2 of the question “q1” leads to the question “q9”, which does not exist."),
    (lambda t: t["questions"]["q2"]["answers"].__setitem__(0, {"label": "Oui", "outcome": "nope"}),
     "Answer 1 of the question “q2” leads to the outcome “nope”, which does not exist."),
    (lambda t: t["questions"]["q2"].update(answers=[]), "The question “q2” has no answer."),
    (lambda t: t["outcomes"]["today"].update(priority=None), "The outcome “today” has no priority (1 to 4)."),
    (lambda t: t["outcomes"]["call_15"].update(script=" "),
     "The emergency outcome “call_15” has no script for the desk to follow."),
    (lambda t: t["questions"]["q2"]["answers"].__setitem__(1, {"label": "Non", "next": "q1"}),
     "The questions loop: q1 → q2 → q1."),
    (lambda t: t["questions"].update(q3={"text": "Orpheline ?", "answers": [{"label": "Oui", "outcome": "routine"}]}),
     "The question “q3” is never asked."),
])
def test_each_problem_is_named(change, expected):
    tree = small_tree()
    change(tree)
    assert expected in tree_problems(tree)


def test_not_a_tree():
    assert tree_problems([]) == ["The protocol is not a question tree."]


def test_walk_to_a_question_then_an_outcome():
    tree = small_tree()
    first = step(tree, [])
    assert (first.kind, first.key, first.path) == ("question", "q1", [])
    second = step(tree, [1])
    assert second.key == "q2"
    assert second.path == [{"question_key": "q1", "question": "Douleur dans la poitrine ?",
                                                    "answer": "Non"}]
    reached = step(tree, [1, 0])
    assert reached.is_outcome
    assert reached.key == "today"
    assert [p["answer"] for p in reached.path] == ["Non", "Oui"]


@pytest.mark.parametrize("answers", [[2], [-1], [0, 0], [1, 0, 1]])
def test_answers_off_the_tree_are_refused(answers):
    with pytest.raises(InvalidAnswers):
        step(small_tree(), answers)


@pytest.mark.parametrize("text", ["a", "1..2", "1,2", "1.", "-1", "12"])
def test_malformed_answer_strings_are_refused(text):
    with pytest.raises(InvalidAnswers):
        parse_answers(text)


def test_answer_strings_round_trip():
    assert parse_answers(format_answers([0, 3, 8])) == [0, 3, 8]
    assert parse_answers("") == []


def test_the_line_format_round_trips_the_shipped_protocol():
    tree = protocols.load()["tree"]
    assert parse_lines(to_lines(tree)) == {**tree, "questions": {
        key: {**question, "help": question.get("help", "")} for key, question in tree["questions"].items()}}


def test_the_line_format_reports_lines_it_does_not_understand():
    with pytest.raises(LineFormatError) as error:
        parse_lines("QUESTION q1: Fièvre ?\n- Oui => x\nn'importe quoi\nISSUE x: Titre\nPRIORITÉ: 7\n")
    assert error.value.messages == ["Line 3 is not understood: “n'importe quoi”.",
                                    "Line 5: the priority must be 1, 2, 3 or 4."]


def test_the_line_format_reads_english_keywords_and_multi_line_scripts():
    tree = parse_lines("# comment\nQUESTION q1: Chest pain?\nHELP: even mild\n- Yes => e\n- No => r\n\n"
                       "OUTCOME e: Call 15\nPRIORITY: 1\nSCRIPT: one\nSCRIPT: two\nOUTCOME r: Routine\nPRIORITY: 4\n")
    assert tree_problems(tree) == []
    assert tree["outcomes"]["e"]["script"] == "one\ntwo"
    assert tree["questions"]["q1"]["help"] == "even mild"


def test_outline_numbers_questions_from_the_start():
    rows = outline(small_tree())
    assert [row["key"] for row in rows] == ["q1", "q2"]
    assert rows[0]["answers"][0]["outcome"]["title"] == "Appelez le 15"
    assert rows[0]["answers"][1]["next_number"] == 2


# --- Properties: any tree without problems can be walked to an outcome and written back. ---

labels = st.text(alphabet="abcdefghij éèà?", min_size=1, max_size=12).map(str.strip).filter(bool)


@st.composite
def valid_trees(draw):
    """A chain of questions where each answer leads forward or to an outcome: no loop by construction."""
    count = draw(st.integers(min_value=1, max_value=6))
    keys = [f"q{i}" for i in range(count)]
    outcomes = {f"o{p}": {"priority": p, "title": draw(labels), "instructions": "",
                          "script": draw(labels) if p == 1 else ""} for p in (1, 2, 3, 4)}
    questions = {}
    for index, key in enumerate(keys):
        answers = []
        for _number in range(draw(st.integers(min_value=1, max_value=4))):
            if index + 1 < count and draw(st.booleans()):
                answers.append({"label": draw(labels), "next": keys[draw(st.integers(index + 1, count - 1))]})
            else:
                answers.append({"label": draw(labels), "outcome": draw(st.sampled_from(sorted(outcomes)))})
        questions[key] = {"text": draw(labels), "help": "", "answers": answers}
    # every question reachable: q(i) links to q(i+1) through its first answer
    for index, key in enumerate(keys[:-1]):
        questions[key]["answers"][0] = {"label": questions[key]["answers"][0]["label"], "next": keys[index + 1]}
    return {"start": keys[0], "questions": questions, "outcomes": outcomes}


@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)  # shared, busy test machines
@given(valid_trees(), st.lists(st.integers(min_value=0, max_value=3), max_size=10))
def test_walking_a_valid_tree_ends_on_an_outcome_or_asks_a_real_question(tree, choices):
    assert tree_problems(tree) == []
    answers = []
    reached = step(tree, answers)
    for choice in choices:
        if reached.is_outcome:
            break
        answers.append(choice % len(reached.data["answers"]))
        reached = step(tree, answers)
    assert reached.key in (tree["outcomes"] if reached.is_outcome else tree["questions"])
    assert len(reached.path) == len(answers)


@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(valid_trees())
def test_the_line_format_round_trips_any_valid_tree(tree):
    assert parse_lines(to_lines(tree)) == tree
