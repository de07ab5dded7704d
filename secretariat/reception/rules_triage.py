"""Urgency triage protocols as data: checking a question tree, walking it, and the plain line
format practitioners write it in. Pure functions, no ORM.

A tree (stored in ``TriageProtocol.tree``)::

    {"start": "q1",
     "questions": {"q1": {"text": "…", "help": "…",
                          "answers": [{"label": "Oui", "outcome": "emergency"},
                                      {"label": "Non", "next": "q2"}]}},
     "outcomes": {"emergency": {"priority": 1, "title": "…", "instructions": "…", "script": "…"}}}

Priorities are those of ``reception.models.Priority``: 1 call 15/112 now, 2 seen today,
3 within a few days, 4 routine. An emergency outcome must carry the script the desk reads.
"""

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

EMERGENCY, SAME_DAY, WITHIN_DAYS, ROUTINE = 1, 2, 3, 4
PRIORITIES = (EMERGENCY, SAME_DAY, WITHIN_DAYS, ROUTINE)
KEY = re.compile(r"^[\w-]{1,40}$")
MAX_ANSWERS = 9  # answered with the keys 1…9


class InvalidAnswers(ValueError):
    """The answers do not follow the tree (index out of range, or answers after the outcome)."""


@dataclass(frozen=True)
class Step:
    """Where a walk stands: the next question to ask, or the outcome reached."""

    kind: str  # "question" | "outcome"
    key: str
    data: dict
    path: list[dict] = field(default_factory=list)  # [{"question_key", "question", "answer"}]

    @property
    def is_outcome(self) -> bool:
        return self.kind == "outcome"


def tree_problems(tree) -> list[str]:
    """Everything wrong with ``tree``, as sentences for the practitioner; empty when usable."""
    if not isinstance(tree, dict):
        return [_("The protocol is not a question tree.")]
    questions = tree.get("questions")
    outcomes = tree.get("outcomes")
    problems: list[str] = []
    if not isinstance(questions, dict) or not questions:
        problems.append(_("The protocol has no question."))
        questions = {}
    if not isinstance(outcomes, dict) or not outcomes:
        problems.append(_("The protocol has no outcome."))
        outcomes = {}
    start = tree.get("start")
    if questions and start not in questions:
        problems.append(_("The first question “%(key)s” does not exist.") % {"key": start})
    for key in [*questions, *outcomes]:
        if not isinstance(key, str) or not KEY.match(key):
            problems.append(_("The name “%(key)s” must be one word (letters, digits, - or _), at most 40 "
                              "characters.") % {"key": key})
    for key in set(questions) & set(outcomes):
        problems.append(_("“%(key)s” is both a question and an outcome.") % {"key": key})
    for key, question in questions.items():
        problems.extend(_question_problems(key, question, questions, outcomes))
    for key, outcome in outcomes.items():
        problems.extend(_outcome_problems(key, outcome))
    if not problems:
        problems.extend(_cycle_problems(tree))
        problems.extend(_unreachable_problems(tree))
    return problems


def _question_problems(key, question, questions, outcomes) -> list[str]:
    if not isinstance(question, dict) or not str(question.get("text") or "").strip():
        return [_("The question “%(key)s” has no text.") % {"key": key}]
    answers = question.get("answers")
    if not isinstance(answers, list) or not answers:
        return [_("The question “%(key)s” has no answer.") % {"key": key}]
    problems = []
    if len(answers) > MAX_ANSWERS:
        problems.append(_("The question “%(key)s” has more than %(max)s answers.") % {"key": key, "max": MAX_ANSWERS})
    for number, answer in enumerate(answers, start=1):
        where = {"key": key, "number": number}
        if not isinstance(answer, dict) or not str(answer.get("label") or "").strip():
            problems.append(_("Answer %(number)s of the question “%(key)s” has no label.") % where)
            continue
        has_next, has_outcome = bool(answer.get("next")), bool(answer.get("outcome"))
        if has_next == has_outcome:
            problems.append(_("Answer %(number)s of the question “%(key)s” must lead either to a question or to "
                              "an outcome.") % where)
        elif has_next and answer["next"] not in questions:
            problems.append(_("Answer %(number)s of the question “%(key)s” leads to the question “%(target)s”, "
                              "which does not exist.") % {**where, "target": answer["next"]})
        elif has_outcome and answer["outcome"] not in outcomes:
            problems.append(_("Answer %(number)s of the question “%(key)s” leads to the outcome “%(target)s”, "
                              "which does not exist.") % {**where, "target": answer["outcome"]})
    return problems


def _outcome_problems(key, outcome) -> list[str]:
    if not isinstance(outcome, dict):
        return [_("The outcome “%(key)s” is empty.") % {"key": key}]
    problems = []
    if not str(outcome.get("title") or "").strip():
        problems.append(_("The outcome “%(key)s” has no title.") % {"key": key})
    priority = outcome.get("priority")
    if priority not in PRIORITIES or isinstance(priority, bool):
        problems.append(_("The outcome “%(key)s” has no priority (1 to 4).") % {"key": key})
    elif priority == EMERGENCY and not str(outcome.get("script") or "").strip():
        problems.append(_("The emergency outcome “%(key)s” has no script for the desk to follow.") % {"key": key})
    return problems


def _cycle_problems(tree) -> list[str]:
    """Questions that lead back to themselves: the walk would never end."""
    questions = tree["questions"]
    state: dict[str, int] = {}  # 1 visiting, 2 done
    problems: list[str] = []

    def visit(key: str, trail: list[str]) -> None:
        state[key] = 1
        for answer in questions[key]["answers"]:
            target = answer.get("next")
            if not target:
                continue
            if state.get(target) == 1:
                loop = [*trail[trail.index(target):], target] if target in trail else [key, target]
                problems.append(_("The questions loop: %(loop)s.") % {"loop": " → ".join(loop)})
            elif target not in state:
                visit(target, [*trail, target])
        state[key] = 2

    for key in questions:
        if key not in state:
            visit(key, [key])
    return problems


def _unreachable_problems(tree) -> list[str]:
    questions, seen, todo = tree["questions"], set(), [tree["start"]]
    while todo:
        key = todo.pop()
        if key in seen:
            continue
        seen.add(key)
        todo.extend(answer["next"] for answer in questions[key]["answers"] if answer.get("next"))
    return [_("The question “%(key)s” is never asked.") % {"key": key} for key in questions if key not in seen]


def outline(tree: dict) -> list[dict]:
    """The questions in reading order (start first), each answer resolved to its outcome or to the
    number of the question it leads to: what a reader of the protocol needs."""
    questions = tree.get("questions") or {}
    order = [tree["start"]] if tree.get("start") in questions else []
    order += [key for key in questions if key not in order]
    numbers = {key: number for number, key in enumerate(order, start=1)}
    outcomes = tree.get("outcomes") or {}
    return [{"key": key, "number": numbers[key], "text": questions[key].get("text", ""),
             "answers": [{"label": answer.get("label", ""), "next_number": numbers.get(answer.get("next")),
                          "outcome": outcomes.get(answer["outcome"]) if answer.get("outcome") else None}
                         for answer in questions[key].get("answers", [])]}
            for key in order]


def step(tree: dict, answers: list[int]) -> Step:
    """Follow ``answers`` (indexes, 0 for the first answer) from the start of a valid tree."""
    key, path = tree["start"], []
    for position, index in enumerate(answers):
        question = tree["questions"][key]
        if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < len(question["answers"]):
            raise InvalidAnswers(f"answer {position} out of range")
        answer = question["answers"][index]
        path.append({"question_key": key, "question": question["text"], "answer": answer["label"]})
        if answer.get("outcome"):
            if position != len(answers) - 1:
                raise InvalidAnswers("answers after the outcome")
            return Step("outcome", answer["outcome"], tree["outcomes"][answer["outcome"]], path)
        key = answer["next"]
    return Step("question", key, tree["questions"][key], path)


def parse_answers(text: str) -> list[int]:
    """``"0.2.1"`` (as carried in the runner's links) → ``[0, 2, 1]``; bad input → InvalidAnswers."""
    if not text:
        return []
    if len(text) > 400 or not re.fullmatch(r"\d(\.\d)*", text):
        raise InvalidAnswers("malformed answers")
    return [int(part) for part in text.split(".")]


def format_answers(answers: list[int]) -> str:
    return ".".join(str(index) for index in answers)


# --- The line format --------------------------------------------------------------------------
#
#   QUESTION chest_pain: Douleur ou oppression dans la poitrine ?
#   AIDE: Même si elle semble légère.
#   - Oui => call_15
#   - Non -> breathing
#
#   ISSUE call_15: Appelez le 15 (ou le 112) maintenant
#   PRIORITÉ: 1
#   CONSIGNES: …
#   SCRIPT: one line of the script (repeat the keyword for each line)
#
# The first question is where the protocol starts. "->" leads to a question, "=>" to an outcome.
# Lines starting with # are comments. English keywords (HELP, OUTCOME, PRIORITY, INSTRUCTIONS) work too.

_HEADER = re.compile(r"^(QUESTION|ISSUE|OUTCOME)\s+([^\s:]+)\s*:\s*(.*)$", re.IGNORECASE)
_PROPERTY = re.compile(r"^(AIDE|HELP|PRIORIT[ÉE]|PRIORITY|CONSIGNES?|INSTRUCTIONS|SCRIPT)\s*:\s?(.*)$",
                       re.IGNORECASE)
_ANSWER = re.compile(r"^-\s*(.+?)\s*(->|=>)\s*([^\s]+)\s*$")


class LineFormatError(ValueError):
    def __init__(self, messages: list[str]):
        super().__init__("; ".join(messages))
        self.messages = messages


def parse_lines(text: str) -> dict:
    """The line format → a tree (not yet checked: run ``tree_problems`` on it)."""
    tree: dict = {"start": None, "questions": {}, "outcomes": {}}
    errors: list[str] = []
    current: tuple[str, str] | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        header, prop, answer = _HEADER.match(line), _PROPERTY.match(line), _ANSWER.match(line)
        if header:
            kind, key, title = header.group(1).upper(), header.group(2), header.group(3).strip()
            if kind == "QUESTION":
                if key in tree["questions"]:
                    errors.append(_("Line %(line)s: the question “%(key)s” is written twice.")
                                  % {"line": number, "key": key})
                tree["questions"][key] = {"text": title, "help": "", "answers": []}
                tree["start"] = tree["start"] or key
                current = ("question", key)
            else:
                if key in tree["outcomes"]:
                    errors.append(_("Line %(line)s: the outcome “%(key)s” is written twice.")
                                  % {"line": number, "key": key})
                tree["outcomes"][key] = {"priority": None, "title": title, "instructions": "", "script": ""}
                current = ("outcome", key)
        elif answer and current and current[0] == "question":
            label, arrow, target = answer.groups()
            tree["questions"][current[1]]["answers"].append(
                {"label": label, "next": target} if arrow == "->" else {"label": label, "outcome": target})
        elif prop and current:
            name, value = prop.group(1).upper(), prop.group(2).strip()
            if current[0] == "question" and name in ("AIDE", "HELP"):
                item = tree["questions"][current[1]]
                item["help"] = f"{item['help']}\n{value}".strip()
            elif current[0] == "outcome" and name.startswith("PRIORIT"):
                if value.isdigit() and int(value) in PRIORITIES:
                    tree["outcomes"][current[1]]["priority"] = int(value)
                else:
                    errors.append(_("Line %(line)s: the priority must be 1, 2, 3 or 4.") % {"line": number})
            elif current[0] == "outcome" and name in ("CONSIGNE", "CONSIGNES", "INSTRUCTIONS", "SCRIPT"):
                slot = "script" if name == "SCRIPT" else "instructions"
                item = tree["outcomes"][current[1]]
                item[slot] = f"{item[slot]}\n{value}".strip("\n")
            else:
                errors.append(_("Line %(line)s: “%(text)s” does not belong here.") % {"line": number,
                                                                                     "text": line[:60]})
        else:
            errors.append(_("Line %(line)s is not understood: “%(text)s”.") % {"line": number, "text": line[:60]})
    if errors:
        raise LineFormatError(errors)
    return tree


def to_lines(tree: dict) -> str:
    """A tree → the line format (the start question first), so that ``parse_lines`` gives it back."""
    questions = dict(tree.get("questions") or {})
    order = [tree["start"]] if tree.get("start") in questions else []
    order += [key for key in questions if key not in order]
    blocks = []
    for key in order:
        question = questions[key]
        lines = [f"QUESTION {key}: {question.get('text', '')}"]
        lines += [f"AIDE: {line}" for line in (question.get("help") or "").splitlines() if line.strip()]
        for answer in question.get("answers", []):
            arrow, target = ("->", answer["next"]) if answer.get("next") else ("=>", answer.get("outcome", ""))
            lines.append(f"- {answer.get('label', '')} {arrow} {target}")
        blocks.append("\n".join(lines))
    for key, outcome in (tree.get("outcomes") or {}).items():
        lines = [f"ISSUE {key}: {outcome.get('title', '')}", f"PRIORITÉ: {outcome.get('priority', '')}"]
        lines += [f"CONSIGNES: {line}" for line in (outcome.get("instructions") or "").splitlines()]
        lines += [f"SCRIPT: {line}" for line in (outcome.get("script") or "").splitlines()]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"
