"""Personal-data recognizers: validators with valid and invalid check digits, and their place in results."""

from __future__ import annotations

import pytest

from txlguard.detect import Scanner
from txlguard.detect.recognizers.personal_data import (
    AddressRecognizer,
    default_personal_recognizers,
    find_personal_data,
    id_check_digit,
    id_number_valid,
    landline_valid,
    luhn_valid,
    mobile_valid,
)

VALID_IDS = ["11010519491231002X", "110101199003077777", "440308199001011234"]


def _with_check(first17: str) -> str:
    return first17 + id_check_digit(first17)


def test_known_valid_id_numbers() -> None:
    assert id_number_valid("11010519491231002X")
    assert id_number_valid("11010519491231002x")
    built = _with_check("44030819900101123")
    assert id_number_valid(built)


@pytest.mark.parametrize(
    "value",
    [
        "110105194912310021",  # wrong check digit
        "11010519491331002X",  # month 13
        "00010519491231002X",  # no such province
        "1101051949123100",  # too short
        "1101051949123100XX",  # X in the middle
        "110105209912310020",  # born in the future
    ],
)
def test_invalid_id_numbers(value: str) -> None:
    assert not id_number_valid(value)


def test_every_wrong_check_digit_is_rejected() -> None:
    first17 = "32050219880815123"
    right = id_check_digit(first17)
    for digit in "0123456789X":
        assert id_number_valid(first17 + digit) == (digit == right)


@pytest.mark.parametrize("number", ["6222021001112223331", "4111111111111111", "6212261202011584340"])
def test_luhn_valid_cards(number: str) -> None:
    assert luhn_valid(number)


@pytest.mark.parametrize("number", ["6222021001112223338", "4111111111111112", "12ab"])
def test_luhn_invalid(number: str) -> None:
    assert not luhn_valid(number)


def test_phone_validators() -> None:
    assert mobile_valid("13812345678") and mobile_valid("8613812345678")
    assert not mobile_valid("12812345678") and not mobile_valid("1381234567")
    assert not mobile_valid("13800000000")
    assert landline_valid("01062345678") and landline_valid("075512345678")
    assert not landline_valid("4001508990")


@pytest.mark.parametrize(
    ("text", "label", "found"),
    [
        ("身份证号11010519491231002X请核实", "pi_id_number", "11010519491231002X"),
        ("身份证号110105194912310021请核实", "pi_id_number", None),
        ("还款卡号 6222 0210 0111 2223 331 已绑定", "pi_bank_card", "6222 0210 0111 2223 331"),
        ("卡号6222021001112223338", "pi_bank_card", None),
        ("他的手机138-1234-5678，打不通", "pi_phone", "138-1234-5678"),
        ("住宅电话010-62345678", "pi_phone", "010-62345678"),
        ("如有疑问请咨询021-60550260", "pi_phone", None),
        ("客服热线400-150-8990", "pi_phone", None),
        (
            "他家住在广东省深圳市南山区科技园路18号3栋1201室",
            "pi_address",
            "广东省深圳市南山区科技园路18号3栋1201室",
        ),
        ("他住在幸福村3组", "pi_address", "幸福村3组"),
        ("到期还款日2017-07-30，金额1002.0元", "pi_phone", None),
    ],
)
def test_find_personal_data(text: str, label: str, found: str | None) -> None:
    hits = [
        text[f.start : f.end]
        for f in find_personal_data(text, default_personal_recognizers())
        if f.label == label
    ]
    if found is None:
        assert hits == []
    else:
        assert hits == [found]


def test_full_width_digits_are_found_through_the_fold(scanner: Scanner) -> None:
    text = "您是张三的紧急联系人，他的手机１３８１２３４５６７８，他欠款未还"
    result = scanner.scan_text(text)
    phones = [d for d in result.detections if d.label == "pi_phone"]
    assert phones and phones[0].quote == "１３８１２３４５６７８"


def test_personal_data_is_never_a_label(scanner: Scanner) -> None:
    text = "您是李四的紧急联系人，他身份证11010519491231002X，卡号6222021001112223331，欠款5000元未还"
    result = scanner.scan_text(text)
    assert {"pi_id_number", "pi_bank_card"} <= {d.label for d in result.detections}
    assert result.labels == ["disclosure_to_third_party"]
    assert result.public()["labels"] == ["disclosure_to_third_party"]


def test_address_needs_more_than_a_city() -> None:
    assert AddressRecognizer().find("上海市浦东新区") == []
    assert AddressRecognizer().find("请到市场买菜") == []


@pytest.mark.parametrize(
    "text",
    [
        "我们不会把您的欠款告诉您的紧急联系人，如有疑问请拨打13800138000。",  # negated
        "您是张三的担保人，他的手机13800138000，他在我司的借款已逾期，根据担保合同请您督促还款。",  # lawful
    ],
)
def test_no_personal_data_where_nothing_unlawful_was_said(scanner: Scanner, text: str) -> None:
    """Personal data shows what was disclosed or threatened: not looked for beside a reading that is
    negated or lawful (a phone number alone, with no label, would only confuse a report)."""
    result = scanner.scan_text(text)
    assert result.labels == [] and result.detections == []
    assert scanner.scan_text(text, recipient="contact").detections  # to a contact it is looked for
