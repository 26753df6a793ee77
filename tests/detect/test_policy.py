"""Policy recognizers (TAXONOMY §4): their examples, negation, offsets into the original text,
HTML extraction, the lexicon checks and the F1 floor on the labelled passages."""

from __future__ import annotations

import importlib.util
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from txlguard.detect.lexicon import LexiconError
from txlguard.detect.policy import POLICY_RECOGNIZERS, PolicyInput, default_policy_scanner, split_passages
from txlguard.detect.policy.document import html_to_text, read_document
from txlguard.detect.policy.lexicon import PolicyLexicon, PolicyLexiconFile, data_dir, shared_terms
from txlguard.law import default_law_base
from txlguard.taxonomy import PolicyLabel

EXAMPLES = data_dir() / "examples"
REPO = Path(__file__).resolve().parents[2]


def _examples() -> list[Any]:
    out = []
    for path in sorted(EXAMPLES.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for kind in ("positive", "negative"):
            for i, text in enumerate(data[kind]):
                out.append(pytest.param(data["label"], kind, text, id=f"{path.stem}-{kind}-{i}"))
    return out


def labels_of(text: str) -> list[str]:
    return default_policy_scanner().scan(PolicyInput(id="1", text=text)).labels


def test_every_label_has_a_recognizer_lexicon_and_examples() -> None:
    assert [r.label for r in POLICY_RECOGNIZERS] == [label.value for label in PolicyLabel]
    for label in PolicyLabel:
        data = yaml.safe_load((EXAMPLES / f"{label.value}.yaml").read_text(encoding="utf-8"))
        assert data["label"] == label.value
        assert len(data["positive"]) >= 5 and len(data["negative"]) >= 5, label.value


@pytest.mark.parametrize(("label", "kind", "text"), _examples())
def test_examples(label: str, kind: str, text: str) -> None:
    if kind == "positive":
        assert label in labels_of(text)
    else:
        assert label not in labels_of(text)


def test_every_cited_provision_is_in_the_law_base() -> None:
    law = default_law_base()
    for recognizer in POLICY_RECOGNIZERS:
        for pid in recognizer().provisions:
            assert law.has(pid), (recognizer.label, pid)


@pytest.mark.parametrize(
    "text",
    [
        "我们不会读取您的通讯录。",
        "本App绝不收集、上传您的通话记录。",
        "我们承诺不会在未取得您同意的情况下，将您的通讯录信息提供给任何第三方。",
        "本产品不申请通讯录权限。",
    ],
)
def test_negation_cancels_collection(text: str) -> None:
    assert "collects_contacts" not in labels_of(text)


def test_negation_scope_ends_at_but() -> None:
    text = "我们不会出售您的个人信息，但会将您的借款信息提供给合作的催收机构。"
    assert "shared_with_collectors" in labels_of(text)


def test_negated_statements_are_kept_apart() -> None:
    result = default_policy_scanner().scan(PolicyInput(id="1", text="我们不会读取您的通讯录。"))
    assert result.labels == []
    assert [d.label for d in result.negated] == ["collects_contacts"]


def test_offsets_index_the_original_text_with_traditional_and_full_width_forms() -> None:
    text = "第一條　說明\n為評估風險，我們將讀取您的ＴＸＬ及通話記錄。"
    result = default_policy_scanner().scan(PolicyInput(id="1", text=text))
    assert result.labels == ["collects_contacts"]
    for d in result.detections:
        assert text[d.start : d.end] == d.quote
        assert d.start > text.index("\n")


def test_each_line_is_a_passage() -> None:
    # "如您拒绝授权，将无法借款" only makes forced consent with a permission in the same passage.
    assert "forced_consent" not in labels_of("本协议由双方签署。\n如您拒绝，将无法借款。")
    assert "forced_consent" in labels_of("如您拒绝授权通讯录权限，将无法借款。")


def test_an_overlong_line_is_read_in_runs_of_sentences() -> None:
    filler = "借款人应当按照合同约定按时足额还款。" * 40
    text = f"{filler}如您拒绝，将无法借款。{filler}我们会申请通讯录权限。"
    passages = split_passages(text)
    assert len(passages) > 2 and all(len(p.text) <= 400 for p in passages)
    assert all(text[p.start : p.end] == p.text for p in passages)
    # the refusal and the permission are far apart: no forced consent
    assert "forced_consent" not in labels_of(text)
    assert "collects_contacts" in labels_of(text)


def test_a_long_line_without_sentence_ends_is_cut_at_commas_and_scanned_in_linear_time() -> None:
    # 100k characters of denials and not one 。 took minutes when each anchor rescanned the line.
    text = "我们不会读取您的通讯录，" * 8400 + "。"
    passages = split_passages(text)
    assert all(len(p.text) <= 400 for p in passages)
    assert all(text[p.start : p.end] == p.text for p in passages)
    assert all(p.text.startswith("我们不会") for p in passages)  # cut after a comma, never mid-clause
    started = time.monotonic()
    result = default_policy_scanner().scan(PolicyInput(id="long", text=text))
    assert time.monotonic() - started < 30  # a guard against quadratic blow-up, not a benchmark
    assert result.labels == [] and result.negated
    unbroken = "我" * 1000 + "会读取您的通讯录"
    assert [len(p.text) for p in split_passages(unbroken)] == [400, 400, 208]


def test_html_is_reduced_to_visible_text() -> None:
    html = (
        "<html><head><title>t</title><style>p{color:red}</style></head><body>"
        "<h1>隐私政策</h1><p>我们会读取您的<b>通讯录</b>&amp;通话记录。</p><script>var txl=1</script>"
        "<ul><li>一</li><li>二</li></ul></body></html>"
    )
    text = html_to_text(html)
    assert text.split("\n") == ["隐私政策", "", "我们会读取您的通讯录&通话记录。", "", "一", "", "二"]


def test_documents_in_gbk_and_html(tmp_path: Path) -> None:
    page = "<p>为评估信用，我们将获取您的通讯录。</p>"
    doc = read_document(page.encode("gbk"), "policy.html")
    assert doc.is_html and doc.encoding in {"gb18030", "gbk"}
    assert "偏移量" in doc.offsets_note and "HTML" in doc.offsets_note
    assert labels_of(doc.text) == ["collects_contacts"]


def test_a_rule_naming_an_unknown_category_is_rejected() -> None:
    spec = PolicyLexiconFile.model_validate(
        {
            "label": "collects_contacts",
            "terms": {"verb": ["读取"]},
            "rules": [
                {"id": "r", "anchor": "verb", "near": {"nothing": 3}, "confidence": 0.5, "explanation": "x"}
            ],
        }
    )
    with pytest.raises(LexiconError, match="nothing"):
        PolicyLexicon(spec, "test.yaml", shared_terms())


def _eval_module() -> Any:
    spec = importlib.util.spec_from_file_location("eval_policy", REPO / "benchmarks" / "eval_policy.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["eval_policy"] = module
    spec.loader.exec_module(module)
    return module


def test_labelled_passages_keep_macro_f1_at_least_085() -> None:
    ev = _eval_module()
    rows = ev.load_corpus(ev.DEFAULT_CORPUS)
    assert len(rows) >= 120
    assert sum(r["split"] == "heldout" for r in rows) >= 40
    for split in ("tuning", "heldout"):
        report, _ = ev.score(rows, split)
        assert report.macro_f1 >= 0.85, (split, report.macro_f1)


def test_eval_arithmetic() -> None:
    ev = _eval_module()
    cc, fc = "collects_contacts", "forced_consent"
    report = ev.evaluate("x", [{cc}, {cc, fc}, set()], [{cc}, {cc}, {fc}])
    by = {s.label: s for s in report.labels}
    assert (by[cc].precision, by[cc].recall, by[cc].f1) == (1.0, 1.0, 1.0)
    assert (by[fc].tp, by[fc].support, by[fc].predicted, by[fc].f1) == (0, 1, 1, 0.0)
    assert report.macro_f1 == 0.5


def test_purposes_given_for_collection() -> None:
    from txlguard.detect.policy.purposes import find_purposes

    text = "為評估您的還款能力並在您逾期時聯繫您的親友，我們將讀取您的通訊錄。"
    found = find_purposes(text, 10)
    assert [p.purpose for p in found] == ["risk_control", "collection"]
    assert all(text[p.start - 10 : p.end - 10] == p.quote for p in found)
