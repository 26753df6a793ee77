"""Privacy-policy and loan-agreement auditors: TAXONOMY §4 labels for passages, with offsets.

>>> from txlguard.detect.policy import PolicyInput, default_policy_scanner
>>> r = default_policy_scanner().scan(PolicyInput(id="1", text="我们会读取并上传您的通讯录。"))
>>> r.labels
['collects_contacts']
>>> default_policy_scanner().scan(PolicyInput(id="2", text="我们不会读取您的通讯录。")).labels
[]
"""

from txlguard.detect.policy.models import PolicyInput, PolicyResult
from txlguard.detect.policy.recognizer import PolicyRecognizer
from txlguard.detect.policy.recognizers import POLICY_RECOGNIZERS
from txlguard.detect.policy.scanner import Passage, PolicyScanner, default_policy_scanner, split_passages

__all__ = [
    "POLICY_RECOGNIZERS",
    "Passage",
    "PolicyInput",
    "PolicyRecognizer",
    "PolicyResult",
    "PolicyScanner",
    "default_policy_scanner",
    "split_passages",
]
