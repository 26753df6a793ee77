"""Each recognizer's examples (data/examples/<label>.yaml): positives get the label, negatives not."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from txlguard.detect import Scanner
from txlguard.detect.lexicon import data_dir
from txlguard.detect.models import MessageInput
from txlguard.taxonomy import MessageLabel

EXAMPLES = data_dir() / "examples"


def _load(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        data: dict[str, Any] = yaml.safe_load(handle)
    return data


def _cases() -> list[Any]:
    out = []
    for path in sorted(EXAMPLES.glob("*.yaml")):
        data = _load(path)
        for kind in ("positive", "negative"):
            for i, entry in enumerate(data[kind]):
                item = {"text": entry} if isinstance(entry, str) else entry
                out.append(
                    pytest.param(
                        data["label"], kind, item["text"], item.get("recipient"), id=f"{path.stem}-{kind}-{i}"
                    )
                )
    return out


def test_every_label_has_enough_examples() -> None:
    labels = set()
    for path in EXAMPLES.glob("*.yaml"):
        data = _load(path)
        labels.add(data["label"])
        assert path.stem == data["label"]
        assert len(data["positive"]) >= 25, path.name
        assert len(data["negative"]) >= 25, path.name
    assert labels == {label.value for label in MessageLabel}


@pytest.mark.parametrize(("label", "kind", "text", "recipient"), _cases())
def test_example(scanner: Scanner, label: str, kind: str, text: str, recipient: str | None) -> None:
    result = scanner.scan(MessageInput(id="x", text=text, recipient=recipient))
    if kind == "positive":
        assert label in result.labels, (text, result.labels, [d.quote for d in result.detections])
    else:
        assert label not in result.labels, (text, [(d.label, d.quote) for d in result.detections])
