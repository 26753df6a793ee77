"""The guided interview: ask only what the reasoning still needs, in a lawyer's order, resumably.

UI-independent: :mod:`questions` (the question model, from ``reason/data/questions.yaml``),
:mod:`answers` (reading a typed answer in Chinese) and :mod:`planner` (which questions are still
worth asking) serve the CLI (:mod:`txlguard.interview.cli`) and, later, the web pages alike.
"""

from txlguard.interview.questions import (
    AnswerKind,
    AnswerValue,
    Choice,
    InterviewQuestion,
    QuestionBook,
    Topic,
    default_question_book,
    load_question_book,
)

__all__ = [
    "AnswerKind",
    "AnswerValue",
    "Choice",
    "InterviewQuestion",
    "QuestionBook",
    "Topic",
    "default_question_book",
    "load_question_book",
]
