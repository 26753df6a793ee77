"""The purpose a passage gives for collecting the contact list (risk control, collection, an
unrelated feature), read from ``data/purposes.yaml``; offsets index the passage's original text."""

from __future__ import annotations

import re
from functools import cache

import yaml
from pydantic import BaseModel

from txlguard.detect.policy.lexicon import data_dir
from txlguard.detect.policy.view import PassageView


class PurposeStatement(BaseModel):
    purpose: str
    zh: str
    start: int
    end: int
    quote: str


@cache
def _purposes() -> dict[str, tuple[str, re.Pattern[str]]]:
    raw = yaml.safe_load((data_dir() / "purposes.yaml").read_text(encoding="utf-8"))["purposes"]
    return {
        code: (
            entry["zh"],
            re.compile("|".join(re.escape(t) for t in sorted(entry["terms"], key=len, reverse=True))),
        )
        for code, entry in raw.items()
    }


def find_purposes(text: str, offset: int = 0) -> list[PurposeStatement]:
    """The first mention of each purpose in ``text`` (a passage), offsets shifted by ``offset``."""
    view = PassageView(text)
    out: list[PurposeStatement] = []
    for code, (zh, pattern) in _purposes().items():
        spans = view.matches(pattern)
        if spans:
            start, end = view.to_original(*spans[0])
            out.append(
                PurposeStatement(
                    purpose=code, zh=zh, start=start + offset, end=end + offset, quote=text[start:end]
                )
            )
    return sorted(out, key=lambda p: p.start)
