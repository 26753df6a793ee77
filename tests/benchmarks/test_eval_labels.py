"""benchmarks/eval_labels.py: the metric arithmetic, the corpus checks and the CLI, on tiny corpora."""

from __future__ import annotations

import importlib.util
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
SCRIPT = REPO_ROOT / "benchmarks" / "eval_labels.py"

D = "disclosure_to_third_party"
C = "threat_to_contacts"
E = "threat_of_exposure"
V = "threat_of_violence"
I = "insult"  # noqa: E741
P = "impersonation"
L = "false_legal_threat"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("eval_labels", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["eval_labels"] = module
    spec.loader.exec_module(module)
    return module


ev = _load()

# Six messages whose scores are worked out by hand below.
GOLD: list[set[str]] = [{D}, {D, C}, set(), set(), {V}, {C}]
PRED: list[set[str]] = [{D}, {C}, {I}, set(), set(), {C, V}]


def test_evaluate_matches_hand_computed_scores() -> None:
    report = ev.evaluate(GOLD, PRED)
    scores = {s.label: s for s in report.per_label}

    # disclosure: gold in #1 #2, predicted in #1 → tp 1, fp 0, fn 1
    d = scores[D]
    assert (d.support, d.predicted, d.tp, d.fp, d.fn) == (2, 1, 1, 0, 1)
    assert d.precision == 1.0
    assert d.recall == 0.5
    assert d.f1 == pytest.approx(2 / 3)
    # threat_to_contacts: gold and predicted in #2 #6
    c = scores[C]
    assert (c.tp, c.fp, c.fn) == (2, 0, 0)
    assert (c.precision, c.recall, c.f1) == (1.0, 1.0, 1.0)
    # insult: only a false alarm → precision 0, recall undefined, F1 0
    i = scores[I]
    assert (i.support, i.predicted, i.precision, i.recall, i.f1) == (0, 1, 0.0, None, 0.0)
    # violence: gold in #5, predicted in #6 → one miss, one false positive
    v = scores[V]
    assert (v.tp, v.fp, v.fn, v.precision, v.recall, v.f1) == (0, 1, 1, 0.0, 0.0, 0.0)
    # labels in neither gold nor predictions have no scores and leave the macro average
    for label in (E, P, L):
        s = scores[label]
        assert (s.support, s.predicted, s.precision, s.recall, s.f1) == (0, 0, None, None, None)
    assert report.excluded_labels == [E, P, L]
    assert report.macro_labels == [D, C, V, I]
    assert report.macro_f1 == pytest.approx((2 / 3 + 1 + 0 + 0) / 4)

    # micro: tp 3, fp 2 (I in #3, V in #6), fn 2 (D in #2, V in #5)
    assert report.micro_precision == pytest.approx(3 / 5)
    assert report.micro_recall == pytest.approx(3 / 5)
    assert report.micro_f1 == pytest.approx(3 / 5)

    # lawful #3 #4: #3 got a label
    assert (report.lawful, report.false_alarms, report.false_alarm_rate) == (2, 1, 0.5)
    # unlawful #1 #2 #5 #6: #5 got nothing
    assert (report.unlawful, report.missed, report.miss_rate) == (4, 1, 0.25)
    # exact: #1 and #4
    assert report.exact_matches == 2
    assert report.exact_match_rate == pytest.approx(2 / 6)
    assert report.n == 6
    assert report.unexpected_predicted == {}


def test_evaluate_edge_cases() -> None:
    # all lawful, nothing predicted: every label excluded, no macro score, perfect on lawful
    report = ev.evaluate([set(), set()], [set(), set()])
    assert report.macro_f1 is None
    assert report.excluded_labels == list(ev.MESSAGE_LABELS)
    assert report.false_alarm_rate == 0.0
    assert report.miss_rate is None
    assert report.exact_match_rate == 1.0

    # a code outside TAXONOMY §1 is reported, breaks exact match, is a false alarm on lawful text
    report = ev.evaluate([set(), {D}], [{"off_hours_contact"}, {D}])
    assert report.unexpected_predicted == {"off_hours_contact": 1}
    assert report.false_alarms == 1
    assert report.exact_matches == 1
    assert report.micro_precision == 1.0

    with pytest.raises(ValueError):
        ev.evaluate([{D}], [])
    with pytest.raises(ValueError):
        ev.evaluate([{"not_a_code"}], [set()])


def _write_corpus(path: Path, rows: Sequence[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


ROWS: list[dict[str, object]] = [
    {"id": "a", "text": "您是张三的紧急联系人，他借款已逾期，请转告", "recipient": "contact", "labels": [D]},
    {
        "id": "b",
        "text": "他已逾期，告诉他不还就给他通讯录所有人发信息",
        "recipient": "contact",
        "labels": [C, D],
    },
    {"id": "c", "text": "如您不是本人请忽略", "recipient": "unknown", "labels": []},
    {"id": "d", "text": "【某贷】您的账单明天到期", "recipient": "borrower", "labels": []},
    {"id": "e", "text": "小心你的家人", "recipient": "borrower", "labels": [V], "note": "implicit"},
    {"id": "f", "text": "再不还就爆你通讯录", "recipient": "borrower", "labels": [C]},
]
STUB: dict[str, set[str]] = {"a": {D}, "b": {C}, "c": {I}, "d": set(), "e": set(), "f": {C, V}}


def _stub(examples: Sequence[object]) -> list[set[str]]:
    return [set(STUB[e.id]) for e in examples]  # type: ignore[attr-defined]


def test_evaluate_file_on_a_tmp_corpus(tmp_path: Path) -> None:
    path = _write_corpus(tmp_path / "tiny.jsonl", ROWS)
    result = ev.evaluate_file(path, _stub)
    # same gold and predictions as GOLD/PRED above, so the same numbers
    assert result.report.macro_f1 == pytest.approx(5 / 12)
    assert result.report.false_alarm_rate == 0.5
    assert [m.id for m in result.mistakes] == ["b", "c", "e", "f"]
    b = result.mistakes[0]
    assert (b.gold, b.predicted, b.missing, b.extra) == ([D, C], [C], [D], [])
    assert result.mistakes[2].note == "implicit"


def test_main_prints_table_and_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write_corpus(tmp_path / "tiny.jsonl", ROWS)

    assert ev.main([str(path), "--errors"], predict=_stub) == 0
    out = capsys.readouterr().out
    assert "macro-F1 (4 个标签)  0.417" in out
    assert "未计入宏平均" in out and "impersonation" in out
    assert "误报率" in out and "1/2 = 50.0%" in out
    assert "完全匹配率" in out and "2/6 = 33.3%" in out
    assert "漏: disclosure_to_third_party" in out

    assert ev.main([str(path), "--json", "--errors"], predict=_stub) == 0
    data = json.loads(capsys.readouterr().out)
    (file_report,) = data["files"]
    assert file_report["n"] == 6
    assert file_report["macro_f1"] == pytest.approx(5 / 12)
    assert file_report["exact_matches"] == 2
    assert file_report["excluded_labels"] == [E, P, L]
    assert {row["label"]: row["tp"] for row in file_report["per_label"]}[C] == 2
    assert len(file_report["errors"]) == 4


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('{"id": "x", "text": "你好", "labels": [}', "不是合法的 JSON"),
        (
            '{"id": "x", "text": "你好", "recipient": "borrower", "labels": ["threat"]}',
            "未知的标签代码 threat",
        ),
        ('{"id": "x", "text": "你好", "recipient": "boss", "labels": []}', "recipient"),
        ('{"id": "x", "text": "你好", "recipient": "borrower"}', "labels"),
        ('["not", "an", "object"]', "JSON 对象"),
    ],
)
def test_malformed_corpus_exits_2_with_a_chinese_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], line: str, expected: str
) -> None:
    good = json.dumps({"id": "ok", "text": "您好", "recipient": "borrower", "labels": []})
    path = tmp_path / "bad.jsonl"
    path.write_text(good + "\n" + line + "\n", encoding="utf-8")
    assert ev.main([str(path)], predict=_stub) == 2
    err = capsys.readouterr().err
    assert "错误" in err
    assert expected in err
    assert "bad.jsonl:2" in err


def test_duplicate_ids_and_missing_file_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    row: dict[str, object] = {"id": "x", "text": "您好", "recipient": "borrower", "labels": []}
    path = _write_corpus(tmp_path / "dup.jsonl", [row, row])
    assert ev.main([str(path)], predict=_stub) == 2
    assert "重复" in capsys.readouterr().err
    assert ev.main([str(tmp_path / "missing.jsonl")], predict=_stub) == 2
    assert "不存在" in capsys.readouterr().err


# The shipped corpora: valid, large enough, lawful share kept, every label covered, no leaks.

TUNING = REPO_ROOT / "tests" / "data" / "messages_tuning.jsonl"
HOLDOUT = REPO_ROOT / "benchmarks" / "data" / "messages_holdout.jsonl"


@pytest.mark.parametrize(("path", "minimum"), [(TUNING, 350), (HOLDOUT, 250)])
def test_shipped_corpora_are_valid(path: Path, minimum: int) -> None:
    examples = ev.load_corpus(path)
    assert len(examples) >= minimum
    lawful = sum(1 for e in examples if not e.labels)
    assert lawful / len(examples) >= 0.40
    for label in ev.MESSAGE_LABELS:
        assert sum(1 for e in examples if label in e.labels) >= 20, label


def test_tuning_and_holdout_do_not_overlap() -> None:
    tuning = ev.load_corpus(TUNING)
    holdout = ev.load_corpus(HOLDOUT)
    assert not {e.id for e in tuning} & {e.id for e in holdout}
    assert not {e.text for e in tuning} & {e.text for e in holdout}
