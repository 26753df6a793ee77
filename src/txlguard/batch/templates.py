"""Message templates: near-duplicate texts made equal so that the audit can count them together.

Collection traffic is sent from templates with the variable parts filled in (name, amount, date,
platform, phone number, days overdue). Replacing those parts with placeholders gives the template
back, and grouping by it shows which scripts break rules most often. Deliberately simple and
predictable — a compliance officer must be able to see why two messages fell together:

1. NFKC (full-width digits and letters become ASCII) and whitespace collapsed;
2. ``【…】`` (the sender's signature) → ``【平台】``;
3. dates and times → ``<日期>`` / ``<时间>``; phone numbers (7+ digits, dashes allowed) → ``<号码>``;
   amounts (a number followed by 元/块/万) → ``<金额>``; any other number → ``<数字>``;
4. a name after a salutation (尊敬的/亲爱的/您是/你是) → ``<姓名>``; so are 2–3 characters starting
   with a common surname at the start of a sentence and followed by 先生/女士/您好/，/你/您.

Different wording stays different: this groups templates, it does not cluster paraphrases.
"""

from __future__ import annotations

import re
import unicodedata

_SPACE = re.compile(r"\s+")
_SIGNATURE = re.compile(r"【[^】]{1,20}】")
_DATE = re.compile(r"\d{2,4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?|\d{1,2}\s*月\s*\d{1,2}\s*[日号]")
_TIME = re.compile(r"\d{1,2}[:：]\d{2}(?:[:：]\d{2})?")
_PHONE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?\d{3,4}(?:-\d{3,8}){1,2}(?!\d)|(?<!\d)\d{7,}(?!\d)")
_AMOUNT = re.compile(r"\d+(?:[.,]\d+)*\s*(?:元|块|万|千元|人民币)")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_NAME_AFTER = re.compile(
    r"(尊敬的|亲爱的|您是|你是|致)([\u4e00-\u9fff]{2,4}?)(?=先生|女士|客户|用户|的|[，,：:！!。\s])"
)
#: The commonest surnames: a name not after a salutation is taken only when it starts with one.
SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
    "姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
_NAME_BEFORE = re.compile(r"(^|[，,。！!：:？?\s])([\u4e00-\u9fff]{2,3})(?=先生|女士|您好|你好|[，,]|你|您)")
_NOT_NAMES = frozenset({"用户", "客户", "您好", "你好", "借款", "今天", "明天", "尊敬", "亲爱", "本人"})


def _name(match: re.Match[str]) -> str:
    name = match.group(2)
    return match.group(0) if name in _NOT_NAMES else match.group(1) + "<姓名>"


def _surname_name(match: re.Match[str]) -> str:
    return _name(match) if match.group(2)[0] in SURNAMES else match.group(0)


def template_of(text: str) -> str:
    """The message with its variable parts replaced by placeholders (see the module docstring)."""
    t = _SPACE.sub(" ", unicodedata.normalize("NFKC", text)).strip()
    t = _SIGNATURE.sub("【平台】", t)
    t = _DATE.sub("<日期>", t)
    t = _TIME.sub("<时间>", t)
    t = _PHONE.sub("<号码>", t)
    t = _AMOUNT.sub("<金额>", t)
    t = _NUMBER.sub("<数字>", t)
    t = _NAME_AFTER.sub(_name, t)
    t = _NAME_BEFORE.sub(_surname_name, t)
    return t
