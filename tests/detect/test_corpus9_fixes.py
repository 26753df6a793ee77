"""What corpora 9 (evasion, chat style) and 10 (contacts, reported speech) showed: relatives and
friends read as collectors, quoted threats, lawful statements about a lawsuit, and words missed."""

from __future__ import annotations

import pytest

from txlguard.detect import Scanner
from txlguard.detect.view import MessageView

from .test_learned import tiny_tier


@pytest.mark.parametrize(
    ("text", "recipient", "label"),
    [
        # A mother or a wife writing to the borrower about a collector's call: the kin word opens
        # the message as an address, not as someone to be contacted.
        (
            "妈妈，今天有个人打电话给我，说你欠了钱，还说不还就来家里找我们，你回个电话。",
            "borrower",
            "threat_to_contacts",
        ),
        ("老婆，催收又打到我单位了，说你再不还就去你们公司闹，怎么办？", "borrower", "threat_to_contacts"),
        # The borrower or a relative warning their own people, or answering the collector.
        (
            "各位朋友，最近可能有人打电话找你们说我欠钱，请不要理会，我会自己处理。",
            "contact",
            "threat_to_contacts",
        ),
        (
            "各位亲戚，我女儿借网贷的事给大家添麻烦了，有人打电话来请不要理会。",
            "contact",
            "disclosure_to_third_party",
        ),
        # A courier or a friend asking a contact to pass a message on.
        (
            "您好，我是顺丰快递，张强的快件派送不成功，麻烦您转告他联系我。",
            "contact",
            "disclosure_to_third_party",
        ),
        # Abuse of lenders by an angry borrower.
        ("你们这帮放高利贷的人渣，有本事去告我啊！", "unknown", "insult"),
        # The reader's own posts.
        ("欠钱不还还有脸天天发朋友圈晒旅游。", "borrower", "threat_of_exposure"),
        # A lender's own civil suit told as it is, and a restriction only after a judgment.
        ("我司已向法院提交起诉材料，待法院立案后会依法通知您。", "borrower", "false_legal_threat"),
        ("判决生效后您仍不履行的，才可能被列为失信被执行人并限制高消费。", "borrower", "false_legal_threat"),
        ("判决书下来后您仍不履行的，法院可以强制执行。", "borrower", "impersonation"),
        # A collector saying what it has no power to do.
        ("我们是催收公司，没有权利抓你，但欠款总要还。", "borrower", "false_legal_threat"),
        # The person who cannot be reached is the borrower, not someone to be contacted.
        ("阿姨您好，就是联系不上您女儿，您见到她让她回个电话就行。", "contact", "threat_to_contacts"),
        # A court's notice of a civil case with its case number.
        (
            "【某区人民法院】原告某消费金融公司诉你借款合同纠纷一案已立案，案号(2025)沪0101民初456号，请登录平台查看。",
            "borrower",
            "false_legal_threat",
        ),
        # Everyday text with words that threats use.
        ("我们承诺不会联系您的家人，只要您配合提供材料即可办理延期。", "borrower", "threat_to_contacts"),
        ("你别担心，欠网贷不会坐牢的，只要慢慢还就行。", "borrower", "false_legal_threat"),
        ("您的车辆占用消防通道，请立即挪车，否则我们将通知物业处理。", "borrower", "threat_to_contacts"),
        ("【滴滴出行】夜间行程信息将同步给您的紧急联系人。", "borrower", "threat_to_contacts"),
        ("你外公的坟头草都长高了，清明记得回来扫墓。", "borrower", "threat_of_violence"),
        ("景区那几家店专门斩你们这些外地游客，别去买。", "borrower", "threat_of_violence"),
        ("下雨路滑，出门小心仆街。", "borrower", "insult"),
        ("这事不干你娘的事，别操心了。", "borrower", "insult"),
        ("最近网上骗子很多，尤其是老赖转移财产的情况要注意。", "borrower", "insult"),
    ],
)
def test_lawful_readings(rules_only: Scanner, text: str, recipient: str, label: str) -> None:
    assert label not in rules_only.scan_text(text, recipient=recipient).labels  # type: ignore[arg-type]


def test_not_a_promise_alone(rules_only: Scanner) -> None:
    assert "threat_to_contacts" not in rules_only.scan_text("我们承诺不会联系您的家人，请放心。").labels
    assert "threat_of_violence" not in rules_only.scan_text("这是我们家的事，你们都得死心吧。").labels
    assert "insult" in rules_only.scan_text("欠网贷的畜生，还不还钱？").labels  # the borrower, not the lender


def test_a_threat_quoted_by_the_reader_is_reported_and_keeps_the_learned_tier_quiet() -> None:
    """The 你 inside the quotation addresses the person quoted: the rules read the threat as
    reported, so a model that flags the words adds no label of its own."""
    text = "催收今天又打电话，说“你不还我们就联系你通讯录”，我已经录音准备投诉。"
    scanner = Scanner(learned=tiny_tier("通讯录", "threat_to_contacts"))
    result = scanner.scan_text(text)
    assert "threat_to_contacts" not in result.labels
    assert [d.label for d in result.reported] == ["threat_to_contacts"]


def test_a_lawful_rule_records_a_lawful_reading(rules_only: Scanner) -> None:
    """A rule with ``lawful: true`` gives no label; its finding is ``conditional_lawful``."""
    text = rules_only.fold.apply("我们已经向法院提交了起诉材料，等立案后法院会通知你。")
    view = MessageView(text, rules_only._hits(text), rules_only.context, rules_only.cues, "borrower")
    recognizer = next(r for r in rules_only.registry.recognizers if r.label == "false_legal_threat")
    findings = recognizer.analyze(view)
    assert [(f.rule, f.voice) for f in findings] == [("civil_case_filed", "conditional_lawful")]
    scanner = Scanner(learned=tiny_tier("立案", "false_legal_threat"))
    assert "false_legal_threat" not in scanner.scan_text(text).labels
    # The same words with a criminal threat are no lawful statement.
    assert "false_legal_threat" in rules_only.scan_text("已向法院提交起诉材料，立案后你就等着坐牢吧。").labels


def test_a_kin_word_list_at_the_start_is_still_a_target(rules_only: Scanner) -> None:
    assert "threat_to_contacts" in rules_only.scan_text("老婆，孩子都会接到电话，你今天不还就等着。").labels
    # An address followed by a threat to someone else is a threat too.
    assert "threat_to_contacts" in rules_only.scan_text("儿子，今天不还钱，我们就打给你爸妈。").labels


@pytest.mark.parametrize(
    ("text", "recipient", "label"),
    [
        # A collector's own words must not read as a relative's warning or as a lawful statement.
        ("你在我平台借了5000块，今天不还，我们就打给你老婆和你单位领导。", "borrower", "threat_to_contacts"),
        ("别再直接挂掉电话，今天不还我们就打你家人电话。", "borrower", "threat_to_contacts"),
        (
            "各位亲友，张三欠我司3万元拒不还款，给大家添麻烦了，请督促他还款。",
            "contact",
            "disclosure_to_third_party",
        ),
        ("你的“传票”已经下来了，明天不还钱就等着。", "borrower", "impersonation"),
        ("再不还，我们天天发朋友圈，把你欠钱的事公之于众。", "borrower", "threat_of_exposure"),
        ("再不还，我们就联系你朋友圈每一个人，让大家评评理。", "borrower", "threat_to_contacts"),
        ("判了还不履行，就进公安黑名单，全国联网，到哪都查得到。", "borrower", "false_legal_threat"),
        ("我们已经申请立案了，你马上就会被传唤。", "borrower", "false_legal_threat"),
        ("天天被催收的老赖，还有脸不接电话？", "borrower", "insult"),
        ("你这种撸网贷的畜生，活该被追。", "borrower", "insult"),
        ("你没资格讨价还价 小心你的腿", "borrower", "threat_of_violence"),
        # What collectors write too: a taunt about the police, evidence kept, a private lender.
        ("有本事你赶紧报警，明天我们照样去找你领导和同事。", "borrower", "threat_to_contacts"),
        (
            "你的聊天记录我们已经截图保存，今天不还就把你的照片发到你家族群。",
            "borrower",
            "threat_of_exposure",
        ),
        (
            "你别再打我们客服电话投诉了，再投诉就把你欠钱的事发到你家族群里。",
            "borrower",
            "threat_to_contacts",
        ),
        ("我哥们借钱给你这么久，今天不还，我就把你欠钱的事告诉你爸妈。", "borrower", "threat_to_contacts"),
        # A rhetorical "you think we cannot reach them?".
        ("你以为换了号码我们就联系不上你的家人了？明天就上门拜访他们。", "borrower", "threat_to_contacts"),
        # Only a lender who is the noun of the insult is its target.
        ("你这个专骗网贷公司的老赖，赶紧还钱！", "borrower", "insult"),
        ("干你娘家祖宗十八代，今天再不还钱你试试看。", "borrower", "insult"),
        # A case number does not excuse a demand to pay.
        (
            "你的网贷案（2024）川0107执恢88号已立案，今天不打款明天派人去你单位执行。",
            "borrower",
            "false_legal_threat",
        ),
        # Words of threats and abuse.
        ("借钱不还，你们全家都得死。", "borrower", "threat_of_violence"),
        ("信不信我揾人斬你。", "borrower", "threat_of_violence"),
        ("不还钱？明天就去你店里淋红油。", "borrower", "threat_of_violence"),
        ("再拖下去，你坟头草都长出来了。", "borrower", "threat_of_violence"),
        ("你个仆街，借钱唔还。", "borrower", "insult"),
        ("幹你娘，電話都不接。", "borrower", "insult"),
        ("Ｎｉ ｍａ ｄｅ，电话都不接。", "borrower", "insult"),
        ("大家注意，他就是个老·赖，借钱不还。", "borrower", "insult"),
        ("如您继续拒绝沟通，我司将把您的欠款信息同步至您的微信好友。", "borrower", "threat_to_contacts"),
        ("我们不会联系你的家人，前提是你今天把钱还了。", "borrower", "threat_to_contacts"),
    ],
)
def test_threats_found(rules_only: Scanner, text: str, recipient: str, label: str) -> None:
    assert label in rules_only.scan_text(text, recipient=recipient).labels  # type: ignore[arg-type]


def test_a_case_number_does_not_excuse_a_demand_to_pay(rules_only: Scanner) -> None:
    demand = "你的欠款案件已立案，案号(2025)沪0101民初456号，今日内将欠款转入指定账户。"
    assert "false_legal_threat" in rules_only.scan_text(demand, recipient="borrower").labels
    notice = "你的欠款案件已立案，案号(2025)沪0101民初456号，请登录平台查看。"
    assert "false_legal_threat" not in rules_only.scan_text(notice, recipient="borrower").labels


def test_a_failed_contact_is_still_a_condition_for_a_threat(rules_only: Scanner) -> None:
    assert "threat_to_contacts" in rules_only.scan_text("联系不上你，我们就联系你的家人。").labels
    assert "threat_to_contacts" in rules_only.scan_text("你有本事去报警啊，明天就给你家人打电话。").labels


def test_a_forum_post_quoting_a_text_message_is_reported(rules_only: Scanner) -> None:
    result = rules_only.scan_text("今天收到一条短信“你再不还款就通知你家人和单位”，大家遇到过吗？")
    assert "threat_to_contacts" not in result.labels
    assert "threat_to_contacts" in [d.label for d in result.reported]


def test_a_lawful_reading_of_one_sentence_leaves_the_learned_tier_the_others() -> None:
    text = "我司已向法院提起诉讼，立案后法院会通知你。你的支付宝马上会被封，名下银行卡全部用不了。"
    flagged_elsewhere = Scanner(learned=tiny_tier("支付宝", "false_legal_threat")).scan_text(text)
    assert "false_legal_threat" in flagged_elsewhere.labels
    flagged_there = Scanner(learned=tiny_tier("起诉", "false_legal_threat")).scan_text(text)
    assert "false_legal_threat" not in flagged_there.labels


def test_a_lawful_restriction_does_not_cover_invented_ones_in_its_sentence() -> None:
    """The rules read neither reading (the invented ones are vetoed by the lawful words), so the
    model's label stands."""
    text = "经法院判决后你会被列为失信被执行人，你的微信支付宝都会被永久封掉，手机号也会被注销。"
    assert "false_legal_threat" in Scanner().scan_text(text, recipient="borrower").labels


def test_half_pinyin_contact_list(rules_only: Scanner) -> None:
    assert (
        "threat_to_contacts" in rules_only.scan_text("今天不还就爆你tong讯录。", recipient="borrower").labels
    )
    assert "threat_to_contacts" in rules_only.scan_text("再不还钱就爆tong讯录。", recipient="borrower").labels
    assert "threat_to_contacts" in rules_only.scan_text("不还就爆你的 tong 讯录", recipient="borrower").labels
