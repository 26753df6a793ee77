"""Any input gives a result, never a traceback; long texts take linear time."""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from txlguard.detect import MessageInput, Scanner

ODD = [
    "",
    " ",
    "\n\n\n",
    "\x00\x01\x02\x1b[31m",
    "\ud800",
    "通讯录\udfff爆你",
    "a\ud83d",
    "\ufeff\u200b\u200c\u200d",
    "😡" * 50,
    "爆" * 1000,
    "傻逼" * 3000,
    "今天不还就爆你通讯录" * 500,
    "\u0301" * 20 + "通讯录",
    "𠀀𠀁𠀂 通讯录 爆",
    "Ｔ Ｘ Ｌ 爆 你",
    "1" * 5000,
    "你" + "\n" * 2000 + "通讯录",
]


def _check(text: str, scanner: Scanner) -> None:
    result = scanner.scan(MessageInput(id="r", text=text))
    for d in [*result.detections, *result.reported]:
        assert 0 <= d.start <= d.end <= len(text)
        assert d.quote == text[d.start : d.end]
    result.public()


@pytest.mark.parametrize("text", ODD)
def test_odd_inputs(scanner: Scanner, text: str) -> None:
    _check(text, scanner)


def test_odd_inputs_in_one_batch(scanner: Scanner) -> None:
    results = scanner.scan_batch(MessageInput(id=str(i), text=t) for i, t in enumerate(ODD))
    assert [r.id for r in results] == [str(i) for i in range(len(ODD))]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=80))
def test_any_unicode(scanner: Scanner, text: str) -> None:
    _check(text, scanner)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.sampled_from(
            ["通讯录", "爆", "你", "家人", "不还就", "，", "\u200b", " ", "骗子", "通訊錄", "上门", "!"]
        ),
        max_size=30,
    )
)
def test_keyword_soup(scanner: Scanner, parts: list[str]) -> None:
    _check("".join(parts), scanner)


def test_one_megabyte_line_is_linear(scanner: Scanner) -> None:
    unit = "您的借款已逾期，今天不还就给你通讯录所有人发信息，你这个老赖。"
    small = unit * 2000
    big = unit * 32000  # about 1 MB of UTF-8
    start = time.process_time()
    _check(small, scanner)
    t_small = time.process_time() - start
    start = time.process_time()
    result = scanner.scan(MessageInput(id="big", text=big))
    t_big = time.process_time() - start
    assert "threat_to_contacts" in result.labels
    assert t_big < max(16 * 4 * t_small, 1.0), (t_small, t_big)  # 16x the text, far from 256x


def test_long_line_without_punctuation(scanner: Scanner) -> None:
    text = "爆你通讯录" * 50000
    start = time.process_time()
    result = scanner.scan(MessageInput(id="x", text=text))
    assert time.process_time() - start < 20
    assert "threat_to_contacts" in result.labels
    assert len([d for d in result.detections if d.label == "threat_to_contacts"]) <= scanner.max_per_label
