"""Plain reminders must take the fast path (no offset map); speed figures live in benchmarks/normalize_speed.py."""

from __future__ import annotations

from txlguard.text import normalize, normalize_many

PLAIN = [
    "【随心贷】尊敬的张三，您的借款已逾期3天，请于今日还款1002元，以免影响个人征信。如已还清，请忽略。",
    "李四您好，您在易融花的账单今天到期，应还金额500元，请登录APP及时还款，详询：021-60550260。",
    "【好分期】亲爱的用户，您有一笔3000元的借款将于15日到期，请保持账户余额充足，感谢您的配合！",
]


def test_plain_reminders_keep_an_identity_map() -> None:
    for text in PLAIN:
        assert normalize(text).is_identity
    assert all(n.is_identity for n in normalize_many(PLAIN))


def test_evasions_build_an_explicit_map() -> None:
    assert not normalize("再不还就爆你通 讯 录").is_identity
