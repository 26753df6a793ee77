"""Score txlguard's message labels (TAXONOMY §1) against labelled JSONL corpora.

Usage::

    python benchmarks/eval_labels.py [FILE ...] [--json] [--errors]

Without FILE it scores, in this order and where they exist: the shared dev set
(``../shared/data/dev/messages.jsonl`` beside the repository), ``tests/data/messages_tuning.jsonl``,
``tests/data/messages_tuning2.jsonl``, ``tests/data/messages_tuning3.jsonl``,
``tests/data/messages_tuning4.jsonl`` to ``tests/data/messages_tuning10.jsonl`` and
``benchmarks/data/messages_holdout.jsonl``.

Each line of a corpus is ``{"id", "text", "recipient", "labels", "source", "note"?}``; ``labels``
holds TAXONOMY §1 codes, ``[]`` meaning lawful. For each file the script runs
``txlguard.detect.default_scanner().scan_batch(...)`` and reports, per label, support, precision,
recall and F1; the macro-F1 over the seven labels (a label with no gold and no predicted message
is left out of the average, and the report says so); micro precision/recall/F1; the false-alarm
rate on lawful messages; the share of unlawful messages given no label; and the exact-match rate.

The metrics are computed by the pure function :func:`evaluate`, which the tests call directly.

Exit codes: 0 done; 2 a corpus is missing or malformed (bad JSON, unknown label code, ...);
3 the detector cannot be loaded or broke the scan contract.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from collections.abc import Callable, Collection, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, cast

from txlguard.taxonomy import RECIPIENTS, MessageLabel, Recipient

#: The seven message labels of TAXONOMY §1, in the order of the table there.
MESSAGE_LABELS: tuple[str, ...] = tuple(label.value for label in MessageLabel)

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_FILES: tuple[Path, ...] = (
    REPO_ROOT.parent / "shared" / "data" / "dev" / "messages.jsonl",
    REPO_ROOT / "tests" / "data" / "messages_tuning.jsonl",
    REPO_ROOT / "tests" / "data" / "messages_tuning2.jsonl",
    REPO_ROOT / "tests" / "data" / "messages_tuning3.jsonl",
    REPO_ROOT / "tests" / "data" / "messages_tuning4.jsonl",
    REPO_ROOT / "tests" / "data" / "messages_tuning5.jsonl",
    REPO_ROOT / "tests" / "data" / "messages_tuning6.jsonl",
    REPO_ROOT / "tests" / "data" / "messages_tuning7.jsonl",
    REPO_ROOT / "tests" / "data" / "messages_tuning8.jsonl",
    REPO_ROOT / "tests" / "data" / "messages_tuning9.jsonl",
    REPO_ROOT / "tests" / "data" / "messages_tuning10.jsonl",
    REPO_ROOT / "benchmarks" / "data" / "messages_holdout.jsonl",
)

EXIT_OK = 0
EXIT_BAD_INPUT = 2
EXIT_DETECTOR = 3


# --------------------------------------------------------------------------------------------
# Corpus loading
# --------------------------------------------------------------------------------------------


class CorpusError(Exception):
    """A corpus file cannot be used; the message is in Chinese and names the file and line."""


@dataclass(frozen=True)
class Example:
    """One labelled message of a corpus."""

    id: str
    text: str
    recipient: Recipient
    labels: frozenset[str]
    note: str | None = None
    line: int = 0


def load_corpus(path: Path) -> list[Example]:
    """Read and validate a labelled JSONL corpus; raise :class:`CorpusError` on any defect."""
    try:
        raw_lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError as exc:
        raise CorpusError(f"{path}：文件不存在") from exc
    except UnicodeDecodeError as exc:
        raise CorpusError(f"{path}：文件不是 UTF-8 编码（{exc.reason}）") from exc
    except OSError as exc:
        raise CorpusError(f"{path}：无法读取文件（{exc.strerror}）") from exc

    examples: list[Example] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(raw_lines, start=1):
        if not raw.strip():
            continue
        where = f"{path}:{number}"
        try:
            obj = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise CorpusError(
                f"{where}：第 {number} 行不是合法的 JSON（{exc.msg}，第 {exc.colno} 列）"
            ) from exc
        if not isinstance(obj, dict):
            raise CorpusError(f"{where}：第 {number} 行应为 JSON 对象，实际为 {type(obj).__name__}")

        ident = obj.get("id")
        if not isinstance(ident, str) or not ident:
            raise CorpusError(f"{where}：缺少 id，或 id 不是非空字符串")
        if ident in seen:
            raise CorpusError(f"{where}：id “{ident}” 与第 {seen[ident]} 行重复")
        seen[ident] = number

        text = obj.get("text")
        if not isinstance(text, str):
            raise CorpusError(f"{where}：消息 {ident} 缺少 text，或 text 不是字符串")

        recipient = obj.get("recipient", "unknown")
        if recipient is None:
            recipient = "unknown"
        if recipient not in RECIPIENTS:
            raise CorpusError(
                f"{where}：消息 {ident} 的 recipient “{recipient}” 无效，应为 {' / '.join(RECIPIENTS)} 之一"
            )

        labels = obj.get("labels")
        if not isinstance(labels, list) or not all(isinstance(code, str) for code in labels):
            raise CorpusError(f"{where}：消息 {ident} 缺少 labels，或 labels 不是字符串列表")
        unknown = [code for code in labels if code not in MESSAGE_LABELS]
        if unknown:
            raise CorpusError(
                f"{where}：消息 {ident} 含有未知的标签代码 {', '.join(unknown)}；"
                f"只能使用 TAXONOMY §1 的代码：{', '.join(MESSAGE_LABELS)}"
            )

        note = obj.get("note")
        examples.append(
            Example(
                id=ident,
                text=text,
                recipient=cast(Recipient, recipient),
                labels=frozenset(labels),
                note=note if isinstance(note, str) else None,
                line=number,
            )
        )
    if not examples:
        raise CorpusError(f"{path}：文件中没有任何消息")
    return examples


# --------------------------------------------------------------------------------------------
# Metrics (pure)
# --------------------------------------------------------------------------------------------


def _ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


@dataclass(frozen=True)
class LabelScore:
    """Counts and scores of one label. A score is ``None`` where its denominator is zero."""

    label: str
    support: int  # gold messages with the label
    predicted: int  # messages the detector gave the label
    tp: int
    fp: int
    fn: int
    precision: float | None
    recall: float | None
    f1: float | None  # 2tp / (2tp + fp + fn); 0.0 when the label is predicted but never gold


@dataclass(frozen=True)
class Report:
    """Everything :func:`evaluate` computes for one corpus."""

    n: int
    per_label: list[LabelScore]
    macro_f1: float | None
    macro_labels: list[str]  # labels averaged in macro_f1
    excluded_labels: list[str]  # zero support and zero predictions: left out of macro_f1
    micro_precision: float | None
    micro_recall: float | None
    micro_f1: float | None
    lawful: int  # gold []
    false_alarms: int  # gold [] but some label predicted
    false_alarm_rate: float | None
    unlawful: int  # gold not []
    missed: int  # gold not [] but nothing predicted
    miss_rate: float | None
    exact_matches: int
    exact_match_rate: float | None
    unexpected_predicted: dict[str, int] = field(default_factory=dict)  # codes outside TAXONOMY §1

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of the report."""
        return asdict(self)


def evaluate(
    gold: Sequence[Collection[str]],
    pred: Sequence[Collection[str]],
    labels: Sequence[str] = MESSAGE_LABELS,
) -> Report:
    """Multi-label scores of ``pred`` against ``gold`` (one label set per message, same order).

    Per label: precision = tp/(tp+fp), recall = tp/(tp+fn), F1 = 2tp/(2tp+fp+fn). The macro-F1
    averages F1 over the labels that occur in the gold sets or the predictions; a label in
    neither is listed in ``excluded_labels`` instead. Predicted codes outside ``labels`` are
    counted in ``unexpected_predicted``; they count against exact match and as false alarms but
    not in the per-label or micro scores. A gold code outside ``labels`` is an error.
    """
    if len(gold) != len(pred):
        raise ValueError(f"gold has {len(gold)} messages but pred has {len(pred)}")
    known = set(labels)
    gold_sets = [frozenset(g) for g in gold]
    pred_sets = [frozenset(p) for p in pred]
    for index, g in enumerate(gold_sets):
        if not g <= known:
            raise ValueError(f"gold message {index} has unknown label codes {sorted(g - known)}")

    per_label: list[LabelScore] = []
    for label in labels:
        tp = sum(1 for g, p in zip(gold_sets, pred_sets, strict=True) if label in g and label in p)
        fp = sum(1 for g, p in zip(gold_sets, pred_sets, strict=True) if label not in g and label in p)
        fn = sum(1 for g, p in zip(gold_sets, pred_sets, strict=True) if label in g and label not in p)
        per_label.append(
            LabelScore(
                label=label,
                support=tp + fn,
                predicted=tp + fp,
                tp=tp,
                fp=fp,
                fn=fn,
                precision=_ratio(tp, tp + fp),
                recall=_ratio(tp, tp + fn),
                f1=_ratio(2 * tp, 2 * tp + fp + fn),
            )
        )

    averaged = [s for s in per_label if s.f1 is not None]
    macro_f1 = sum(s.f1 for s in averaged if s.f1 is not None) / len(averaged) if averaged else None

    tp_all = sum(s.tp for s in per_label)
    fp_all = sum(s.fp for s in per_label)
    fn_all = sum(s.fn for s in per_label)

    lawful = [i for i, g in enumerate(gold_sets) if not g]
    unlawful = [i for i, g in enumerate(gold_sets) if g]
    false_alarms = sum(1 for i in lawful if pred_sets[i])
    missed = sum(1 for i in unlawful if not (pred_sets[i] & known))
    exact = sum(1 for g, p in zip(gold_sets, pred_sets, strict=True) if g == p)
    unexpected = Counter(code for p in pred_sets for code in p if code not in known)

    return Report(
        n=len(gold_sets),
        per_label=per_label,
        macro_f1=macro_f1,
        macro_labels=[s.label for s in averaged],
        excluded_labels=[s.label for s in per_label if s.f1 is None],
        micro_precision=_ratio(tp_all, tp_all + fp_all),
        micro_recall=_ratio(tp_all, tp_all + fn_all),
        micro_f1=_ratio(2 * tp_all, 2 * tp_all + fp_all + fn_all),
        lawful=len(lawful),
        false_alarms=false_alarms,
        false_alarm_rate=_ratio(false_alarms, len(lawful)),
        unlawful=len(unlawful),
        missed=missed,
        miss_rate=_ratio(missed, len(unlawful)),
        exact_matches=exact,
        exact_match_rate=_ratio(exact, len(gold_sets)),
        unexpected_predicted=dict(sorted(unexpected.items())),
    )


# --------------------------------------------------------------------------------------------
# Running the detector on a file
# --------------------------------------------------------------------------------------------

#: Labels each message of a corpus; returns one label set per example, in order.
Predictor = Callable[[Sequence[Example]], list[set[str]]]


class DetectorError(Exception):
    """The detector could not be loaded or broke its contract (message in Chinese)."""


def scanner_predictor() -> Predictor:
    """A :data:`Predictor` backed by ``txlguard.detect.default_scanner()``."""
    try:
        from txlguard.detect import default_scanner
        from txlguard.detect.models import MessageInput
    except ImportError as exc:
        raise DetectorError(f"无法加载检测器 txlguard.detect.default_scanner：{exc}") from exc
    try:
        scanner = default_scanner()
    except Exception as exc:  # any failure to build the detector is reported, not a traceback
        raise DetectorError(f"检测器初始化失败：{type(exc).__name__}: {exc}") from exc

    def predict(examples: Sequence[Example]) -> list[set[str]]:
        inputs = [MessageInput(id=e.id, text=e.text, recipient=e.recipient) for e in examples]
        results = list(scanner.scan_batch(inputs))
        if len(results) != len(examples):
            raise DetectorError(f"检测器返回了 {len(results)} 条结果，但输入了 {len(examples)} 条消息")
        for example, result in zip(examples, results, strict=True):
            if result.id != example.id:
                raise DetectorError(f"检测器结果顺序错误：期望 id {example.id}，得到 {result.id}")
        return [set(result.labels) for result in results]

    return predict


@dataclass(frozen=True)
class Mistake:
    """A message whose predicted label set differs from the gold one."""

    id: str
    recipient: str
    gold: list[str]
    predicted: list[str]
    missing: list[str]  # gold labels not predicted
    extra: list[str]  # predicted labels not in gold
    text: str
    note: str | None


@dataclass(frozen=True)
class FileResult:
    """The report for one corpus file, its mistakes and how long the scan took."""

    path: str
    report: Report
    mistakes: list[Mistake]
    seconds: float

    def to_dict(self, with_errors: bool) -> dict[str, Any]:
        data: dict[str, Any] = {"path": self.path, "seconds": round(self.seconds, 3), **self.report.to_dict()}
        if with_errors:
            data["errors"] = [asdict(m) for m in self.mistakes]
        return data


def _ordered(codes: Collection[str]) -> list[str]:
    rank = {code: i for i, code in enumerate(MESSAGE_LABELS)}
    return sorted(codes, key=lambda code: (rank.get(code, len(rank)), code))


def evaluate_file(path: Path, predict: Predictor) -> FileResult:
    """Load ``path``, label it with ``predict`` and score it."""
    examples = load_corpus(path)
    started = time.perf_counter()
    predictions = predict(examples)
    seconds = time.perf_counter() - started
    if len(predictions) != len(examples):
        raise DetectorError(f"检测器返回了 {len(predictions)} 条结果，但输入了 {len(examples)} 条消息")
    report = evaluate([e.labels for e in examples], predictions)
    mistakes = [
        Mistake(
            id=e.id,
            recipient=e.recipient,
            gold=_ordered(e.labels),
            predicted=_ordered(p),
            missing=_ordered(e.labels - p),
            extra=_ordered(p - e.labels),
            text=e.text,
            note=e.note,
        )
        for e, p in zip(examples, predictions, strict=True)
        if set(e.labels) != set(p)
    ]
    return FileResult(path=_display(path), report=report, mistakes=mistakes, seconds=seconds)


def _display(path: Path) -> str:
    resolved = path.resolve()
    for base in (Path.cwd(), REPO_ROOT):
        if resolved.is_relative_to(base):
            return str(resolved.relative_to(base))
    return str(path)


# --------------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------------


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def _share(count: int, total: int) -> str:
    return f"{count}/{total} = {count / total:.1%}" if total else f"{count}/0 = —"


def format_report(result: FileResult, with_errors: bool = False) -> str:
    """The plain-text table for one file."""
    r = result.report
    lines = [f"== {result.path}  ({r.n} 条消息, {result.seconds:.2f} s) =="]
    header = f"{'label':<27} {'support':>7} {'pred':>5} {'tp':>4} {'fp':>4} {'fn':>4} {'precision':>9} {'recall':>7} {'F1':>6}"
    lines += [header, "-" * len(header)]
    for s in r.per_label:
        lines.append(
            f"{s.label:<27} {s.support:>7} {s.predicted:>5} {s.tp:>4} {s.fp:>4} {s.fn:>4} "
            f"{_fmt(s.precision):>9} {_fmt(s.recall):>7} {_fmt(s.f1):>6}"
        )
    lines.append("-" * len(header))
    lines.append(f"macro-F1 ({len(r.macro_labels)} 个标签)  {_fmt(r.macro_f1)}")
    if r.excluded_labels:
        lines.append(f"  未计入宏平均（标准答案与预测中均未出现）：{', '.join(r.excluded_labels)}")
    lines.append(
        f"micro       precision {_fmt(r.micro_precision)}  recall {_fmt(r.micro_recall)}  F1 {_fmt(r.micro_f1)}"
    )
    lines.append(f"误报率 false-alarm rate（合法消息被打上任何标签）: {_share(r.false_alarms, r.lawful)}")
    lines.append(f"漏报率 miss rate（违法消息未打任何标签）:        {_share(r.missed, r.unlawful)}")
    lines.append(f"完全匹配率 exact match:                           {_share(r.exact_matches, r.n)}")
    if r.unexpected_predicted:
        codes = ", ".join(f"{code}×{count}" for code, count in r.unexpected_predicted.items())
        lines.append(f"警告：检测器输出了 TAXONOMY §1 以外的代码：{codes}")
    if with_errors:
        lines.append(f"-- 判错的消息（{len(result.mistakes)} 条）--")
        for m in result.mistakes:
            gold = ",".join(m.gold) or "[]"
            pred = ",".join(m.predicted) or "[]"
            lines.append(f"{m.id} [{m.recipient}] 标准={gold}  预测={pred}")
            if m.missing:
                lines.append(f"    漏: {', '.join(m.missing)}")
            if m.extra:
                lines.append(f"    多: {', '.join(m.extra)}")
            lines.append(f"    {m.text}")
            if m.note:
                lines.append(f"    注: {m.note}")
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# CLI
# --------------------------------------------------------------------------------------------


def default_files() -> list[Path]:
    """The corpora scored when no FILE is given: those of :data:`DEFAULT_FILES` that exist."""
    return [p for p in DEFAULT_FILES if p.exists()]


def main(argv: Sequence[str] | None = None, predict: Predictor | None = None) -> int:
    """Run the evaluation; ``predict`` replaces the real detector (tests)."""
    parser = argparse.ArgumentParser(
        prog="eval_labels.py",
        description="Score txlguard message labels (TAXONOMY §1) against labelled JSONL corpora.",
    )
    parser.add_argument(
        "files",
        nargs="*",
        type=Path,
        help="labelled JSONL corpora (default: dev, tuning to tuning10, holdout)",
    )
    parser.add_argument("--json", action="store_true", help="print the numbers as JSON")
    parser.add_argument("--errors", action="store_true", help="list the misclassified messages")
    args = parser.parse_args(argv)

    files: list[Path] = list(args.files) or default_files()
    if not files:
        print("错误：没有找到任何标注语料，请指定文件。", file=sys.stderr)
        return EXIT_BAD_INPUT

    # Validate every corpus before loading the detector, so bad input fails fast.
    try:
        for path in files:
            load_corpus(path)
    except CorpusError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return EXIT_BAD_INPUT

    try:
        predictor = predict or scanner_predictor()
        results = [evaluate_file(path, predictor) for path in files]
    except CorpusError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except DetectorError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return EXIT_DETECTOR

    if args.json:
        payload = {"labels": list(MESSAGE_LABELS), "files": [r.to_dict(args.errors) for r in results]}
        print(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        print("\n\n".join(format_report(r, args.errors) for r in results))
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
