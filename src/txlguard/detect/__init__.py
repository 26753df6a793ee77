"""Recognizers of unlawful collection conduct in messages, and the scanner that runs them.

>>> from txlguard.detect import default_scanner
>>> from txlguard.detect.models import MessageInput
>>> r = default_scanner().scan(MessageInput(id="1", text="今天不还就给你通讯录所有人发信息"))
>>> r.labels
['threat_to_contacts']
"""

from txlguard.detect.lexicon import Lexicon, LexiconError, Rule, load_lexicon
from txlguard.detect.models import Detection, MessageInput, ScanResult
from txlguard.detect.recognizer import Recognizer
from txlguard.detect.recognizers.personal_data import PersonalDataRecognizer
from txlguard.detect.registry import RecognizerRegistry
from txlguard.detect.scanner import Scanner, default_scanner
from txlguard.detect.view import Finding, Hit, MessageView

__all__ = [
    "Detection",
    "Finding",
    "Hit",
    "Lexicon",
    "LexiconError",
    "MessageInput",
    "MessageView",
    "PersonalDataRecognizer",
    "Recognizer",
    "RecognizerRegistry",
    "Rule",
    "ScanResult",
    "Scanner",
    "default_scanner",
    "load_lexicon",
]
