"""CaseDetails from narratives: rates (annualised), 砍头息, contacts reached, dates, lender, licence."""

from __future__ import annotations

from datetime import date

import pytest

from txlguard.facts import extract_facts
from txlguard.facts.details import annualise
from txlguard.facts.numbers import parse_count, parse_number
from txlguard.taxonomy import FactCode


def details(text: str) -> dict[str, object]:
    return extract_facts(text, use_scanner=False).details.model_dump(exclude_none=True)


@pytest.mark.parametrize(
    ("token", "value"),
    [
        ("3000", 3000),
        ("1.5万", 15000),
        ("两万", 20000),
        ("两万五", 25000),
        ("一千五", 1500),
        ("三百五", 350),
        ("十二", 12),
        ("一百二十", 120),
        ("二三十", 20),
        ("三四", 3),
        ("七八十", 70),
        ("十几", 10),
        ("十一二", 11),
        ("几十", 20),
        ("数十", 20),
        ("上百", 100),
        ("一百多", 100),
        ("五十多", 50),
        ("三十余", 30),
    ],
)
def test_numbers_lower_bound(token: str, value: float) -> None:
    assert parse_number(token) == value


@pytest.mark.parametrize("token", ["", "几", "好几", "多", "abc", "很多"])
def test_vague_numbers_are_none(token: str) -> None:
    assert parse_count(token) is None


@pytest.mark.parametrize(
    ("value", "per", "unit", "annual"),
    [
        (5, "day", "permille", 182.5),  # 日息千分之五 = 0.5 %/day
        (5, "day", "permyriad", 18.25),  # 日息万分之五 = 0.05 %/day
        (0.1, "day", "percent", 36.5),
        (2, "month", "fen", 24.0),  # 月息2分
        (1.5, "month", "percent", 18.0),
        (3, "year", "fen", 30.0),  # 年息3分
        (8, "month", "li", 9.6),  # 月息8厘
        (24, "year", "percent", 24.0),
    ],
)
def test_annualise(value: float, per: str, unit: str, annual: float) -> None:
    assert annualise(value, per, unit) == pytest.approx(annual)


@pytest.mark.parametrize(
    ("text", "rate"),
    [
        ("这个平台年化24%。", 24),
        ("合同写的年化利率是23.9%。", 23.9),
        ("算下来年化超过了100%。", 100),
        ("日息千分之五，逾期还有罚息。", 182.5),
        ("日利率万分之五。", 18.25),
        ("月息2分，每月还利息。", 24),
        ("月利率1.5%。", 18),
        ("日息0.1%。", 36.5),
        ("合同上写年化7.2%，实际算下来年化48%。", 48),
        ("年化３６％。", 36),
    ],
)
def test_rates(text: str, rate: float) -> None:
    assert details(text)["annual_rate"] == pytest.approx(rate)


def test_rate_decides_illegal_debt() -> None:
    high = extract_facts("我在网贷平台借了钱，年化利率算下来有48%。", use_scanner=False)
    assert high.value(FactCode.ILLEGAL_DEBT) is True
    ok = extract_facts("银行的消费贷，年化利率7.2%，没有任何额外收费。", use_scanner=False)
    assert ok.value(FactCode.ILLEGAL_DEBT) is False
    unknown = extract_facts("年化18%。", use_scanner=False)  # lender and fees unknown: no verdict
    assert unknown.value(FactCode.ILLEGAL_DEBT) is None


@pytest.mark.parametrize(
    ("text", "upfront"),
    [
        ("借了3000元，到手只有2100元。", True),
        ("借款5000元，实际到账只有3500元。", True),
        ("借3000到手2400，说是扣了服务费。", True),
        ("借了2000元，到账2000元，没有扣费。", False),
        ("这笔借款有砍头息。", True),
    ],
)
def test_upfront_deduction(text: str, upfront: bool) -> None:
    assert details(text)["upfront_deduction"] is upfront
    if upfront:
        assert extract_facts(text, use_scanner=False).value(FactCode.ILLEGAL_DEBT) is True


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("他们给我通讯录里的二三十个人都打了电话。", 20),
        ("大概有五十多个联系人接到了催收电话，都是我通讯录里的。", 50),
        ("催收给我通讯录中约40名联系人发了短信。", 40),
        ("他们用我通讯录拉了一个群，里面有一百多人。", 100),
        ("我的一百多个联系人都收到了短信，全是通讯录里的。", 100),
    ],
)
def test_contacts_reached(text: str, count: int) -> None:
    assert details(text)["contacts_reached"] == count


@pytest.mark.parametrize(
    "text",
    [
        "他们给我的几个朋友打了电话。",  # vague
        "我们村的群里有几百个人。",  # not about the contact list
        "我十几年没联系的同学也接到了电话，是通讯录里的。",  # years, not people
    ],
)
def test_contacts_reached_not_guessed(text: str) -> None:
    assert "contacts_reached" not in details(text)


def test_dates() -> None:
    d = details("本人于2024年3月在某App借款，2024年5月起催收开始爆通讯录。")
    assert d["loan_date"] == date(2024, 3, 1)
    assert d["start"] == date(2024, 5, 1)
    r = details("从2023年10月到2024年2月，我一直被催收骚扰。")
    assert r["start"] == date(2023, 10, 1) and r["end"] == date(2024, 2, 1)
    iso = details("2024-06-15开始，他们每天打电话。")
    assert iso["start"] == date(2024, 6, 15)
    assert "start" not in details("2024年13月借的钱。") and "loan_date" not in details("2024年13月借的钱。")


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("本人在【速速花】借款5000元。", "速速花"),
        ("投诉对象：花花钱包。我在上面借了钱。", "花花钱包"),
        ("我在一个叫“钱多多”的平台借了钱。", "钱多多"),
        ("我在借呗上有一笔借款逾期。", "借呗"),
        ("本人在【閃電借】借了1500。", "閃電借"),  # the original spelling is kept
    ],
)
def test_lender_name(text: str, name: str) -> None:
    assert details(text)["lender_name"] == name


def test_lender_name_not_from_generic_words() -> None:
    assert "lender_name" not in details("【黑猫投诉】我在网上借了钱，在一个网贷App上借的。")


@pytest.mark.parametrize(
    ("text", "licensed"),
    [
        ("借款方是一家持牌的消费金融公司。", True),
        ("我借的是正规银行的贷款。", True),
        ("这个平台根本没有放贷资质。", False),
        ("他们是个地下钱庄。", False),
    ],
)
def test_lender_licensed(text: str, licensed: bool) -> None:
    assert details(text)["lender_licensed"] is licensed


def test_licence_not_read_from_bank_card() -> None:
    assert "lender_licensed" not in details("催收说要冻结我的银行卡。")


def test_publicly_spread() -> None:
    d = details("他们把我的欠款截图发到了我们公司的工作群里。")
    assert d["publicly_spread"] is True
