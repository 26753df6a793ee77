"""The per-character fold of the normaliser and the character classes it works with.

Every character folds to a string of zero, one or more characters:

* invisible characters (format controls such as zero-width spaces, soft hyphen and BOM; combining
  and enclosing marks, variation selectors included; Hangul fillers) fold to nothing;
* everything else goes through NFKC (full-width → half-width, compatibility forms), lower case,
  removal of diacritics (``tōng`` → ``tong``, so that pinyin with tone marks matches) and
  traditional → simplified of single characters (OpenCC ``t2s``), repeated until nothing changes;
* ellipses ("…") are kept as they are: NFKC would turn the very common "……" into six dots.

The fold is derived once (``python -m txlguard.text.tables``) and shipped as ``data/fold.txt``,
so loading it is quick and results do not drift with the installed OpenCC or Python. ``--check``
verifies that the shipped file matches what this module derives on the current machine.

The character classes (``soft`` spacers, ``weak`` and ``medium`` separators) are stored "closed
under the fold": a class holds its own characters and every character that folds to one of them
(``＊`` is ``soft`` because ``*`` is), so one class serves both the original and the folded text.
"""

from __future__ import annotations

import argparse
import sys
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

DATA_FILE = "fold.txt"

#: Folded to themselves although NFKC would expand them.
KEEP = frozenset("\u2026\u2025\u22ef")  # … ‥ ⋯
#: Invisible letters (not format controls by category) that are used to split words.
EXTRA_DELETE = frozenset("\u115f\u1160\u3164\uffa0")
#: Folds chosen by hand: the blank Braille pattern renders as a space; line separators as newlines.
EXTRA_MAP = {"\u2800": " ", "\u2028": "\n", "\u2029": "\n", "\x85": "\n"}
DELETE_CATEGORIES = frozenset({"Mn", "Me", "Cf"})

#: Clause punctuation: between two Chinese characters it is a real boundary, except in long
#: runs of single characters ("通，讯，录").
WEAK = frozenset(",。!?;:、\n\r")
#: Punctuation that rarely sits between two Chinese characters except as a spacer ("通.讯.录"),
#: plus every dash (category Pd).
MEDIUM_EXTRA = frozenset(".·/'\"‘’“”‧・…‥⋯ー")
#: Punctuation that is never a clause boundary; with spaces and symbols (categories Zs, Sm, Sc,
#: Sk, So, emoji among them) these are "soft" spacers, removed wherever they sit between two
#: Chinese characters ("通*讯*录", "通 讯 录", "通😡讯😡录").
SOFT_EXTRA = frozenset("\t*#@&%\\_※•†‡")
SOFT_CATEGORIES = frozenset({"Zs", "Sm", "Sc", "Sk", "So"})

#: Ranges of the CJK class: unified ideographs, extension A, compatibility ideographs, and the
#: supplementary-plane extensions.
CJK_RANGES: tuple[tuple[int, int], ...] = (
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF),
    (0x20000, 0x2FA1F),
    (0x30000, 0x3134F),
)


@dataclass(frozen=True)
class FoldData:
    """The fold of every character that does not fold to itself, and the character classes."""

    fold: dict[str, str]
    soft: frozenset[str]
    weak: frozenset[str]
    medium: frozenset[str]


# --------------------------------------------------------------------------------------------
# Deriving the fold (slow: a few seconds; only for regenerating the data file and for tests).


@lru_cache(maxsize=1)
def _t2s_chars() -> dict[str, str]:
    """OpenCC t2s applied to every CJK character on its own (one call; phrases cannot interfere)."""
    import opencc

    chars = [chr(cp) for lo, hi in CJK_RANGES for cp in range(lo, hi + 1)]
    converted = opencc.OpenCC("t2s").convert("\n".join(chars)).split("\n")
    if len(converted) != len(chars):  # pragma: no cover - would mean OpenCC merged lines
        raise RuntimeError("OpenCC changed the number of lines")
    return {c: s for c, s in zip(chars, converted, strict=True) if c != s and len(s) == 1}


def _deletable(ch: str) -> bool:
    return ch in EXTRA_DELETE or unicodedata.category(ch) in DELETE_CATEGORIES


def _fold_once(c: str) -> str:
    if c in KEEP:
        return c
    if c in EXTRA_MAP:
        return EXTRA_MAP[c]
    category = unicodedata.category(c)
    if category in ("Cs", "Cn", "Co"):
        return c
    if _deletable(c):
        return ""
    t2s = _t2s_chars()
    out: list[str] = []
    for ch in unicodedata.normalize("NFKC", c).lower():
        if _deletable(ch):
            continue
        decomposed = unicodedata.normalize("NFD", ch)
        if len(decomposed) > 1 and any(unicodedata.category(x) in ("Mn", "Me") for x in decomposed):
            out.extend(x for x in decomposed if unicodedata.category(x) not in ("Mn", "Me"))
        else:
            out.append(ch)
    return "".join(t2s.get(ch, ch) for ch in out)


def fold_char(c: str) -> str:
    """The fold of one character, derived from Unicode and OpenCC (see the module docstring)."""
    current = _fold_once(c)
    for _ in range(8):
        following = "".join(_fold_once(x) for x in current)
        if following == current:
            return current
        current = following
    raise RuntimeError(f"fold of U+{ord(c):04X} does not settle")  # pragma: no cover


def _all_chars() -> Iterator[str]:
    for cp in range(0x110000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        yield chr(cp)


def derive() -> FoldData:
    """Derive the fold table and the classes from scratch."""
    fold: dict[str, str] = {}
    stable_soft: set[str] = set()
    stable_medium: set[str] = set()
    for c in _all_chars():
        f = fold_char(c)
        if f != c:
            fold[c] = f
            continue
        if c in WEAK or c == "\x00":
            continue
        category = unicodedata.category(c)
        if category == "Pd" or c in MEDIUM_EXTRA:
            stable_medium.add(c)
        elif category in SOFT_CATEGORIES or c in SOFT_EXTRA:
            stable_soft.add(c)

    def close(base: Iterable[str]) -> frozenset[str]:
        members = set(base)
        members.update(c for c, f in fold.items() if f in members)
        return frozenset(members)

    return FoldData(fold=fold, soft=close(stable_soft), weak=close(WEAK), medium=close(stable_medium))


# --------------------------------------------------------------------------------------------
# The data file: "@section" lines, then one entry per line; code points in hex, "a..b" ranges.
# In @fold an entry is "<cp or range> TAB <cp cp ...>" or "<cp or range> TAB -" (deleted).


def _ranges(chars: Iterable[str]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for cp in sorted(ord(c) for c in chars):
        if out and out[-1][1] == cp - 1:
            out[-1] = (out[-1][0], cp)
        else:
            out.append((cp, cp))
    return out


def _fmt_range(lo: int, hi: int) -> str:
    return f"{lo:04x}" if lo == hi else f"{lo:04x}..{hi:04x}"


def dumps(data: FoldData) -> str:
    """The text of ``data/fold.txt`` for ``data``."""
    import opencc

    lines = [
        "# txlguard fold table. Generated by `python -m txlguard.text.tables`; do not edit.",
        f"# Unicode {unicodedata.unidata_version}, OpenCC {getattr(opencc, '__version__', '?')} t2s.",
        "# @fold: <code point or lo..hi> TAB <folded code points> ('-' = removed).",
        "# @soft, @weak, @medium: character classes, closed under the fold.",
        "@fold",
    ]
    deleted = [c for c, f in data.fold.items() if f == ""]
    lines.extend(f"{_fmt_range(lo, hi)}\t-" for lo, hi in _ranges(deleted))
    for c in sorted((c for c, f in data.fold.items() if f), key=ord):
        lines.append(f"{ord(c):04x}\t" + " ".join(f"{ord(x):04x}" for x in data.fold[c]))
    for name in ("soft", "weak", "medium"):
        lines.append(f"@{name}")
        members: frozenset[str] = getattr(data, name)
        lines.extend(_fmt_range(lo, hi) for lo, hi in _ranges(members))
    return "\n".join(lines) + "\n"


def _parse_cps(field: str) -> range:
    lo, _, hi = field.partition("..")
    return range(int(lo, 16), int(hi or lo, 16) + 1)


def loads(text: str) -> FoldData:
    """Parse the text of ``data/fold.txt``."""
    fold: dict[str, str] = {}
    classes: dict[str, set[str]] = {"soft": set(), "weak": set(), "medium": set()}
    section = ""
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        if line.startswith("@"):
            section = line[1:]
            continue
        if section == "fold":
            key, _, value = line.partition("\t")
            folded = "" if value == "-" else "".join(chr(int(x, 16)) for x in value.split())
            for cp in _parse_cps(key):
                fold[chr(cp)] = folded
        else:
            classes[section].update(chr(cp) for cp in _parse_cps(line))
    return FoldData(
        fold=fold,
        soft=frozenset(classes["soft"]),
        weak=frozenset(classes["weak"]),
        medium=frozenset(classes["medium"]),
    )


def data_path() -> Path:
    return Path(str(resources.files("txlguard.text") / "data" / DATA_FILE))


@lru_cache(maxsize=1)
def load() -> FoldData:
    """The shipped fold table (parsed once)."""
    return loads(data_path().read_text(encoding="utf-8"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Regenerate or check txlguard/text/data/fold.txt.")
    parser.add_argument("--check", action="store_true", help="only compare with the shipped file")
    args = parser.parse_args(argv)
    derived = derive()
    if args.check:
        shipped = load()
        if shipped != derived:
            differing = {
                c
                for c in derived.fold.keys() | shipped.fold.keys()
                if derived.fold.get(c) != shipped.fold.get(c)
            }
            print(f"fold.txt is out of date ({len(differing)} characters differ)", file=sys.stderr)
            return 1
        print("fold.txt is up to date")
        return 0
    data_path().write_text(dumps(derived), encoding="utf-8")
    print(f"wrote {data_path()} ({len(derived.fold)} folds)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
