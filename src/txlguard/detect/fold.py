"""A length-preserving character fold for the scanner's fast path, and what it cannot do.

The scanner matches trigger terms on the *original* text of most messages: the automaton holds
every spelling of a term that folds to it character by character (traditional, full-width and
upper-case forms), so "通訊錄" and "ＴＸＬ" hit without any rewriting and every offset is already an
offset into the original. Only a message containing something this fold cannot express — a
character that folds to nothing or to several characters, a spacer between Chinese characters,
an evasive spelling — is sent through the full normaliser (:func:`txlguard.text.normalize`).

The per-character fold is the normaliser's own table (``txlguard.text.tables``) when it is
installed; otherwise it is derived here from Unicode NFKC, lower case and OpenCC t2s.
"""

from __future__ import annotations

import itertools
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

#: Unicode ranges of Chinese characters (unified, extension A, compatibility).
CJK_CLASS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
#: Characters used between Chinese characters to split a word (a subset of the normaliser's).
_SPACERS = " \t\u3000\u00a0*#@&%\\_※•·./|~+=^`-‐‑‒–—―ー・‧\u2800"
#: Kept as themselves although NFKC would expand them (as the normaliser does).
_KEEP = frozenset("\u2026\u2025\u22ef")


@dataclass(frozen=True)
class Fold:
    """The fold as ``str.translate`` table, its reverse, and the characters it cannot express."""

    table: dict[int, str]
    reverse: dict[str, frozenset[str]]
    special: frozenset[str]
    spacers: frozenset[str]
    #: The table for the Basic Multilingual Plane as a list indexed by code point, every
    #: character present (most as themselves). ``str.translate`` then never looks up a missing
    #: key, which costs it an exception per unchanged character: about three times faster.
    bmp: list[str] = field(default_factory=list, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.bmp:
            bmp = [chr(cp) for cp in range(0x10000)]
            for cp, folded in self.table.items():
                if cp < 0x10000:
                    bmp[cp] = folded
            self.bmp.extend(bmp)

    def apply(self, text: str) -> str:
        """Fold ``text`` character by character; the result has the same length."""
        if has_astral(text):
            return text.translate(self.table)
        return text.translate(self.bmp)

    def variants(self, term: str, cap: int = 96) -> set[str]:
        """Every spelling of ``term`` that folds to it, or a capped subset for long terms."""
        options = [sorted({c} | self.reverse.get(c, frozenset())) for c in term]
        total = 1
        for opts in options:
            total *= len(opts)
        if total <= cap:
            return {"".join(p) for p in itertools.product(*options)}
        # Too many mixtures: all-simplified, all-"first variant", and one substitution at a time.
        out = {term, "".join(o[-1] for o in options), "".join(o[0] for o in options)}
        for i, opts in enumerate(options):
            for alt in opts:
                out.add(term[:i] + alt + term[i + 1 :])
        # Whole-term forms of Latin letters: "SB", "ＳＢ", "ｓｂ" (each character changed).
        for form in (term.upper(), _full_width(term), _full_width(term.upper())):
            if form != term and all(
                a == b or a in self.reverse.get(b, ()) for a, b in zip(form, term, strict=True)
            ):
                out.add(form)
        return out


def _full_width(text: str) -> str:
    """ASCII letters and digits written in their full-width forms."""
    return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in text)


def _derive_fold() -> dict[str, str]:
    """NFKC + lower + single-character t2s, for when the normaliser's table is unavailable."""
    import opencc

    converter = opencc.OpenCC("t2s")
    cjk = [
        chr(cp)
        for lo, hi in ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))
        for cp in range(lo, hi + 1)
    ]
    converted = converter.convert("\n".join(cjk)).split("\n")
    t2s = {c: s for c, s in zip(cjk, converted, strict=False) if len(s) == 1 and s != c}
    fold: dict[str, str] = {}
    for cp in range(0x10000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        c = chr(cp)
        if c in _KEEP:
            continue
        if unicodedata.category(c) in ("Mn", "Me", "Cf"):
            fold[c] = ""
            continue
        f = "".join(t2s.get(x, x) for x in unicodedata.normalize("NFKC", c).lower())
        if f != c:
            fold[c] = f
    return fold


def _normaliser_fold() -> dict[str, str] | None:
    try:
        from txlguard.text import tables
    except ImportError:  # pragma: no cover - depends on the text package's version
        return None
    try:
        data = tables.load()
    except Exception:  # pragma: no cover - a missing or broken data file: derive our own
        return None
    fold = getattr(data, "fold", None)
    return dict(fold) if isinstance(fold, dict) else None


@lru_cache(maxsize=1)
def default_fold() -> Fold:
    """The fold used by the scanner (built once per process)."""
    raw = _normaliser_fold() or _derive_fold()
    table: dict[int, str] = {}
    reverse: dict[str, set[str]] = {}
    special: set[str] = set()
    for char, folded in raw.items():
        if len(char) != 1:
            continue
        if len(folded) == 1:
            table[ord(char)] = folded
            reverse.setdefault(folded, set()).add(char)
        elif char not in _KEEP and not (folded and all(not x.isalnum() for x in folded)):
            special.add(char)  # deleted, or expanded into letters/digits/ideographs
    # Control characters other than line breaks and tabs carry nothing: the normaliser decides.
    special.update(chr(cp) for cp in range(0x20) if chr(cp) not in "\n\r\t")
    return Fold(
        table=table,
        reverse={k: frozenset(v) for k, v in reverse.items()},
        special=frozenset(special),
        spacers=frozenset(_SPACERS),
    )


def _char_class(chars: frozenset[str]) -> str:
    """A regex character class for ``chars`` written as compact ranges."""
    cps = sorted(ord(c) for c in chars)
    parts: list[str] = []
    i = 0
    while i < len(cps):
        j = i
        while j + 1 < len(cps) and cps[j + 1] == cps[j] + 1:
            j += 1
        lo, hi = cps[i], cps[j]
        parts.append(re.escape(chr(lo)) if lo == hi else f"{re.escape(chr(lo))}-{re.escape(chr(hi))}")
        i = j + 1
    return "[" + "".join(parts) + "]"


@lru_cache(maxsize=1)
def routing_pattern() -> re.Pattern[str]:
    """What sends a message to the full normaliser: a character of the Basic Multilingual Plane
    the fold cannot express (deleted, expanded, a control character, a lone surrogate), or a
    spacer right after a Chinese character or a single Latin letter ("通 讯 录", "通*讯*录",
    "t.x.l"), or a blank after a Latin letter ("sha bi", "nong 死"). Characters beyond the BMP are checked apart (:func:`has_astral`).

    The pattern starts with one character class (a bitmap) and puts its conditions in
    look-behinds after it, so that the regex engine skips along at one set test per character:
    about as fast as the automaton itself.
    """
    fold = default_fold()
    surrogates = frozenset(chr(cp) for cp in range(0xD800, 0xE000))
    bmp_special = frozenset(c for c in fold.special if ord(c) < 0x10000) | surrogates
    spacer = _char_class(fold.spacers)
    special = _char_class(bmp_special)
    leading = _char_class(bmp_special | fold.spacers)
    cjk = f"[{CJK_CLASS}]"
    latin = "a-zA-Z\uff21-\uff3a\uff41-\uff5a"  # full-width letters too ("Ｎｉ ｍａ ｄｅ")
    after = f"(?=[{CJK_CLASS}{latin}]|{spacer})"
    # Spaced-out pinyin ("sha bi", "tong xun lu", "nong 死"): a blank between Latin letters, or
    # between a Latin letter and a Chinese character, sends the message to the normaliser.
    return re.compile(
        f"{leading}(?:(?<={special})|(?<={cjk}{spacer}){after}|(?<={cjk}{spacer}{spacer}){after}"
        f"|(?<=[^{latin}][{latin}]{spacer})(?=[{latin}])|(?<=[{latin}][ \u3000])(?=[{latin}]|{cjk}))"
    )


ASTRAL = re.compile("[\U00010000-\U0010ffff]")
#: Size of the header of a CPython string stored at four bytes a character.
_WIDE_HEADER = sys.getsizeof("\U00010000") - 8


def has_astral(text: str) -> bool:
    """Whether ``text`` holds a character beyond the BMP (emoji, rare ideographs, math letters).

    On CPython a string's storage width tells this in O(1) (four bytes a character only when
    one is beyond U+FFFF); elsewhere a regex search decides.
    """
    if sys.implementation.name == "cpython":
        return sys.getsizeof(text) >= _WIDE_HEADER + 4 * (len(text) + 1)
    return ASTRAL.search(text) is not None
