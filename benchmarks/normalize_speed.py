"""Speed of ``txlguard.text.normalize`` / ``normalize_many`` on generated collection messages.

Run: ``python benchmarks/normalize_speed.py [--count 100000] [--batch 1000] [--runs 5]``.
Prints µs per message for (a) plain lawful reminders, (b) messages with evasions
(spacers, pinyin, traditional characters, emoji, zero-width characters, full-width letters),
and (c) a realistic mix (95 % a, 5 % b), for ``normalize`` called per message and for
``normalize_many`` on batches. Times are CPU time of this process (``time.process_time``) on
one pinned core, best of ``--runs``, so that other load on the machine disturbs them less.
"""

from __future__ import annotations

import argparse
import os
import random
import time
from collections.abc import Callable, Sequence

from txlguard.text import normalize, normalize_many

PLATFORMS = ["随心贷", "易融花", "翼龙贷", "闪电借款", "好分期", "速借宝"]
NAMES = ["张三", "李四", "王五", "赵六", "刘女士", "陈先生", "{name}", "XXX"]
PLAIN = [
    "【{p}】尊敬的{n}，您的借款已逾期{d}天，请于今日{h}点前还款{a}元，以免影响个人征信。如已还清，请忽略。",
    "{n}您好，您在{p}的账单今天到期，应还金额{a}元，请登录APP及时还款，详询：021-{tel}。",
    "【{p}】亲爱的用户，您有一笔{a}元的借款将于{m}月{d}日到期，请保持账户余额充足，感谢您的配合！",
    "{n}先生/女士，您在{p}的借款已经逾期{d}天，请及时还款，以免影响个人信用！可打开APP查看详情。",
    "您好，这里是{p}客服中心，您的还款日为2024-{m}-{d}，如有疑问请致电400-{tel}，谢谢。",
    "【{p}】温馨提示：您本期账单{a}元已生成，最后还款日{m}月{d}日。退订回T",
]
EVASION = [
    "再不还钱就把你的通 讯 录全部打一遍，{n}你等着",
    "{n}，今天不还就爆你txl，你的家人朋友都会知道",
    "我们是cs公司的，你的tong xun lu我们都有，{a}元今天必须处理",
    "逾期{d}天了，再不还，通*讯*录里每个人都会收到你的照片",
    "你這個老賴，再不還錢就聯系你的通訊錄，讓所有人知道",
    "{n}你个sb，欠钱不还，通😡讯😡录等着被爆吧",
    "通\u200b讯\u200b录已经整理好了，今天{h}点前不还款就群发",
    "ＴＸＬ已导出，{n}，最后通牒，{a}元",
    "你的通.讯.录我们已经拿到，不还就发给你jiaren",
    "再拖就找你 家 人 和 单 位，{p}不是吃素的",
]


def fill(template: str, rng: random.Random) -> str:
    return template.format(
        p=rng.choice(PLATFORMS),
        n=rng.choice(NAMES),
        d=rng.randint(1, 90),
        h=rng.randint(9, 18),
        a=f"{rng.randint(300, 20000)}.{rng.randint(0, 99):02d}",
        m=rng.randint(1, 12),
        tel=rng.randint(10000000, 99999999),
    )


def generate(templates: Sequence[str], count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return [fill(rng.choice(templates), rng) for _ in range(count)]


def best_of(runs: int, func: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(runs):
        t0 = time.process_time()
        func()
        best = min(best, time.process_time() - t0)
    return best


def measure(name: str, messages: list[str], batch: int, runs: int) -> None:
    per_message = best_of(runs, lambda: [normalize(m) for m in messages])
    batches = [messages[i : i + batch] for i in range(0, len(messages), batch)]
    batched = best_of(runs, lambda: [normalize_many(b) for b in batches])
    count = len(messages)
    mean_len = sum(map(len, messages)) / count
    print(
        f"{name:<28} {count:>7} msgs, {mean_len:5.1f} chars avg: "
        f"normalize {per_message / count * 1e6:6.2f} µs/msg, "
        f"normalize_many {batched / count * 1e6:6.2f} µs/msg "
        f"({count / batched:,.0f} msg/s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--cpu", type=int, default=None, help="pin to this CPU (default: the first allowed)")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):  # one core, as the throughput requirement is stated
        allowed = sorted(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {args.cpu if args.cpu is not None else allowed[0]})
    normalize("预热")  # build the tables outside the timings
    plain = generate(PLAIN, args.count, seed=1)
    evasive = generate(EVASION, args.count, seed=2)
    rng = random.Random(3)
    mixed = [evasive[i] if rng.random() < 0.05 else plain[i] for i in range(args.count)]
    measure("(a) plain lawful reminders", plain, args.batch, args.runs)
    measure("(b) with evasions", evasive, args.batch, args.runs)
    measure("(c) mix 95 % a / 5 % b", mixed, args.batch, args.runs)


if __name__ == "__main__":
    main()
