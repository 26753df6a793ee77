"""Impersonation needs a collection message: an office writing about something else is not one, and
a genuine notice's marks keep both the rules and the learned tier quiet."""

from __future__ import annotations

import pytest

from txlguard.detect import Scanner
from txlguard.detect.lexicon import Lexicon, LexiconError, LexiconFile, load_lexicon
from txlguard.detect.recognizers import ImpersonationRecognizer
from txlguard.detect.view import MessageView

from .test_learned import tiny_tier

LABEL = "impersonation"


@pytest.mark.parametrize(
    "text",
    [
        "【XX市公安局XX分局】您的往来台湾通行证已签发，可到出入境大厅领取或选择邮寄。",
        "这里是XX区公安分局，请您本周内到户籍窗口办理居住证。",
        "【XX区人民法院】您被确定为本年度人民陪审员候选人，请按时参加培训。",
        "【XX区人民法院】您作为证人需于周五下午出庭作证，如有困难请联系法官助理。",
        "【XX律师事务所】专业处理婚姻家事纠纷，首次咨询免费，回T退订。",
        # A village committee's own name is no coercion of its own.
        "我是村委会的，你在平台的借款早点还了吧。",
    ],
)
def test_an_office_without_a_collection_threat_is_not_impersonation(rules_only: Scanner, text: str) -> None:
    assert LABEL not in rules_only.scan_text(text).labels


@pytest.mark.parametrize(
    "text",
    [
        "这里是XX区公安分局，你的网贷逾期未还，请本周内到分局说明情况。",
        "这里是XX派出所，你的网贷逾期了，今天不还清我们就上门抓人。",
        "你好，市公安局的，你朋友王某欠款不还涉嫌诈骗，让他马上回电。",
        "【人社局通知】你的网贷逾期未还，名下社保账户即将冻结。",
        "三天内还清欠款，否则后果自负。——刑侦大队 赵警官",
        "【执法通知】你的欠款已移交处理，今天不还明天上门。",
    ],
)
def test_an_office_in_a_collection_message_is_impersonation(rules_only: Scanner, text: str) -> None:
    assert LABEL in rules_only.scan_text(text).labels


def test_a_rule_with_message_has_needs_that_category_somewhere_in_the_message() -> None:
    spec = load_lexicon(LABEL).spec.model_copy(deep=True)
    rule = next(r for r in spec.rules if r.id == "self_identified")
    assert rule.message_has == ["collection_context"]
    loose = rule.model_copy(update={"message_has": []})
    spec.rules = [loose]
    recognizer = ImpersonationRecognizer(Lexicon(LexiconFile.model_validate(spec.model_dump()), "test"))
    scanner = Scanner(learned=False)
    text = scanner.fold.apply("这里是XX区公安分局，请您本周内办理居住证。")
    view = MessageView(text, scanner._hits(text), scanner.context, scanner.cues)
    assert [f.rule for f in recognizer.analyze(view)] == ["self_identified"]
    strict = ImpersonationRecognizer()
    assert [f for f in strict.analyze(view) if f.voice == "direct"] == []


@pytest.mark.parametrize(
    "text",
    [
        "【XX区人民调解委员会】您与某贷款公司的借款纠纷已申请调解，调解以自愿为原则，可委托代理人。",
        "本所受XX公司委托函告：请于十五日内归还借款，否则将代委托人提起民事诉讼。——XX律师事务所 律师 钱某（执业证号11101201000000）",
    ],
)
def test_a_genuine_notice_keeps_the_learned_tier_quiet(text: str) -> None:
    """The rules read it as lawful and say so; a model that would flag it adds nothing."""
    gram = "调解" if "调解" in text else "律师"
    scanner = Scanner(learned=tiny_tier(gram, LABEL))
    result = scanner.scan_text(text)
    assert LABEL not in result.labels
    folded = scanner.fold.apply(text)
    view = MessageView(folded, scanner._hits(folded), scanner.context, scanner.cues)
    voices = {f.voice for f in ImpersonationRecognizer().analyze(view)}
    assert voices == {"conditional_lawful"}


def test_a_collector_behind_an_official_channel_gets_no_lawful_reading() -> None:
    text = "本短信由XX法院送达平台发送：你已被列为失信被执行人，请立即联系催收员还款。"
    scanner = Scanner(learned=tiny_tier("送达平台", LABEL))
    assert LABEL in scanner.scan_text(text).labels


@pytest.mark.parametrize(
    "text",
    [
        # No debt word: the collector says "那笔钱", "你的事", "处理一下".
        "我是XX律所的律师，你那笔钱拖了三个月了，今天再不处理我们就去你家里谈。",
        "我是XX区法院的，你表弟的事他再不处理，我们就去他单位，你让他回个电话。",
        # A genuine notice's wording copied into a threat.
        "【XX区人民法院】你的借款纠纷已立案，可委托代理人到庭，今天不还清明天就来抓你。",
        "【XX调解中心】你的网贷欠款已转入调解，调解以自愿为原则，但今天不还就通知你所有联系人。",
        "我是XX律所的律师，委托人要求你今天还清，不然明天我们就去你单位找你领导。",
        "【XX市公安局】您发来的截图不对，你的网贷今天不还清就拘留你。",
        "你的欠款今天必须还清，否则后果自负，委托人已授权我所处理。——XX律师事务所 王律师",
    ],
)
def test_a_collector_copying_a_genuine_notice_is_still_impersonation(rules_only: Scanner, text: str) -> None:
    assert LABEL in rules_only.scan_text(text).labels


@pytest.mark.parametrize(
    "text",
    [
        "你再不还钱，咱们法院上见，诉讼费也由你承担。",
        "我们派出所接到你的报警了，借款纠纷属于民事纠纷，建议你们协商或者到法院起诉。",
        "【XX市税务局】您的个人所得税需补缴215元，逾期未缴将按规定加收滞纳金。",
        "【XX社区居委会】本周六开展防范非法网贷宣传活动，欢迎居民参加。",
        "【还款计划执行通知】您的分期将于15日自动扣款，请保证卡内余额充足。",
        "我是网格员小李，您家今年的医保还没交，欠费将影响报销，请尽快缴纳。",
        "王女士，关于您被催收骚扰的事，材料已收到，下周一给您回复。——李律师",
    ],
)
def test_real_offices_and_lawyers_with_money_matters_are_not(text: str) -> None:
    for scanner in (Scanner(learned=False), Scanner()):
        assert LABEL not in scanner.scan_text(text).labels, text


@pytest.mark.parametrize(
    "text",
    [
        "您好，您的报警我们已收到，我们警方已经联系了该平台，要求其停止催收骚扰。",
        "您好，法院的，您那个借款纠纷的调解书已经出来了，明天带身份证来领。",
        "我是网格员小王，您家的社保卡年审今天最后一天，不处理的话社保卡会暂停使用。",
        "【XX区税务局】您的社保费已欠缴两个月，欠缴期间医保待遇暂停，请于月底前处理。",
        "您好，我是XX律师事务所李律师，执业证号11101201510123456，您反映的催收人员给您家人打电话一事已整理好证据。",
    ],
)
def test_real_police_courts_offices_and_lawyers_speaking_for_the_reader(text: str) -> None:
    assert LABEL not in Scanner(learned=False).scan_text(text).labels


def test_a_repayment_deadline_in_days_voids_the_lawful_reading_of_a_case_number() -> None:
    text = "【XX区人民法院】（2024）京0105民初1234号：你名下网贷逾期未还，请三日内还清欠款。"
    assert LABEL in Scanner(learned=tiny_tier("网贷", LABEL)).scan_text(text).labels
    genuine = "【XX区人民法院】（2024）京0105民初1234号：你与XX公司借款合同纠纷一案定于下周一开庭。"
    assert LABEL not in Scanner(learned=tiny_tier("开庭", LABEL)).scan_text(genuine).labels


def test_a_readers_question_whether_a_message_is_real_is_no_impersonation() -> None:
    text = "请问：有人发短信说“我是XX公安局经侦大队的，你涉嫌诈骗已立案”，这是真的假的？"
    assert LABEL not in Scanner(learned=tiny_tier("经侦", LABEL)).scan_text(text).labels


def test_an_hours_deadline_and_a_direct_freeze_beat_a_case_number(rules_only: Scanner) -> None:
    text = "【XX区人民法院】案号(2024)粤0305民初1234号，请于24小时内联系书记员处理，逾期将直接强制执行。"
    assert LABEL in rules_only.scan_text(text).labels


@pytest.mark.parametrize(
    ("text", "quote"),
    [
        ("这里是pai chu suo，你的网贷今天不还清就拘留你。", "pai chu suo"),
        ("我是 lv shi，你的欠款已经移交了，等着坐牢。", "lv shi"),
        ("这里是zhixingju，你的网贷今天不还清就查封你的房子。", "zhixingju"),
    ],
)
def test_offices_spelled_in_pinyin(rules_only: Scanner, text: str, quote: str) -> None:
    result = rules_only.scan_text(text)
    assert LABEL in result.labels
    assert any(quote in d.quote for d in result.detections if d.label == LABEL)


def test_lifted_by_adds_the_rule_without_its_vetoes_when_the_lifting_category_occurs() -> None:
    rule = next(r for r in load_lexicon(LABEL).spec.rules if r.id == "signature")
    assert rule.lifted_by == {"coercion": ["official_notice"]}
    rules = {r.id: r for r in load_lexicon(LABEL).rules}
    lifted = rules["signature+coercion"]
    assert lifted.message_has == [*rule.message_has, "coercion"]
    assert "official_notice" not in lifted.message_lacks and "help_or_warning" in lifted.message_lacks
    assert lifted.confidence == pytest.approx(rule.confidence - rule.lifted_confidence_drop)
    assert lifted.lifted_by == {}


def test_lifted_by_may_only_name_vetoes_of_the_rule() -> None:
    spec = load_lexicon(LABEL).spec.model_copy(deep=True)
    rule = next(r for r in spec.rules if r.id == "signature")
    spec.rules = [rule.model_copy(update={"lifted_by": {"coercion": ["court_process"]}})]
    with pytest.raises(LexiconError, match=r"signature.*court_process"):
        Lexicon(LexiconFile.model_validate(spec.model_dump()), "test")


def test_a_genuine_mark_excuses_a_fake_notice_only_while_it_does_not_coerce() -> None:
    """Without ``lifted_by`` a pasted case number would clear a coercive fake notice."""
    text = "【朝阳区人民法院】(2024)京0105民初1234号：你拖欠借款，今天不还明天带人上门拘传。"
    spec = load_lexicon(LABEL).spec.model_copy(deep=True)
    spec.rules = [r.model_copy(update={"lifted_by": {}}) for r in spec.rules]
    unlifted = ImpersonationRecognizer(Lexicon(LexiconFile.model_validate(spec.model_dump()), "test"))
    scanner = Scanner(learned=False)
    folded = scanner.fold.apply(text)
    view = MessageView(folded, scanner._hits(folded), scanner.context, scanner.cues)
    assert not [f for f in unlifted.analyze(view) if f.voice == "direct"]
    found = [f for f in ImpersonationRecognizer().analyze(view) if f.voice == "direct"]
    assert found and all("+coercion" in f.rule for f in found)
    assert LABEL in scanner.scan_text(text).labels
