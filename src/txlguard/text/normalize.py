"""Fold the forms collectors and OCR produce into one canonical text, keeping offsets.

``normalize(original).text`` is what detectors match on; ``span_to_original`` maps a match back so
that every quote a user sees is a slice of what they gave us.

What the text goes through (``tables`` and ``data/variants.yaml`` hold the details):

1. a per-character fold: NFKC (full-width → half-width), lower case, diacritics removed,
   traditional → simplified, invisible characters (zero-width, soft hyphen, BOM, variation
   selectors, combining marks) removed;
2. spacers between Chinese characters removed: spaces, symbols and emoji always ("通 讯 录",
   "通*讯*录", "通😡讯😡录"); dots, dashes and slashes when they split single characters
   ("通.讯.录", "你的通-讯-录"); clause punctuation only inside a run of at least three single
   characters ("通，讯，录"), so "已逾期，请还款" keeps its comma;
3. evasive spellings replaced by their canonical word ("txl", "tong xun lu" → 通讯录,
   "傻b" → 傻逼); Latin ones only as whole Latin tokens near Chinese text, never in web addresses.

Speed: three paths give the same result (the tests check it on random text).

* Fast: most messages need only the frequent full-width punctuation ("，：！？") folded and runs
  of ASCII capitals lower-cased. One compiled pre-check (``_Engine._compile_trigger``) finds the
  capitals and, in the same pass, anything that needs more; the rest is a few ``str.replace``
  calls, and the offset map is the identity (stored as ``None``).
* Translate: other 1:1 folds (traditional characters, full-width letters) are done by
  ``str.translate`` with a precomputed table; the pre-check then runs again on the folded text,
  and if it finds nothing the map is still the identity.
* Slow: invisible characters, spacers, evasive spellings and characters that fold to several
  characters are handled step by step with an explicit offset map.

``normalize_many`` runs the pre-check once over the joined batch and folds the frequent
punctuation of the whole batch at once.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported when the engine is built, so that importing the package stays cheap
    from txlguard.text import tables
    from txlguard.text import variants as variants_mod

__all__ = ["NormalizedText", "normalize", "normalize_many"]


class NormalizedText:
    """Normalised ``text`` of ``original`` with a map from ``text`` offsets to ``original`` offsets.

    Treat instances as read-only values. ``text`` has no fixed relation in length to ``original``:
    always go through :meth:`span_to_original` (or :meth:`quote`) to report a match.
    """

    __slots__ = ("_ends", "_starts", "original", "text")

    original: str
    text: str

    def __init__(
        self,
        original: str,
        text: str,
        starts: Sequence[int] | None = None,
        ends: Sequence[int] | None = None,
    ) -> None:
        # ``starts[i]``/``ends[i]``: the original span that ``text[i]`` came from; both
        # non-decreasing. ``None`` means identity (``text`` is a 1:1 fold of ``original``).
        self.original = original
        self.text = text
        self._starts = starts
        self._ends = ends

    @property
    def is_identity(self) -> bool:
        """True if ``text[i]`` comes from ``original[i]`` for every ``i`` (lengths are equal)."""
        return self._starts is None

    def span_to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map the half-open span [start, end) of ``text`` to the matching span of ``original``.

        Out-of-range bounds are clamped. The result satisfies ``0 <= s <= e <= len(original)``
        and is monotone in both bounds. An empty span maps to an empty span at the position of
        the following character. A canonical word that replaced an evasive spelling maps to the
        whole spelling ("通讯录" ← "tong xun lu"), or to the part of it a character stands for.
        """
        n = len(self.text)
        if start < 0:
            start = 0
        elif start > n:
            start = n
        if end > n:
            end = n
        elif end < start:
            end = start
        starts = self._starts
        if starts is None:
            return start, end
        if start == end:
            pos = starts[start] if start < n else len(self.original)
            return pos, pos
        ends = self._ends
        assert ends is not None
        return starts[start], ends[end - 1]

    def quote(self, start: int, end: int) -> str:
        """The original text behind the span [start, end) of ``text``."""
        o_start, o_end = self.span_to_original(start, end)
        return self.original[o_start:o_end]

    def to_original(self, index: int) -> int:
        """The original offset of a boundary ``index`` of ``text`` (start of the char there)."""
        return self.span_to_original(index, index)[0]

    @property
    def origin(self) -> tuple[int, ...]:
        """For each character of ``text``, the index in ``original`` where its source starts."""
        if self._starts is None:
            return tuple(range(len(self.text)))
        return tuple(self._starts)

    def __repr__(self) -> str:
        kind = "identity" if self._starts is None else "mapped"
        return f"NormalizedText(original={self.original!r}, text={self.text!r}, {kind})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, NormalizedText):
            return NotImplemented
        if self.original != other.original or self.text != other.text:
            return False
        return self.origin == other.origin and self._ends_tuple() == other._ends_tuple()

    def __hash__(self) -> int:
        return hash((self.original, self.text))

    def _ends_tuple(self) -> tuple[int, ...]:
        if self._ends is None:
            return tuple(range(1, len(self.text) + 1))
        return tuple(self._ends)


# ---------------------------------------------------------------------------------------------
# The engine: tables and compiled patterns, built once on first use.

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f\U00030000-\U0003134f"
_ASTRAL = "\U00010000-\U0010ffff"
_SMP = "\U00010000-\U0001ffff"
#: Top-level domains that mark "x.com"-style tokens as web addresses.
_TLDS = (
    "com|cn|net|org|gov|edu|info|biz|io|me|cc|co|tv|top|xyz|vip|app|shop|site|online|club|ltd|"
    "tech|link|store|wang|ren|ink|hk|tw|mo|jp|us|uk|de|ly|gl|to|la|so|ws"
)
_SEP = "\x00"  # joins a batch for the pre-check; no pattern can match it or across it
#: Full-width punctuation common in ordinary messages: folded with ``str.replace`` on the fast path.
_FREQUENT = "，：！？"
#: Chinese characters too common in ordinary messages to anchor a variant on (see ``_anchored``).
_COMMON_CJK = frozenset("通二你我他她妈马日去死了个的")
#: Spacers allowed at the marked points of a Latin variant ("t x l", "t-x-l", "t*x*l", "t😡x😡l").
_GAP = (
    "\t \"#$%&'()*+\\-./<=>@\\[\\\\\\]^_`{|}~\u00a0\u00b7\u2010-\u2027\u2030-\u205e\u2190-\u2bff"
    "\u3000\u3008-\u3011\uff02-\uff0b\uff0d-\uff0f\uff1c-\uff1e\uff20\uff3b-\uff40\uff5b-\uff5e" + _ASTRAL
)


def _esc(cp: int) -> str:
    # Literal characters parse much faster than escapes; only class metacharacters and
    # surrogates (not encodable) are escaped.
    c = chr(cp)
    if c in "\\]^-[" or 0xD800 <= cp <= 0xDFFF:
        return f"\\u{cp:04x}"
    return c


def _class_body(chars: Iterable[str]) -> str:
    """Regex character-class body (without brackets) for a set of characters, as ranges."""
    parts: list[str] = []
    ranges: list[list[int]] = []
    for cp in sorted({ord(c) for c in chars}):
        if ranges and ranges[-1][1] == cp - 1:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp])
    for lo, hi in ranges:
        parts.append(_esc(lo) if lo == hi else f"{_esc(lo)}-{_esc(hi)}")
    return "".join(parts)


def _ci_literal(text: str) -> str:
    """Regex for ``text`` with ASCII letters matched in either case."""
    return "".join(f"[{c}{c.upper()}]" if c.isascii() and c.isalpha() else re.escape(c) for c in text)


class _Engine:
    """Everything ``normalize`` needs, derived from ``data/fold.txt`` and ``data/variants.yaml``."""

    def __init__(self) -> None:
        from txlguard.text import tables

        data = tables.load()
        fold = data.fold
        self.fold = fold
        table: list[int] = list(range(0x10000))
        special: dict[str, str] = {}
        changing: set[str] = set()  # BMP characters with a 1:1 fold other than themselves
        for c, f in fold.items():
            if len(f) == 1 and ord(c) < 0x10000:
                table[ord(c)] = ord(f)
                changing.add(c)
            else:
                special[c] = f
        self.table = table
        self.special = special
        #: The frequent 1:1 folds done with ``str.replace`` on the fast path (runs of ASCII
        #: capitals too). Every other change sends a message to the translate path.
        self.frequent = tuple((c, fold[c]) for c in _FREQUENT)
        self.weak = data.weak
        self.spacers = data.soft | data.weak | data.medium
        self.variants = self._load_variants()
        self._compile_slow_patterns(data)
        self._compile_trigger(data, changing)

    def fold_string(self, text: str) -> str:
        fold = self.fold
        return "".join(fold.get(c, c) for c in text)

    def _load_variants(self) -> list[variants_mod.Variant]:
        from txlguard.text import variants as variants_mod

        out = []
        for v in variants_mod.load():
            canonical = self.fold_string(v.canonical)
            if canonical != v.canonical:
                raise ValueError(f"variants.yaml: canonical {v.canonical!r} is not in folded form")
            out.append(variants_mod.Variant(canonical=canonical, spelling=self.fold_string(v.spelling)))
        # Longest first, so that the alternation prefers "tong xun lu" to any shorter spelling.
        return sorted(out, key=lambda v: -len(v.letters))

    def _by_first(self) -> dict[str, list[tuple[int, str]]]:
        """Variant continuations (after the first character) as regexes, grouped by first char."""
        gap = f"[{_GAP}]{{0,3}}"
        groups: dict[str, list[tuple[int, str]]] = {}
        for i, v in enumerate(self.variants):
            tokens = v.spelling.split(" ")
            cont = gap.join(re.escape(t) for t in [tokens[0][1:], *tokens[1:]])
            if v.spelling[-1].isascii():
                cont += "(?![a-z0-9])"
            groups.setdefault(v.spelling[0], []).append((i, cont))
        return groups

    def _compile_slow_patterns(self, data: tables.FoldData) -> None:
        """Patterns of the slow path; they run on folded text. Each starts with a character
        class or literal, so that sre skips quickly to the places where it can match."""
        # Supplementary-plane characters count as soft spacers wholesale (emoji, symbols): exact
        # classes there would cost a range check per character, and they are rare anyway.
        soft = _class_body(c for c in data.soft if ord(c) < 0x10000) + _SMP
        seps = soft + _class_body(c for c in data.weak | data.medium if ord(c) < 0x10000)
        special_bmp = {c for c in self.special if ord(c) < 0x10000}
        self.special_re = re.compile(f"[{_class_body(special_bmp)}{_ASTRAL}]")
        self.soft_re = re.compile(f"(?s)[{soft}](?<=[{_CJK}].)[{soft}]*(?=[{_CJK}])")
        self.run_re = re.compile(
            f"[{_CJK}](?<![{_CJK}].)[{_CJK}]*([{seps}]{{1,3}})[{_CJK}]+(?:\\1[{_CJK}]+)+"
        )
        alternatives = []
        for first, conts in self._by_first().items():
            lead = "(?<![a-z0-9].)" if first.isascii() else ""
            inner = "|".join(f"(?P<v{i}>{cont})" for i, cont in conts)
            alternatives.append(f"{re.escape(first)}{lead}(?:{inner})")
        self.variant_re = re.compile("(?s)" + "|".join(alternatives))
        self.variant_info = {
            f"v{i}": (v.canonical, v.latin_only, v.short) for i, v in enumerate(self.variants)
        }
        # Cheap test whether any run of single characters can be there at all.
        self.run_hint_re = re.compile(f"(?s)[{seps}](?<=[{_CJK}].)[{seps}]{{0,2}}[{_CJK}][{seps}]")
        self.cjk_re = re.compile(f"[{_CJK}]")
        self.cjk_before_re = re.compile(f"[{_CJK}] ?$")
        self.cjk_after_re = re.compile(f" ?[{_CJK}]")
        self.token_re = re.compile(f"[a-z0-9]+|[{_CJK}]")
        self.url_re = re.compile(
            r"(?:https?://|www\.)[!-~]+"
            r"|[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}"
            rf"|(?<![a-z0-9.])[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:{_TLDS})(?![a-z0-9])(?:/[!-~]*)?"
        )

    def _anchored(self) -> list[tuple[str, str, str, bool]]:
        """Each variant as (prefix, anchor, continuation regex, starts with a Latin letter).

        The anchor is the character where the pre-check stops to look for the variant: the
        first one, unless that is a character common in ordinary messages ("通" of "通迅录"),
        in which case the next one. Prefixes are Chinese and contain no spacer points.
        """
        gap = f"[{_GAP}]{{0,3}}"
        out = []
        for v in self.variants:
            a = 0
            while a + 1 < len(v.spelling) and v.spelling[a] in _COMMON_CJK and v.spelling[a + 1] != " ":
                a += 1
            prefix, anchor = v.spelling[:a], v.spelling[a]
            tokens = v.spelling[a + 1 :].split(" ")
            cont = gap.join(_ci_literal(t) for t in tokens)
            if v.spelling[-1].isascii():
                cont += "(?![A-Za-z0-9])"
            out.append((prefix, anchor, cont, v.spelling[0].isascii()))
        return out

    def _compile_trigger(self, data: tables.FoldData, changing: set[str]) -> None:
        """The pre-check: one search that finds anything the fast path cannot do.

        It runs on the original text (or, on the translate path, on the folded text). sre skips
        to the characters of one class S; a one-character look-behind then sorts the character
        just consumed into one of these disjoint groups (an empty named group tells which), and
        conditionals pick what must follow:

        * ``sep``/``soft`` (after a Chinese character): a spacer or a run of single characters;
        * ``lat``: a Latin letter where a variant may be anchored ("txl", "二b");
        * ``up``: an upper-case ASCII letter. Not a trigger: the match (the run of capitals) is
          reported in an ``up*`` group so that the caller lower-cases it and searches on;
        * ``cjk``: a Chinese character where a variant is anchored;
        * ``trig``: a character that vanishes, expands, or folds other than by the frequent
          replacements or lower case; also any supplementary-plane character.

        It must find at least everything that the slow path would change; the tests check that
        the paths agree on random text.
        """
        frequent = set(_FREQUENT)
        upper = {chr(c) for c in range(ord("A"), ord("Z") + 1)}
        trig = (changing - frequent - upper) | {c for c in self.special if ord(c) < 0x10000}
        soft_bmp = {c for c in data.soft if ord(c) < 0x10000}
        sep_bmp = {c for c in data.weak | data.medium if ord(c) < 0x10000}
        soft_d = soft_bmp - trig
        sep_d = sep_bmp - trig - soft_d
        latin: dict[str, list[str]] = {}
        cjk: dict[str, list[str]] = {}
        for prefix, anchor, cont, starts_latin in self._anchored():
            behind = _ci_literal(prefix + anchor)
            if starts_latin:  # whole Latin token: no letter or digit before it
                behind = f"(?<![A-Za-z0-9]){behind}"
            target = latin if anchor.isascii() else cjk
            target.setdefault(anchor.lower(), []).append(f"(?<={behind})(?:{cont})")
        lat_chars = {c for a in latin for c in (a, a.upper())}
        lat_alts = "|".join("|".join(alts) for alts in latin.values())
        cjk_alts = "|".join("|".join(alts) for alts in cjk.values())

        softp = f"[{_class_body(soft_bmp)}{_ASTRAL}]"
        sepx = f"[{_class_body(soft_bmp | sep_bmp)}{_ASTRAL}]"
        run = f"{sepx}{{0,2}}[{_CJK}]{sepx}{{1,3}}[{_CJK}]"
        # Look-behind alternatives, most frequent first; each starts with a class, so that
        # sre skips the ones that do not apply cheaply.
        look = [
            f"[{_class_body(sep_d)}](?P<sep>)",
            f"[{_class_body(lat_chars)}](?P<lat>)",
            "[A-Z](?P<up>)",
            f"[{_class_body(soft_d)}](?P<soft>)",
            f"[{_class_body(cjk)}](?P<cjk>)",
            f"[{_class_body(trig)}{_ASTRAL}](?P<trig>)",
        ]
        conditionals = [
            ("sep", run),
            ("lat", f"(?:{lat_alts}|(?<=[A-Z])(?P<up1>[A-Z]*))"),
            ("up", "(?P<up2>[A-Z]*)"),
            ("soft", f"(?<=[{_CJK}].)(?:{softp}*[{_CJK}]|{run})"),
            ("cjk", f"(?:{cjk_alts})"),
            ("trig", ""),
        ]
        tail = "(?!)"  # unreachable: the look-behind always sets one group
        for name, then in reversed(conditionals):
            tail = f"(?({name}){then}|{tail})"
        s_class = trig | soft_d | sep_d | upper | lat_chars | set(cjk)
        pattern = f"(?s)[{_class_body(s_class)}{_ASTRAL}](?<={'|'.join(look)}){tail}"
        self.trigger_re = re.compile(pattern)
        self.upper_groups = frozenset((self.trigger_re.groupindex["up1"], self.trigger_re.groupindex["up2"]))


_ENGINE: _Engine | None = None
# Hot parts of the engine, bound to module globals by ``_engine()`` for quick access.
_trigger: Callable[[str, int], re.Match[str] | None]
_upper_groups: frozenset[int]
_frequent: tuple[tuple[str, str], ...]
_table: list[int]


def _engine() -> _Engine:
    """Build the engine once."""
    global _ENGINE, _trigger, _upper_groups, _frequent, _table
    if _ENGINE is None:
        engine = _Engine()
        _trigger = engine.trigger_re.search
        _upper_groups = engine.upper_groups
        _frequent = engine.frequent
        _table = engine.table
        _ENGINE = engine
    return _ENGINE


# ---------------------------------------------------------------------------------------------
# The paths.


def normalize(original: str) -> NormalizedText:
    """Normalise one message (see the module docstring). Never raises for any ``str``."""
    if _ENGINE is None:
        _engine()
    match = _trigger(original, 0)
    text = original
    if match is not None:
        runs: list[str] = []
        while match is not None:
            if match.lastindex not in _upper_groups:
                return _normalize_general(original)
            runs.append(match.group())  # a run of capitals: lower-case it, look on
            match = _trigger(original, match.end())
        text = _lower_runs(text, runs)
    for c, f in _frequent:
        if c in text:
            text = text.replace(c, f)
    return NormalizedText(original, text)


def normalize_many(texts: Sequence[str]) -> list[NormalizedText]:
    """``[normalize(t) for t in texts]``, faster: the pre-check runs once over the joined batch."""
    if _ENGINE is None:
        _engine()
    count = len(texts)
    joined = _SEP.join(texts)
    if count < 4 or joined.count(_SEP) != count - 1:  # tiny batch, or a text contains _SEP
        return [normalize(t) for t in texts]
    general: set[int] = set()
    runs: set[str] = set()
    index = previous = pos = 0
    while (match := _trigger(joined, pos)) is not None:
        if match.lastindex in _upper_groups:
            runs.add(match.group())  # lower-cased below, in the whole batch at once
            pos = match.end()
            continue
        start = match.start()
        index += joined.count(_SEP, previous, start)  # which text the match is in
        previous = start
        general.add(index)
        pos = joined.find(_SEP, start) + 1  # the rest of this text does not matter
        if pos == 0:
            break
    for c, f in _frequent:
        if c in joined:
            joined = joined.replace(c, f)
    if runs:
        joined = _lower_runs(joined, list(runs))
    out = list(map(NormalizedText, texts, joined.split(_SEP)))
    for i in general:
        out[i] = _normalize_general(texts[i])
    return out


def _lower_runs(text: str, runs: list[str]) -> str:
    """Lower-case the given runs of capitals wherever they occur (longest first, so that "B"
    does not break up "BC")."""
    if len(runs) > 1:
        runs = sorted(set(runs), key=len, reverse=True)
    for run in runs:
        text = text.replace(run, run.lower())
    return text


def _normalize_general(original: str) -> NormalizedText:
    """The 1:1 translate path, falling through to the slow path where that is not enough."""
    folded = original.translate(_table)
    if _trigger(folded, 0) is None:
        return NormalizedText(original, folded)
    return _normalize_slow(original, folded)


_Edit = tuple[int, int, str]


def _normalize_slow(original: str, folded: str | None = None) -> NormalizedText:
    """The general path: builds an explicit offset map."""
    engine = _engine()
    if folded is None:
        folded = original.translate(engine.table)
    text = folded
    n = len(text)
    # ``starts``/``ends`` stay ranges (identity) until an edit makes them lists.
    starts: Sequence[int] = range(n)
    ends: Sequence[int] = range(1, n + 1)
    # 1. characters that vanish or expand, and supplementary-plane folds.
    special = engine.special
    edits = [
        (m.start(), m.end(), special[c])
        for m in engine.special_re.finditer(text)
        if (c := m.group()) in special
    ]
    if edits:
        text, starts, ends = _apply(engine, text, starts, ends, edits)
    # 2. spacers, 3. evasive spellings, then spacers again around what those became.
    text, starts, ends = _despace(engine, text, starts, ends)
    edits = _variant_edits(engine, text)
    if edits:
        # A spacer next to a replaced spelling may now sit between Chinese characters.
        again = any(
            _is_spacer(engine, text[a - 1 : a]) or _is_spacer(engine, text[b : b + 1]) for a, b, _ in edits
        )
        text, starts, ends = _apply(engine, text, starts, ends, edits)
        if again:
            text, starts, ends = _despace(engine, text, starts, ends)

    if isinstance(starts, range) or (
        len(text) == len(original)
        and list(starts) == list(range(len(text)))
        and list(ends) == list(range(1, len(text) + 1))
    ):
        return NormalizedText(original, text)
    if len(text) > 4096:  # compact storage for long texts; lists are quicker for short ones
        return NormalizedText(original, text, array("q", starts), array("q", ends))
    return NormalizedText(original, text, starts, ends)


def _is_spacer(engine: _Engine, ch: str) -> bool:
    return ch in engine.spacers or "\U00010000" <= ch < "\U00020000"  # see _compile_slow_patterns


def _despace(
    engine: _Engine, text: str, starts: Sequence[int], ends: Sequence[int]
) -> tuple[str, Sequence[int], Sequence[int]]:
    """Remove soft spacers between Chinese characters, then separators inside runs."""
    edits: list[_Edit] = [(m.start(), m.end(), "") for m in engine.soft_re.finditer(text)]
    if edits:
        text, starts, ends = _apply(engine, text, starts, ends, edits)
    if engine.run_hint_re.search(text) is not None:
        edits = _run_edits(engine, text)
        if edits:
            text, starts, ends = _apply(engine, text, starts, ends, edits)
    return text, starts, ends


def _glue(lengths: Sequence[int], weak: bool) -> list[bool]:
    """Which separators of a run of Chinese elements (given by their lengths) to remove.

    A maximal stretch of single-character elements, together with the elements on either
    side of it, is glued if it has at least three elements ("你的通.讯.录"). With clause
    punctuation (``weak``) only the stretch itself is glued, and only if it has at least three
    characters ("你好，通，讯，录，谢谢" → "你好，通讯录，谢谢"; "嗯，好，我知道了" is left alone).
    """
    last = len(lengths) - 1
    glue = [False] * last
    i = 0
    while i <= last:
        if lengths[i] != 1:
            i += 1
            continue
        j = i
        while j < last and lengths[j + 1] == 1:
            j += 1
        if weak:
            a, b = i, j
        else:
            a = i - 1 if i > 0 else i
            b = j + 1 if j < last else j
        if b - a + 1 >= 3:
            for q in range(a, b):
                glue[q] = True
        i = j + 1
    return glue


def _run_edits(engine: _Engine, text: str) -> list[_Edit]:
    """Separators inside runs of single Chinese characters ("通.讯.录", "通，讯，录")."""
    edits: list[_Edit] = []
    for match in engine.run_re.finditer(text):
        sep = match.group(1)
        weak = any(ch in engine.weak for ch in sep)
        lengths = [len(e) for e in match.group(0).split(sep)]
        glue = _glue(lengths, weak)
        pos = match.start()
        for q in range(len(lengths) - 1):
            pos += lengths[q]
            if glue[q]:
                edits.append((pos, pos + len(sep), ""))
            pos += len(sep)
    return edits


def _variant_edits(engine: _Engine, text: str) -> list[_Edit]:
    """Evasive spellings, Latin ones only near Chinese text and outside web addresses."""
    edits: list[_Edit] = []
    info = engine.variant_info
    for match in engine.variant_re.finditer(text):
        canonical, latin_only, short = info[match.lastgroup or ""]
        a, b = match.span()
        if latin_only:
            if _in_web_address(engine, text, a, b):
                continue
            if short:
                near = engine.cjk_before_re.search(text[max(0, a - 2) : a]) or engine.cjk_after_re.match(
                    text, b, b + 2
                )
            else:
                near = engine.cjk_re.search(text, max(0, a - 4), a) or engine.cjk_re.search(text, b, b + 4)
            if not near:
                continue
        edits.append((a, b, canonical))
    return edits


def _in_web_address(engine: _Engine, text: str, a: int, b: int) -> bool:
    """Whether [a, b) lies in a web or e-mail address (within its run of printable ASCII)."""
    lo, hi, size = a, b, len(text)
    while lo > 0 and "!" <= text[lo - 1] <= "~":
        lo -= 1
    while hi < size and "!" <= text[hi] <= "~":
        hi += 1
    token = text[lo:hi]
    if "." not in token and "@" not in token:
        return False
    return any(m.start() < b - lo and a - lo < m.end() for m in engine.url_re.finditer(token))


def _apply(
    engine: _Engine, text: str, starts: Sequence[int], ends: Sequence[int], edits: list[_Edit]
) -> tuple[str, list[int], list[int]]:
    """Apply replacements (sorted, as ``finditer`` yields them), carrying the offset map along."""
    if isinstance(starts, range):  # list slices are much quicker to copy than range slices
        starts, ends = list(starts), list(ends)
    out: list[str] = []
    new_starts: list[int] = []
    new_ends: list[int] = []
    pos = 0
    for a, b, replacement in edits:
        if a < pos:  # overlaps the previous edit
            continue
        out.append(text[pos:a])
        new_starts.extend(starts[pos:a])
        new_ends.extend(ends[pos:a])
        if replacement:
            out.append(replacement)
            size = len(replacement)
            if size == b - a:
                new_starts.extend(starts[a:b])
                new_ends.extend(ends[a:b])
            else:
                tokens = [m.span() for m in engine.token_re.finditer(text, a, b)]
                if len(tokens) == size:  # "tong xun lu" → one syllable per character
                    new_starts.extend([starts[t0] for t0, _ in tokens])
                    new_ends.extend([ends[t1 - 1] for _, t1 in tokens])
                else:  # "tongxunlu": every character stands for the whole spelling
                    new_starts.extend([starts[a]] * size)
                    new_ends.extend([ends[b - 1]] * size)
        pos = b
    out.append(text[pos:])
    new_starts.extend(starts[pos:])
    new_ends.extend(ends[pos:])
    return "".join(out), new_starts, new_ends
