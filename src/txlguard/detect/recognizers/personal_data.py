"""Personal-data recognizers: what a message discloses about a person.

Not message labels: their detections (``pi_*``) show *what* was revealed to a third party and
never enter ``ScanResult.labels``. Each recognizer validates its candidates the way the number's
standard says (GB 11643 checksum for resident ID numbers, Luhn for bank cards).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import ClassVar

from txlguard.detect.lexicon import compile_cue, load_lexicon

#: Runs of digits (with spaces or hyphens inside, a +86 prefix, a final X) worth validating.
DIGIT_CANDIDATE = re.compile(r"(?<![0-9])(?:\+?86[ -]?)?[0-9](?:[ -]?[0-9]){6,21}[xX]?(?![0-9a-zA-Z])")

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
#: First two digits of a resident ID: the province-level division (GB/T 2260), 71/81/82 for
#: Taiwan, Hong Kong and Macao residence permits, 83 and 91 for some permit holders.
_ID_PROVINCES = frozenset(
    {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54}
    | {61, 62, 63, 64, 65, 71, 81, 82, 83, 91}
)


def id_number_valid(value: str, today: date | None = None) -> bool:
    """An 18-character resident ID number (GB 11643-1999): region, birth date and checksum."""
    v = value.upper()
    if len(v) != 18 or not v[:17].isascii() or not v[:17].isdigit() or v[17] not in "0123456789X":
        return False
    if int(v[:2]) not in _ID_PROVINCES:
        return False
    try:
        born = date(int(v[6:10]), int(v[10:12]), int(v[12:14]))
    except ValueError:
        return False
    if not date(1900, 1, 1) <= born <= (today or date.today()):
        return False
    total = sum(int(d) * w for d, w in zip(v[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == v[17]


def id_check_digit(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits (used to build test data)."""
    return _ID_CHECK[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def luhn_valid(digits: str) -> bool:
    """The Luhn (mod 10) check used by bank card numbers."""
    if not digits.isascii() or not digits.isdigit() or len(digits) < 2:
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_LANDLINE = re.compile(r"0[1-9][0-9]{1,2}[0-9]{7,8}")


def mobile_valid(digits: str) -> bool:
    """A mainland mobile number (11 digits, 13x–19x), with or without the 86 prefix."""
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    return len(digits) == 11 and bool(_MOBILE.fullmatch(digits)) and len(set(digits[3:])) > 1


def landline_valid(digits: str) -> bool:
    """A mainland fixed-line number with its area code (0 + 2–3 digits, then 7–8 digits)."""
    return 10 <= len(digits) <= 12 and bool(_LANDLINE.fullmatch(digits)) and len(set(digits[4:])) > 1


@dataclass(frozen=True, slots=True)
class PersonalFinding:
    """A validated piece of personal data at [start, end) of the folded text."""

    label: str
    start: int
    end: int
    confidence: float
    explanation: str
    recognizer: str


class PersonalDataRecognizer:
    """Base class: finds one kind of personal data in a folded text."""

    label: ClassVar[str] = ""

    @property
    def name(self) -> str:
        return type(self).__name__

    def find(self, text: str) -> list[PersonalFinding]:  # pragma: no cover - abstract
        raise NotImplementedError


class DigitRecognizer(PersonalDataRecognizer):
    """A personal-data kind written as digits; candidates come from :data:`DIGIT_CANDIDATE`."""

    #: Lower runs first; the first recognizer that accepts a candidate takes it.
    priority: ClassVar[int] = 50

    def validate(self, digits: str, text: str, start: int) -> tuple[float, str] | None:  # pragma: no cover
        raise NotImplementedError

    def find(self, text: str) -> list[PersonalFinding]:
        out: list[PersonalFinding] = []
        for m in DIGIT_CANDIDATE.finditer(text):
            verdict = self.validate(_digits(m.group()), text, m.start())
            if verdict is not None:
                out.append(PersonalFinding(self.label, m.start(), m.end(), verdict[0], verdict[1], self.name))
        return out


def _digits(candidate: str) -> str:
    d = candidate.replace(" ", "").replace("-", "").replace("+", "")
    return d[:-1] + "X" if d[-1:] in "xX" else d


class IdNumberRecognizer(DigitRecognizer):
    """居民身份证号码 (18 characters, GB 11643 checksum, valid region and birth date)."""

    label = "pi_id_number"
    priority = 10

    def validate(self, digits: str, text: str, start: int) -> tuple[float, str] | None:
        if id_number_valid(digits):
            return 0.97, "身份证号码（校验位正确）"
        return None


class BankCardRecognizer(DigitRecognizer):
    """银行卡号 (16–19 digits, Luhn check, a known issuer prefix)."""

    label = "pi_bank_card"
    priority = 20

    def validate(self, digits: str, text: str, start: int) -> tuple[float, str] | None:
        if not (16 <= len(digits) <= 19) or digits[0] not in "3456" or not luhn_valid(digits):
            return None
        if len(set(digits)) <= 2:
            return None
        context = _personal_cues()["bank_context"].search(text, max(0, start - 12), start)
        return (
            (0.93, "银行卡号（Luhn 校验通过，前有卡号字样）")
            if context
            else (0.8, "银行卡号（Luhn 校验通过）")
        )


class PhoneRecognizer(DigitRecognizer):
    """手机号码 and 固定电话 (with area code); service hotlines of the sender are left out."""

    label = "pi_phone"
    priority = 30

    def validate(self, digits: str, text: str, start: int) -> tuple[float, str] | None:
        if mobile_valid(digits):
            return 0.9, "手机号码"
        if landline_valid(digits):
            if _personal_cues()["service_context"].search(text, max(0, start - 12), start):
                return None
            return 0.7, "固定电话号码"
        return None


#: Characters that cannot be part of a place name (pronouns, particles, verbs around an address).
_STOP = (
    "你我他她您的是在住了到把给和与及就都也要会说请将已家去找上门知道址为有个那这哪里呢吗吧啊被从来过于对向"
)


def _name_class() -> str:
    """Chinese characters except the stop characters, as one regex class (a bitmap for re)."""
    stops = sorted(ord(c) for c in _STOP)
    parts, lo = [], 0x4E00
    for cp in stops:
        if cp > lo:
            parts.append(f"{chr(lo)}-{chr(cp - 1)}")
        lo = cp + 1
    parts.append(f"{chr(lo)}-\u9fa5")
    return "[" + "".join(parts) + "]"


_NAME = _name_class()
_NUM = "[0-9一二三四五六七八九十百零〇]"
#: One component of an address; its kind is the group that matched.
_COMPONENT = re.compile(
    f"(?P<p>{_NAME}{{2,7}}?(?:省|自治区|特别行政区))"
    f"|(?P<c>{_NAME}{{1,7}}?(?:市|自治州|盟|地区))"
    f"|(?P<d>{_NAME}{{1,7}}?(?:区|县|旗))"
    f"|(?P<t>{_NAME}{{1,7}}?(?:镇|乡|街道))"
    f"|(?P<r>(?:{_NAME}|[0-9]){{1,10}}?(?:大道|路|街|巷|弄|胡同|村|屯|小区|花园|公寓|大厦|广场|家园|新村|苑|庄|社区))"
    f"|(?P<n>{_NUM}{{1,5}}(?:号院|号楼|号|栋|幢|单元|楼|层|室|组)(?:-?{_NUM}{{1,5}}(?:号|栋|幢|单元|楼|层|室))*)"
)
_HINT = re.compile("[省市区县旗镇乡道路街巷弄村屯区苑庄栋幢室]")


class AddressRecognizer(PersonalDataRecognizer):
    """住址: 省/市/区/县/镇/路/村 + 门牌号 (at least a road with a number, or three levels)."""

    label = "pi_address"

    def find(self, text: str) -> list[PersonalFinding]:
        if _HINT.search(text) is None:
            return []
        out: list[PersonalFinding] = []
        run: list[re.Match[str]] = []
        for m in [*_COMPONENT.finditer(text), None]:
            if m is not None and run and m.start() == run[-1].end():
                run.append(m)
                continue
            if run:
                kinds = {c.lastgroup for c in run}
                if ("r" in kinds and "n" in kinds) or len(kinds) >= 3:
                    conf = 0.85 if len(kinds) >= 3 else 0.7
                    out.append(
                        PersonalFinding(self.label, run[0].start(), run[-1].end(), conf, "住址", self.name)
                    )
            run = [m] if m is not None else []
        return out


@lru_cache(maxsize=1)
def _personal_cues() -> dict[str, re.Pattern[str]]:
    lexicon = load_lexicon("personal_data")
    return {
        name: compile_cue(entries, f"personal_data.yaml: {name}")
        for name, entries in lexicon.spec.cues.items()
    }


def default_personal_recognizers() -> list[PersonalDataRecognizer]:
    return [IdNumberRecognizer(), BankCardRecognizer(), PhoneRecognizer(), AddressRecognizer()]


def find_personal_data(text: str, recognizers: list[PersonalDataRecognizer]) -> list[PersonalFinding]:
    """All personal data in ``text``: each digit candidate goes to the first digit recognizer
    (by priority) that accepts it; other recognizers search on their own."""
    digit = sorted((r for r in recognizers if isinstance(r, DigitRecognizer)), key=lambda r: r.priority)
    out: list[PersonalFinding] = []
    if digit:
        for m in DIGIT_CANDIDATE.finditer(text):
            digits = _digits(m.group())
            for rec in digit:
                verdict = rec.validate(digits, text, m.start())
                if verdict is not None:
                    out.append(
                        PersonalFinding(rec.label, m.start(), m.end(), verdict[0], verdict[1], rec.name)
                    )
                    break
    for other in recognizers:
        if not isinstance(other, DigitRecognizer):
            out.extend(other.find(text))
    return out
