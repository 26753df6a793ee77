"""A collector who says the borrower "涉嫌" a crime makes a false legal threat, also when writing to
a contact or an employer about the borrower; a warning or a report that demands nothing does not."""

from __future__ import annotations

import pytest

from txlguard.detect import Scanner

LABEL = "false_legal_threat"


@pytest.mark.parametrize(
    ("text", "recipient"),
    [
        ("贵公司员工李某涉嫌网贷诈骗，请公司督促其尽快归还欠款。", "contact"),
        ("你表哥王某涉嫌恶意拖欠贷款，让他今天回电处理，否则后果自负。", "contact"),
        ("您好，你的欠款已经涉嫌恶意逃废债，今天必须还清。", "borrower"),
    ],
)
def test_a_crime_named_in_a_collection_message(rules_only: Scanner, text: str, recipient: str) -> None:
    assert LABEL in rules_only.scan_text(text, recipient).labels


@pytest.mark.parametrize(
    "text",
    [
        "谨防冒充网贷平台的诈骗电话，凡要求转账到个人账户的均涉嫌诈骗，请及时报警。",
        "一男子因涉嫌网贷诈骗被警方刑事拘留，警方提醒市民提高警惕。",
        "近期有中介以停息挂账为名收费，此类行为涉嫌诈骗，请通过官方渠道还款。",
        "所谓的反催收联盟教人逃废债，本身涉嫌违法，欠款还是要还清的。",
        # An office serving the reader as complainant, plaintiff or applicant.
        "【XX区公安分局】您报案的手机被盗一案已立案侦查，请保持电话畅通。",
        "【XX区人民法院】您起诉的借款合同纠纷一案已立案，案号(2025)京0105民初321号，请按时缴费。",
        "【XX市公安局出入境管理支队】您申请的护照已签发，可到窗口领取。",
    ],
)
def test_a_warning_or_a_report_is_not(rules_only: Scanner, text: str) -> None:
    assert LABEL not in rules_only.scan_text(text).labels


def test_a_lawyers_office_visit_is_not_the_police_station(rules_only: Scanner) -> None:
    assert LABEL not in rules_only.scan_text("您好，我是陈律师，材料整理好后周三下午来所里面谈。").labels
    assert LABEL in rules_only.scan_text("你明天来所里说清楚，不然就拘留你。").labels
    assert LABEL in rules_only.scan_text("明天来所里面谈，你已涉嫌诈骗罪，不来就直接拘留。").labels


def test_an_applicants_loan_is_not_the_reader_as_a_party(rules_only: Scanner) -> None:
    """Lenders write "您申请的借款" all the time: it does not clear a claim about the reader's case."""
    text = "您申请的借款已逾期60天，您的案子已经转到我们这里了，等着处理吧。"
    assert LABEL in rules_only.scan_text(text).labels


@pytest.mark.parametrize(
    "text",
    [
        "你涉嫌骗贷，逮捕令已签发，等着吧。",  # "已签发" is no sign of the reader as applicant
        "你说别再打扰你，好，那就等着坐牢吧。",
        "我是XX派出所民警，你明天来所里谈一下你的网贷问题。",  # 谈 alone: still the police station
    ],
)
def test_review_regressions_stay_false_legal_threats(rules_only: Scanner, text: str) -> None:
    assert LABEL in rules_only.scan_text(text).labels


def test_a_plaintiffs_case_in_the_courts_standard_phrasing(rules_only: Scanner) -> None:
    text = "【XX区人民法院】您起诉XX小贷公司一案已立案，案号（2024）京0105民初1234号。"
    assert LABEL not in rules_only.scan_text(text).labels
