"""Answers as borrowers type them, read into stored values, with Chinese messages for the rest."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from txlguard.interview import default_question_book
from txlguard.interview.answers import AnswerError, coerce_answer, format_answer, parse_answer

Q = default_question_book().questions


@pytest.mark.parametrize(
    ("key", "typed", "stored"),
    [
        ("threats", "是", True),
        ("threats", "有过。", True),
        ("threats", "Ｙ", True),
        ("threats", "没有", False),
        ("threats", "n", False),
        ("threats", "不知道", None),
        ("threats", "不清楚", None),
        ("lender_licensed", "1", True),
        ("lender_licensed", "消费金融", True),
        ("lender_licensed", "4", False),
        ("lender_licensed", "5", None),
        ("lender_licensed", "不清楚", None),
        ("loan_principal", "3000", 3000.0),
        ("loan_principal", "3,000元", 3000.0),
        ("loan_principal", "1.5万", 15000.0),
        ("loan_principal", "大约三千块左右", 3000.0),
        ("loan_term_days", "30天", 30),
        ("loan_term_days", "3个月", 90),
        ("loan_term_days", "两周", 14),
        ("loan_term_days", "1年", 365),
        ("contacts_reached", "二三十个", 20),
        ("annual_rate", "36%", 36.0),
        ("annual_rate", "年化 24％", 24.0),
        ("annual_rate", "百分之三十六", 36.0),
        ("annual_rate", "日息千分之五", 182.5),
        ("annual_rate", "月息2分", 24.0),
        ("loan_date", "2025-03-01", "2025-03-01"),
        ("loan_date", "2025/3/1", "2025-03-01"),
        ("loan_date", "2025年3月1日", "2025-03-01"),
        ("loan_date", "2025年3月", "2025-03-01"),
        ("lender_name", "  某某贷 ", "某某贷"),
        ("lender_name", "不知道", None),
    ],
)
def test_typed_answers(key: str, typed: str, stored: Any) -> None:
    value = parse_answer(Q[key], typed)
    assert value == stored and type(value) is type(stored)


@pytest.mark.parametrize(
    ("key", "typed", "message"),
    [
        ("threats", "也许吧", "请回答“是”“否”或“不知道”"),
        ("threats", "   ", "请输入回答"),
        ("lender_licensed", "9", "请输入 1 到 5 之间的序号"),
        ("lender_licensed", "持牌", "都符合，请输入序号"),
        ("lender_licensed", "信用社", "请输入选项的序号或名称"),
        ("loan_principal", "很多钱", "请输入一个数字"),
        ("loan_principal", "-300", "不能为负数"),
        ("loan_term_days", "0天", "应大于 0"),
        ("loan_term_days", "1.5天", "请输入整数"),
        ("annual_rate", "很高", "没看懂这个利率"),
        ("loan_date", "上个月", "请按 年-月-日 写日期"),
        ("loan_date", "2025-02-30", "没有这一天"),
        ("loan_date", (date.today() + timedelta(days=2)).isoformat(), "日期不能晚于今天"),
        ("lender_name", "贷" * 101, "不超过100个字"),
    ],
)
def test_bad_answers_say_in_chinese_what_to_write(key: str, typed: str, message: str) -> None:
    with pytest.raises(AnswerError) as bad:
        parse_answer(Q[key], typed)
    assert message in bad.value.message_zh


def test_answers_from_a_file_take_json_values_or_typed_text() -> None:
    assert coerce_answer(Q["threats"], True) is True
    assert coerce_answer(Q["threats"], "否") is False
    assert coerce_answer(Q["threats"], None) is None
    assert coerce_answer(Q["lender_licensed"], False) is False
    assert coerce_answer(Q["loan_principal"], 3000) == 3000.0
    assert coerce_answer(Q["loan_term_days"], 30.0) == 30
    for key, raw in [
        ("threats", 1),
        ("loan_term_days", 2.5),
        ("loan_principal", True),
        ("loan_date", [2025]),
    ]:
        with pytest.raises(AnswerError):
            coerce_answer(Q[key], raw)
    with pytest.raises(AnswerError, match="不能为负数"):
        coerce_answer(Q["contacts_reached"], -1)


def test_stored_values_read_back_as_said() -> None:
    assert format_answer(Q["threats"], True) == "是"
    assert format_answer(Q["threats"], None) == "不知道"
    assert format_answer(Q["lender_licensed"], False) == "确认没有放贷牌照的平台或个人"
    assert format_answer(Q["loan_principal"], 3000.0) == "3000元"
    assert format_answer(Q["loan_term_days"], 30) == "30天"
    assert format_answer(Q["annual_rate"], 182.5) == "年化182.5%"
