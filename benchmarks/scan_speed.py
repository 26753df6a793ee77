"""How fast is ``Scanner.scan_batch``? Compared with a bare pyahocorasick pass over the same texts.

Generates a realistic corpus (default 200,000 messages, 30–100 characters): mostly lawful
reminders from many templates, about 15 % problematic (threats, insults, impersonation, false
legal threats, disclosures to contacts), with random names, platforms, amounts, dates and phone
numbers, some in traditional characters or full-width forms. Then measures, on one core:

* ``scan_batch``: messages per second of the whole scanner (results built);
* the same without reusing the result of a message whose text and recipient equal an earlier
  one's in the same chunk (``Scanner.reuse_identical``) or whose text differs from an earlier one's
  only in its digits (``Scanner.reuse_templates``): what traffic of all-distinct texts gets;
* bare: ``automaton.iter`` over the same texts joined with the same separator (the scanner's own
  automaton), counting hits — the floor any Aho–Corasick-based scanner stands on;
* the ratio of the two, and the latency of single-message ``scan``.

Times are CPU times of this process (``time.process_time``) on one pinned core, so that other
work on a shared machine does not count against the scanner.

    python benchmarks/scan_speed.py [--n 200000] [--seed 7] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time

from txlguard.detect import MessageInput, Scanner
from txlguard.detect.automaton import encode

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉建国志文斌宇浩凯晨欣怡佳琪雪梅婷"
PLATFORMS = [
    "易融花",
    "随心贷",
    "拓天速贷",
    "九州宝",
    "翼龙贷",
    "闪电借",
    "米来花",
    "安心借",
    "速融",
    "好分期",
    "借呗呗",
    "钱多多",
]
RELATIONS = ["朋友", "同事", "儿子", "女儿", "老公", "老婆", "弟弟", "哥哥", "父亲", "母亲", "亲戚", "同学"]

LAWFUL = [
    "【{p}】尊敬的{n}，您的借款{a}元将于{d}到期，请按时还款。",
    "【{p}】尊敬的用户，您本期账单{a}元已出，最后还款日{d}，请保证银行卡余额充足。",
    "{n}先生/女士，您在{p}的借款已经逾期{k}天，请及时还款，以免影响个人信用！如已还清，请忽略。",
    "您有账单今天到期，为不影响征信，请及时操作处理。APP下载请关注微信公众号：{p}。如已还清，请忽略。",
    "亲爱的用户，您有账单今天到期，请及时操作处理。您还可以选择续期，请打开APP查看详情。",
    "【{p}】您的借款已逾期{k}天，逾期会产生罚息与违约金，请尽快还款。",
    "尊敬的客户，诚挚提醒您{d}是您的还款日，为避免影响您的个人信用记录，请及时还款。",
    "还款成功：尊敬的客户，本次还款成功，扣款金额为{a}元，请您知悉。",
    "您的订单已展期成功，新的截止日期为{d}。",
    "【{p}】您申请的{a}元借款已发放至您尾号{t}的银行卡，请注意查收。",
    "系统扣款失败：尊敬的客户，本次通过您绑定的银行卡自动扣款失败，请进入APP手动还款。",
    "您的借款即将到期，合同编号为{c}，逾期将会影响您的信用并产生额外利息，请及时登录APP进行还款。",
    "【{p}】{n}您好，您的借款已逾期{k}天，如有困难可联系客服协商还款方案，客服电话400-{t}-{t}。",
    "温馨提示：请在借款到期前保证卡内有足够余额，到期时会自动划扣卡内余额还款。",
    "【{p}】验证码{c}，您正在申请借款，请勿泄露给他人。",
    "{n}您好，这里是{p}客服中心，您的账单已逾期，请尽快处理，如已还款请忽略。",
    "【{p}】尊敬的{n}，您已超期{k}天，请于今日付清截至当期费用。如有疑虑请详询：021-{t}{t}。",
    "您的逾期信息将依法报送至金融信用信息基础数据库，请尽快还款以免影响您的信用。",
    "如您持续逾期，我司将依法提起诉讼，请您重视并尽快联系我们协商。",
    "尊敬的{n}，您的借款已逾期{k}天，应还{a}元，请及时还款。如您不是本人，请忽略本短信。",
    "【{p}】您的额度已提升至{a}元，快来APP查看吧！退订回T",
    "【{p}】恭喜您获得{k}元免息券，有效期至{d}，立即使用。",
    "{n}，您在{p}的分期账单本月应还{a}元，还款日{d}。",
    "您好，您的还款已到账，感谢您的配合，祝您生活愉快。",
    "尊敬的客户：您尾号{t}的账户{d}还款{a}元成功。",
    "请确保您预留的紧急联系人信息真实有效，如需修改请在APP中操作。",
    "【{p}】您的借款将在3天后到期，逾期会上报征信，请按时还款。",
    "【{p}】逾期{k}天，我司已将您的案件转入贷后管理，请尽快还款，如有疑问请联系客服。",
]

PROBLEM = [
    "今天不还就给你通讯录所有人发信息，{n}你自己看着办",
    "{n}，再不还款我们将联系你的家人和同事，让他们都知道你欠{p}{a}元不还。",
    "限你{k}小时内还款，否则爆通讯录，别怪我们没提醒你。",
    "把你的照片做成通缉令发到朋友圈，让你身败名裂，{n}你等着。",
    "你这个老赖，欠{p}的钱还有脸躲？赶紧还钱！",
    "找人上门收拾你，小心你的家人，{n}你最好今天把{a}元还上。",
    "我是{c}市公安局经侦大队的民警，你涉嫌恶意拖欠贷款，请立即还款。",
    "已对你立案，48小时内将被拘留，赶紧还清{p}的欠款。",
    "您是{n}的紧急联系人，他在{p}借款{a}元已逾期{k}天，请转告他尽快还款。",
    "你{r}在我们{p}借了{a}块钱不还，你让他今天之内还上。",
    "逾期不还，你将被列入征信黑名单，影响子女上学和政审。",
    "傻b，电话都不敢接？今天不还{a}就等着。",
    "你的欠款已经移交公安机关，经侦已经立案，{n}你等着坐牢吧。",
    "再不还钱就把你P成裸照发到你家族群里。",
    "通訊錄裡所有人明天都會收到你欠錢的消息，今天不還就等著吧。",
    "【{c}区人民法院】你的借款纠纷案件已立案，请于三日内还款，否则强制执行。",
]

NEGATIVE_HARD = [
    "催收说要把我照片发到群里，{p}这样合法吗？",
    "他威胁要爆我通讯录，欠了{p}{a}元，我该怎么办？",
    "我们不会联系你的家人，请你本人尽快处理{p}的欠款。",
    "谨防骗子冒充{p}工作人员收取费用，官方客服电话400-{t}-{t}。",
]


def person_name(rng: random.Random) -> str:
    """A Chinese name from 50 surnames and one or two of 48 given-name characters."""
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _fill(template: str, rng: random.Random) -> str:
    return template.format(
        n=person_name(rng),
        p=rng.choice(PLATFORMS),
        a=rng.choice((rng.randint(3, 99) * 100, rng.randint(500, 50000), round(rng.uniform(100, 9999), 2))),
        d=f"{rng.randint(2018, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        k=rng.randint(1, 90),
        t=f"{rng.randint(0, 9999):04d}",
        c=rng.randint(100000, 999999),
        r=rng.choice(RELATIONS),
    )


def corpus(n: int, seed: int = 7, problem_share: float = 0.15) -> list[MessageInput]:
    """``n`` messages: ~``problem_share`` problematic, ~3 % hard negatives, the rest lawful."""
    rng = random.Random(seed)
    out: list[MessageInput] = []
    for i in range(n):
        roll = rng.random()
        if roll < problem_share:
            text = _fill(rng.choice(PROBLEM), rng)
        elif roll < problem_share + 0.03:
            text = _fill(rng.choice(NEGATIVE_HARD), rng)
        else:
            text = _fill(rng.choice(LAWFUL), rng)
        recipient = "contact" if rng.random() < 0.02 else rng.choice(("borrower", "borrower", None))
        out.append(MessageInput(id=str(i), text=text, recipient=recipient))
    return out


def bare_pass(automaton: object, texts: list[str]) -> tuple[float, int]:
    """Seconds for joining the texts and one ``automaton.iter`` pass, and the number of hits."""
    start = time.process_time()
    joined = encode("\n".join(texts))  # the automaton runs on UTF-8 code units
    hits = 0
    for _end, value in automaton.iter(joined):  # type: ignore[attr-defined]
        if value is not None:  # frequency-ordering paths carry None and never match
            hits += 1
    return time.process_time() - start, hits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core

    msgs = corpus(args.n, args.seed)
    texts = [m.text for m in msgs]
    lengths = [len(t) for t in texts]
    print(
        f"corpus: {len(msgs):,} messages, {min(lengths)}–{max(lengths)} chars (mean {statistics.mean(lengths):.0f})"
    )

    t0 = time.perf_counter()
    scanner = Scanner()
    print(f"scanner built in {time.perf_counter() - t0:.2f} s")
    scanner.scan_batch(msgs[:2000])  # warm caches (law base, lexicon regexes)

    scan_times, distinct_times, bare_times = [], [], []
    flagged = hits = 0
    for _ in range(args.repeat):
        scanner.reuse_identical = scanner.reuse_templates = True
        scanner.clear_reuse()  # each run starts with nothing remembered from the one before
        start = time.process_time()
        results = scanner.scan_batch(msgs)
        scan_times.append(time.process_time() - start)
        flagged = sum(bool(r.labels) for r in results)
        scanner.reuse_identical = scanner.reuse_templates = False
        start = time.process_time()
        scanner.scan_batch(msgs)
        distinct_times.append(time.process_time() - start)
        seconds, hits = bare_pass(scanner.automaton, texts)
        bare_times.append(seconds)
    scanner.reuse_identical = scanner.reuse_templates = True
    scan_best, distinct_best, bare_best = min(scan_times), min(distinct_times), min(bare_times)
    unique = len({(m.text, m.recipient) for m in msgs})
    print(f"flagged: {flagged:,} messages ({flagged / len(msgs):.1%}); automaton hits: {hits:,}")
    print(f"distinct (text, recipient) pairs: {unique:,} ({unique / len(msgs):.0%})")
    print(f"scan_batch: {len(msgs) / scan_best:,.0f} messages/s ({scan_best:.3f} s)")
    print(
        f"scan_batch, no reuse of identical texts: {len(msgs) / distinct_best:,.0f} messages/s"
        f" ({distinct_best:.3f} s)"
    )
    print(f"bare pyahocorasick pass: {len(msgs) / bare_best:,.0f} messages/s ({bare_best:.3f} s)")
    print(f"ratio scan_batch / bare: {scan_best / bare_best:.2f}x")
    print(f"ratio scan_batch without reuse / bare: {distinct_best / bare_best:.2f}x")

    sample = msgs[:5000]
    scanner.clear_reuse()
    start = time.process_time()
    for m in sample:
        scanner.scan(m)
    per = (time.process_time() - start) / len(sample)
    print(f"single scan(): {per * 1e6:.1f} µs per message on average")


if __name__ == "__main__":
    main()
