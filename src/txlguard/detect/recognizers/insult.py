"""侮辱: abusive, degrading, obscene or dehumanising words aimed at the borrower or a contact."""

from __future__ import annotations

from txlguard.detect.recognizer import Recognizer


class InsultRecognizer(Recognizer):
    """Strong abuse counts wherever the sender writes it; words that are also ordinary nouns
    ("骗子", "老赖", "垃圾") count only when aimed at the reader ("你这个骗子", "老赖还钱")."""

    label = "insult"
