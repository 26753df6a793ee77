"""questions.yaml: one file for the engine's open questions and the interview's answer metadata."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from txlguard.facts import CaseFacts
from txlguard.facts.models import CaseDetails
from txlguard.interview import default_question_book, load_question_book
from txlguard.interview.questions import FACT_KEYS, QuestionDataError
from txlguard.reason import assess
from txlguard.reason.rules import default_rule_book

SOURCE = Path(__file__).parents[2] / "src" / "txlguard" / "reason" / "data" / "questions.yaml"


def test_every_fact_has_a_question_and_topics_follow_a_lawyers_order() -> None:
    book = default_question_book()
    assert set(book.questions) >= FACT_KEYS
    assert [t.id for t in book.topics] == [
        "loan",
        "authorisation",
        "contacts",
        "conduct",
        "harassment",
        "harm",
    ]
    keys = [q.key for q in book.ordered()]
    assert keys[0] == "lender_name" and keys[-1] == "harm_suffered"
    assert keys.index("contacts_harvested") < keys.index("contacts_contacted") < keys.index("threats")
    for key in ("loan_principal", "loan_received", "loan_total_due", "loan_term_days", "lender_name"):
        assert key in CaseDetails.model_fields and key in book.questions


def test_not_sure_about_a_licence_is_unknown_never_false() -> None:
    licensed = default_question_book().questions["lender_licensed"]
    values = {c.label_zh: c.value for c in licensed.choices}
    assert values["银行"] is True
    assert values["确认没有放贷牌照的平台或个人"] is False
    unsure = [label for label in values if "不清楚" in label]
    assert unsure and all(values[label] is None for label in unsure)


def test_the_engine_still_reads_its_question_texts() -> None:
    book = default_rule_book()
    assert book.fact_questions["threats"].text_zh.startswith("催收方是否威胁")
    judgement = assess(CaseFacts())
    asked = {q.key: q for q in judgement.questions}
    assert asked["contacts_harvested"].text_zh and asked["contacts_harvested"].why_zh


def _broken(tmp_path: Path, change: object) -> Path:
    raw = yaml.safe_load(SOURCE.read_text(encoding="utf-8"))
    change(raw)  # type: ignore[operator]
    path = tmp_path / "questions.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda raw: raw["topics"][0]["keys"].remove("lender_name"), "in no topic ['lender_name']"),
        (
            lambda raw: raw["details"]["lender_licensed"]["choices"].update({"某某": "maybe"}),
            "not a valid value",
        ),
        (lambda raw: raw["facts"]["threats"].update({"kind": "number"}), "answered yes/no"),
        (lambda raw: raw["details"]["annual_rate"].update({"serves": ["nonsense"]}), "serves unknown key"),
        (lambda raw: raw["details"].update({"colour": {"text_zh": "?"}}), "not a CaseDetails field"),
    ],
)
def test_mistakes_in_the_data_are_named(tmp_path: Path, change: object, message: str) -> None:
    with pytest.raises(QuestionDataError, match=message.replace("[", r"\[").replace("]", r"\]")):
        load_question_book(_broken(tmp_path, change))


def test_the_packaged_file_is_the_one_checked() -> None:
    assert load_question_book(SOURCE) == default_question_book()
