"""The learned tier: a linear model over character n-grams that catches phrasings no rule knows.

The rules (recognizers + lexicons) are precise but only as wide as their lexicons; collectors keep
finding new words for the same menace. This tier is a one-vs-rest logistic regression per message
label over TF-IDF-weighted character 1–4-grams of the folded text (digits read as ``0``), trained by
``scripts/train_learned_tier.py`` on the project's own labelled corpora (never the held-out set)
and shipped as ``data/learned_tier.npz``. Inference finds the vocabulary's n-grams in a message
(one Aho–Corasick pass; vectorised hashing for a batch) and takes one small dot product: no
scikit-learn at run time.

It only ever *adds* a label the rules did not find, at a probability threshold chosen by
cross-validation on the training corpora, and never where the rules read that label's cue as
reported, negated or a quotation of the law. Its detections say so (``recognizer="learned"``) and
point at the sentence that weighs most for the label.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from operator import itemgetter
from typing import Any

import ahocorasick
import numpy as np

from txlguard.detect.memo import DigestMemo, text_digest

NGRAM_MIN = 1
NGRAM_MAX = 4
MODEL_FILE = "learned_tier.npz"

_FEATURE = itemgetter(1)  # of an automaton hit (end, feature)
_NONZERO_DIGIT = re.compile("[1-9]")  # str.translate is several times slower on CJK text
#: How many single messages' probability rows :meth:`LearnedTier.probability_row` remembers, by their
#: feature text: lenders send templates whose names, amounts and dates change (digits are read as 0).
ROW_CACHE_SIZE = 4096
#: Multiplier of the polynomial n-gram hash (odd, 64-bit); see :meth:`LearnedTier.batch_probabilities`.
_HASH_BASE = np.uint64(0x9E3779B97F4A7C15)
#: The n-gram table: 2**SLOT_BITS slots addressed by the top bits of the hash times _SLOT_MIX (an odd
#: constant: the top bits of a short n-gram's own hash are all zero).
SLOT_BITS = 19
_SLOT_SHIFT = np.uint64(64 - SLOT_BITS)
_SLOT_MIX = np.uint64(0xD6E8FEB86659FD93)
_EMPTY, _SHARED = -1, -2
_SENTENCE = re.compile(r"[^。！？!?；;\n]+[。！？!?；;]*")


def features_text(text: str) -> str:
    """What the n-grams are taken from: the (already folded) text with every digit read as 0, so
    amounts, dates and phone numbers do not make features of their own. Length-preserving."""
    return _NONZERO_DIGIT.sub("0", text)


def char_ngrams(text: str) -> list[str]:
    """Character 1–4-grams of :func:`features_text`: the analyzer of training. (Inference finds the
    same n-grams without making them: an automaton for one message, hashes for a batch.)"""
    t = features_text(text)
    n = len(t)
    out: list[str] = []
    for size in range(NGRAM_MIN, NGRAM_MAX + 1):
        out += [t[i : i + size] for i in range(n - size + 1)]
    return out


@dataclass(frozen=True)
class LearnedHit:
    label: str
    start: int
    end: int
    probability: float


class LearnedTier:
    """The shipped model; :meth:`probabilities` for a text, :meth:`hits` above the thresholds."""

    def __init__(
        self,
        labels: list[str],
        vocabulary: list[str],
        idf: np.ndarray[Any, Any],
        coef: np.ndarray[Any, Any],
        intercept: np.ndarray[Any, Any],
        thresholds: np.ndarray[Any, Any],
    ) -> None:
        if coef.shape != (len(vocabulary), len(labels)) or idf.shape != (len(vocabulary),):
            raise ValueError("learned tier: shapes of vocabulary, idf and coefficients disagree")
        self.labels = labels
        self.idf = idf.astype(np.float64)
        self.coef = coef.astype(np.float64)
        self.intercept = intercept.astype(np.float64)
        self.thresholds = thresholds.astype(np.float64)
        hashes = np.array([_gram_hash(g) for g in vocabulary], dtype=np.uint64)
        order = np.argsort(hashes)
        self._keys = hashes[order]
        self._features = order.astype(np.intp)
        if len(self._keys) > 1 and bool((self._keys[1:] == self._keys[:-1]).any()):
            raise ValueError("learned tier: two n-grams of the vocabulary share a hash")
        self._coef_by_label = np.ascontiguousarray(self.coef.T)
        self._grams = ahocorasick.Automaton(ahocorasick.STORE_INTS)
        for feature, gram in enumerate(vocabulary):
            self._grams.add_word(features_text(gram), feature)
        self._grams.make_automaton()
        # A slot holds the one vocabulary n-gram whose hash falls in it (one comparison of the whole
        # hash then confirms a match), nothing, or a mark that several do (a binary search among
        # the sorted hashes then decides; about a thousand slots of half a million; 2 MB).
        self._hash_of_feature = hashes
        slots = _slot(self._keys)
        self._table = np.full(1 << SLOT_BITS, _EMPTY, dtype=np.int32)
        self._table[slots] = self._features
        shared_slots, per_slot = np.unique(slots, return_counts=True)
        self._table[shared_slots[per_slot > 1]] = _SHARED
        self._rows: DigestMemo[np.ndarray[Any, Any]] = DigestMemo()

    @classmethod
    def load(cls, data: Any) -> LearnedTier:
        """From an ``.npz`` (path or file object) written by the training script."""
        with np.load(data, allow_pickle=False) as z:
            return cls(
                labels=[str(x) for x in z["labels"]],
                vocabulary=[str(x) for x in z["vocabulary"]],
                idf=z["idf"],
                coef=z["coef"],
                intercept=z["intercept"],
                thresholds=z["thresholds"],
            )

    def decision(self, text: str) -> np.ndarray[Any, Any] | None:
        """The linear score per label (before the sigmoid), or None when no n-gram is known."""
        # Every occurrence of a vocabulary n-gram, in one pass of the automaton over the vocabulary:
        # the same counts as looking up each of the text's n-grams, without making them.
        if not len(self.idf):  # an empty vocabulary: the automaton was never made
            return None
        counts = Counter(map(_FEATURE, self._grams.iter(features_text(text))))
        if not counts:
            return None
        idx = np.fromiter(counts.keys(), dtype=np.intp, count=len(counts))
        if counts.total() == len(counts):  # the usual case: every known n-gram once (tf weight 1)
            weights = self.idf[idx]
        else:
            tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
            weights = (1.0 + np.log(tf)) * self.idf[idx]
        scores: np.ndarray[Any, Any] = (weights @ self.coef[idx]) * (
            1.0 / math.sqrt(float(weights @ weights))
        ) + self.intercept
        return scores

    def batch_probabilities(self, joined: str, boundaries: list[int]) -> np.ndarray[Any, Any]:
        """Probabilities (messages × labels) for messages joined into one string, vectorised.

        ``joined`` is the folded messages joined by one separator character each; ``boundaries``
        the index of each separator plus one (the end of each message + 1, as the scanner keeps
        them). Every n-gram is hashed by a polynomial over its code points; n-grams across a
        separator are dropped, the rest looked up among the vocabulary's hashes (a random n-gram
        outside the vocabulary meets a vocabulary hash with probability ~1e-15). The result equals
        :meth:`probabilities` message by message; a message with no known n-gram gets zeros.
        """
        n_msgs = len(boundaries)
        out = np.zeros((n_msgs, len(self.labels)))
        if not joined or not n_msgs:
            return out
        codes = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.uint64)
        codes[(codes >= 0x31) & (codes <= 0x39)] = 0x30  # digits read as 0, as in char_ngrams
        codes += np.uint64(1)
        stops = np.asarray(boundaries, dtype=np.intp) - 1  # separator positions (the last is past the end)
        codes[stops[stops < len(codes)]] = 0
        zero_prefix = np.concatenate(([0], np.cumsum(codes == 0)))
        positions: list[np.ndarray[Any, Any]] = []
        features: list[np.ndarray[Any, Any]] = []
        length = len(codes)
        h = codes
        with np.errstate(over="ignore"):
            for size in range(NGRAM_MIN, NGRAM_MAX + 1):
                count = length - size + 1
                if count <= 0:
                    break
                if size > 1:  # the hash of the n-gram at i from that of the (n-1)-gram at i
                    h = h[:count] * _HASH_BASE + codes[size - 1 : size - 1 + count]
                inside = (zero_prefix[size : size + count] - zero_prefix[:count]) == 0  # no separator
                slot = self._table[_slot(h)]
                at = np.flatnonzero((slot >= 0) & inside)
                feature = slot[at]
                known = self._hash_of_feature[feature] == h[at]
                positions.append(at[known])
                features.append(feature[known])
                shared = np.flatnonzero((slot == _SHARED) & inside)
                if len(shared):
                    hashes = h[shared]
                    where = np.searchsorted(self._keys, hashes)
                    where[where >= len(self._keys)] = 0
                    known = self._keys[where] == hashes
                    positions.append(shared[known])
                    features.append(self._features[where[known]])
        pos = np.concatenate(positions)
        if not len(pos):
            return out
        feat = np.concatenate(features)
        n_features = len(self.idf)
        key_type = np.int32 if n_msgs * n_features < 2**31 else np.int64  # a narrower sort is faster
        lengths = np.diff(np.concatenate(([0], np.asarray(boundaries, dtype=np.intp))))
        owner = np.repeat(np.arange(n_msgs, dtype=key_type), lengths)  # the message of each character
        pair, tf = np.unique(owner[pos] * key_type(n_features) + feat.astype(key_type), return_counts=True)
        msg_of, feat_of = np.divmod(pair, n_features)
        weight = (1.0 + np.log(tf)) * self.idf[feat_of]
        # Pairs are sorted by message: each message's n-grams are one run, summed by reduceat.
        starts = np.flatnonzero(np.concatenate(([True], msg_of[1:] != msg_of[:-1])))
        inverse_norm = 1.0 / np.sqrt(np.add.reduceat(weight * weight, starts))
        rows = msg_of[starts]
        for j in range(len(self.labels)):
            raw = np.add.reduceat(weight * self._coef_by_label[j][feat_of], starts)
            out[rows, j] = 1.0 / (1.0 + np.exp(-(raw * inverse_norm + self.intercept[j])))
        return out

    def over_threshold(self, probabilities: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        """Per message (row), whether any label is at or over its threshold."""
        return np.asarray((probabilities >= self.thresholds).any(axis=1))

    def probability_row(self, text: str) -> np.ndarray[Any, Any]:
        """:meth:`probabilities` as one row of :meth:`batch_probabilities` (zeros: nothing known).

        The row depends only on the feature text (digits read as 0), so rows of recent feature texts
        are remembered (``ROW_CACHE_SIZE``, least recently used out); rows are read-only."""
        features = features_text(text)
        key = text_digest(features)
        row = self._rows.get(key)
        if row is None:
            scores = self.decision(features)
            row = np.zeros(len(self.labels)) if scores is None else 1.0 / (1.0 + np.exp(-scores))
            row.flags.writeable = False
            self._rows.put(key, row, ROW_CACHE_SIZE)
        return row.view()  # a view of a read-only array cannot be made writable

    def probabilities(self, text: str) -> dict[str, float]:
        scores = self.decision(text)
        if scores is None:
            return {}
        return {
            label: 1.0 / (1.0 + math.exp(-float(s))) for label, s in zip(self.labels, scores, strict=True)
        }

    def hits(
        self,
        text: str,
        skip: frozenset[str] | set[str] = frozenset(),
        probabilities: np.ndarray[Any, Any] | None = None,
    ) -> list[LearnedHit]:
        """Labels at or over their threshold (except ``skip``), each with its sentence span.

        ``probabilities`` may be this text's row of :meth:`batch_probabilities` (saves the work)."""
        if probabilities is None:
            probabilities = self.probability_row(text)
        out: list[LearnedHit] = []
        for j, label in enumerate(self.labels):
            if label in skip:
                continue
            p = float(probabilities[j])
            if p >= self.thresholds[j]:
                start, end = self.sentence_for(text, j)
                out.append(LearnedHit(label, start, end, p))
        return out

    def sentence_for(self, text: str, j: int) -> tuple[int, int]:
        """The sentence of ``text`` scoring highest for label ``j`` (whitespace trimmed)."""
        best: tuple[float, int, int] | None = None
        sentences = [m.span() for m in _SENTENCE.finditer(text)]
        if len(sentences) > 1:
            for s, e in sentences:
                scores = self.decision(text[s:e])
                if scores is not None and (best is None or scores[j] > best[0]):
                    best = (float(scores[j]), s, e)
        s, e = (best[1], best[2]) if best else (0, len(text))
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        return s, e


def _slot(hashes: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """The table slot of each n-gram hash."""
    with np.errstate(over="ignore"):
        slots: np.ndarray[Any, Any] = (hashes * _SLOT_MIX) >> _SLOT_SHIFT
    return slots


def _gram_hash(gram: str) -> np.uint64:
    """The polynomial hash :meth:`LearnedTier.batch_probabilities` computes, for one n-gram."""
    h = 0
    for ch in features_text(gram):
        h = (h * int(_HASH_BASE) + ord(ch) + 1) % (1 << 64)
    return np.uint64(h)


@lru_cache(maxsize=1)
def default_learned_tier() -> LearnedTier | None:
    """The model shipped in the package, or None if it is not there (the rules still work)."""
    path = resources.files("txlguard.detect") / "data" / MODEL_FILE
    if not path.is_file():
        return None
    with path.open("rb") as handle:
        return LearnedTier.load(handle)
