"""Evasive spellings ("txl", "通迅录", "傻b") and their canonical words, from ``data/variants.yaml``.

See the comments at the top of the data file for the format and for what belongs there.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

DATA_FILE = "variants.yaml"


@dataclass(frozen=True, slots=True)
class Variant:
    """One evasive spelling. ``spelling`` is in folded form; a space marks an optional spacer."""

    canonical: str
    spelling: str

    @property
    def letters(self) -> str:
        """The spelling without its spacer points."""
        return self.spelling.replace(" ", "")

    @property
    def latin_only(self) -> bool:
        """True for pinyin and abbreviations ("txl", "tong xun lu"), False for "傻b" or "通迅录"."""
        return self.letters.isascii()

    @property
    def short(self) -> bool:
        """One or two letters ("cs", "sb"): these need a Chinese character right next to them."""
        return self.latin_only and len(self.letters) <= 2


def parse(document: Any) -> list[Variant]:
    """Validate the parsed YAML document and return its variants (in file order)."""
    if not isinstance(document, dict):
        raise ValueError(f"{DATA_FILE}: expected a mapping canonical → list of variants")
    out: list[Variant] = []
    seen: dict[str, str] = {}
    for canonical, spellings in document.items():
        if not isinstance(canonical, str) or not canonical.strip():
            raise ValueError(f"{DATA_FILE}: bad canonical word {canonical!r}")
        if not isinstance(spellings, list) or not spellings:
            raise ValueError(f"{DATA_FILE}: {canonical}: expected a non-empty list of variants")
        for spelling in spellings:
            if not isinstance(spelling, str) or not spelling.strip():
                raise ValueError(f"{DATA_FILE}: {canonical}: bad variant {spelling!r}")
            spelling = " ".join(spelling.split())
            if spelling in seen:
                raise ValueError(f"{DATA_FILE}: {spelling!r} listed for {seen[spelling]} and {canonical}")
            if spelling.replace(" ", "") == canonical:
                raise ValueError(f"{DATA_FILE}: {canonical}: variant equals the canonical word")
            seen[spelling] = canonical
            out.append(Variant(canonical=canonical, spelling=spelling))
    return out


@lru_cache(maxsize=1)
def load() -> tuple[Variant, ...]:
    """The shipped variants (parsed once)."""
    text = (resources.files("txlguard.text") / "data" / DATA_FILE).read_text(encoding="utf-8")
    return tuple(parse(yaml.safe_load(text)))
