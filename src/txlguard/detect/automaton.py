"""Aho–Corasick automata over UTF-8 code units, with frequent characters' transitions first.

pyahocorasick keeps each trie node's transitions in a list that it searches linearly, in the
order they were inserted. Over plain text the root of a dictionary of Chinese terms has hundreds
of transitions (one per distinct first character), and every character of the text that starts
no term is compared with all of them: hundreds of nanoseconds a character. Over UTF-8 code units
(each byte one Latin-1 character, see :func:`encode`) no node has more than a few dozen
transitions, and inserting paths for frequent characters first (``data/char_order.txt``; they end
in the unused byte 0xFF and so never match) puts the transitions most texts take at the front of
each list. Only speed depends on this; what matches does not.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from itertools import accumulate
from typing import Any

import ahocorasick

from txlguard.detect.lexicon import data_dir

#: Never produced by UTF-8: ends the frequency-ordering paths so that they can never match.
_UNUSED = "\xff"


def encode(text: str) -> str:
    """``text`` as a string of its UTF-8 code units (one Latin-1 character per byte)."""
    return text.encode("utf-8", "surrogatepass").decode("latin-1")


@lru_cache(maxsize=1)
def char_order() -> str:
    """Characters in about the order of their frequency in collection messages."""
    seen: dict[str, None] = {}
    for line in (data_dir() / "char_order.txt").read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            for char in line.strip():
                seen.setdefault(char, None)
    return "".join(seen)


def build(entries: Iterable[tuple[str, object]]) -> Any:
    """An automaton over the UTF-8 code units of the given (key, value) pairs; a hit's value is
    ``(length of the key in bytes, value)``."""
    automaton = ahocorasick.Automaton()
    for char in char_order():
        automaton.add_word(encode(char) + _UNUSED, None)
    for key, value in entries:
        code_units = encode(key)
        automaton.add_word(code_units, (len(code_units), value))
    automaton.make_automaton()
    return automaton


class CharIndex:
    """Byte offsets of one UTF-8 text → character offsets, in O(1)-ish C calls per lookup."""

    __slots__ = ("_ascii", "_chars", "_marks", "_pos")

    #: Byte → b"\x01" for the first byte of a character, b"\x00" for a continuation byte.
    _TABLE = bytes(0 if 0x80 <= b <= 0xBF else 1 for b in range(256))

    def __init__(self, data: bytes) -> None:
        self._ascii = data.isascii()
        self._marks = b"" if self._ascii else data.translate(self._TABLE)
        self._pos = 0
        self._chars = 0

    def char(self, byte_offset: int) -> int:
        """The character offset of ``byte_offset``. Counts from the previous look-up, so a run of
        look-ups in (nearly) increasing order costs time linear in the text, not quadratic."""
        if self._ascii:
            return byte_offset
        if byte_offset >= self._pos:
            self._chars += self._marks.count(1, self._pos, byte_offset)
        else:
            self._chars -= self._marks.count(1, byte_offset, self._pos)
        self._pos = byte_offset
        return self._chars


#: Byte → 1 for the first byte of a UTF-8 character, 0 for a continuation byte.
_STARTS = bytes(0 if 0x80 <= b <= 0xBF else 1 for b in range(256))


def char_offsets(data: bytes) -> list[int] | None:
    """For a short UTF-8 text, the character offset of every byte offset (``None`` when the text
    is ASCII and the two agree): one C-level pass, then a list index per hit instead of a method
    call (see :class:`CharIndex` for long texts and sparse look-ups)."""
    if data.isascii():
        return None
    return [0, *accumulate(data.translate(_STARTS))]
