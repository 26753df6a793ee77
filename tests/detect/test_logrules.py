"""Log rules: night-time contact and bursts of calls, against the law base's dated parameters."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from txlguard.detect.logrules import (
    ALLOWED_HOURS,
    MAX_CONNECTED_CALLS,
    MAX_UNANSWERED_ATTEMPTS,
    FrequencyRule,
    LogRuleConfig,
    LogRules,
    evaluate_logs,
    normalize_counterparty,
    within,
)
from txlguard.ingest.models import Communication
from txlguard.ingest.sources import read_evidence
from txlguard.law import default_law_base
from txlguard.law.base import LawBase
from txlguard.law.models import Parameter, ParameterValue

CN = ZoneInfo("Asia/Shanghai")
SHA = "ab" * 32


class Log:
    """Builds a list of communications from one piece of evidence."""

    def __init__(self) -> None:
        self.items: list[Communication] = []

    def add(self, when: datetime | None, *, who: str | None = "10690571234567", **fields: Any) -> str:
        fields.setdefault("channel", "sms")
        fields.setdefault("direction", "incoming")
        item = Communication(
            evidence_sha256=SHA, index=len(self.items), counterparty=who, timestamp=when, **fields
        )
        self.items.append(item)
        return item.id

    def call(self, when: datetime, seconds: int | None, who: str = "17103258890", **fields: Any) -> str:
        return self.add(when, who=who, channel="call", duration_seconds=seconds, **fields)


def law_with(*parameters: Parameter) -> LawBase:
    return LawBase([], [], [], parameters, [])


def hours(start: str, end: str, since: date, provisions: list[str]) -> ParameterValue:
    return ParameterValue(
        effective_from=since,
        value={"start": start, "end": end},
        provisions=provisions,
        reliability="secondary",
    )


# -- off-hours ----------------------------------------------------------------------------------


def test_night_time_messages_flagged_with_the_law_base_window() -> None:
    log = Log()
    night = [
        log.add(datetime(2024, 3, 1, 22, 0, 1)),
        log.add(datetime(2024, 3, 1, 23, 59)),
        log.add(datetime(2024, 3, 1, 15, 30, tzinfo=UTC)),  # 23:30 in Shanghai
        log.add(datetime(2024, 3, 2, 0, 30, tzinfo=CN)),
        log.add(datetime(2024, 3, 2, 7, 59, 59)),
    ]
    log.add(datetime(2024, 3, 1, 8, 0))  # the window's edges are allowed
    log.add(datetime(2024, 3, 1, 22, 0))
    log.add(datetime(2024, 3, 1, 2, 0, tzinfo=UTC))  # 10:00 in Shanghai
    log.add(datetime(2024, 3, 1, 23, 0), direction="outgoing")  # the borrower's own message
    log.call(datetime(2024, 3, 1, 23, 10), 0, who="+86 171 0325 8890")  # a missed call rings too

    result = evaluate_logs(log.items)
    off = result.by_label("off_hours_contact")
    assert len(off) == 2
    first, second = off
    assert first.label == "off_hours_contact"
    assert first.counterparty == "10690571234567"
    assert first.communication_ids == [night[0], night[2], night[1], night[3], night[4]]  # in time order
    assert first.count == 5
    assert first.window == ("08:00", "22:00")
    assert first.parameter == ALLOWED_HOURS
    assert first.provisions == ["nifa-collection-guideline-2018"]
    assert first.reliability == "secondary"
    assert not first.overridden
    assert "08:00—22:00" in first.explanation and "nifa-collection-guideline-2018" in first.explanation
    assert second.counterparty == "+86 171 0325 8890"
    assert second.count == 1
    assert "off_hours_contact" in result.labels


def test_law_base_value_in_force_on_the_day_of_contact() -> None:
    law = law_with(
        Parameter(
            id=ALLOWED_HOURS,
            description_zh="时段",
            unit="时:分",
            values=[
                hours("08:00", "22:00", date(2018, 1, 1), ["old-rule"]),
                hours("09:00", "21:00", date(2025, 1, 1), ["new-rule"]),
            ],
        )
    )
    log = Log()
    before = log.add(datetime(2024, 6, 1, 21, 30))  # allowed under the old window
    after = log.add(datetime(2025, 6, 1, 21, 30))  # not under the new one
    early = log.add(datetime(2017, 6, 1, 23, 30))  # no value yet: not checked, and said so
    result = LogRules(law).evaluate(log.items)
    assert [(f.communication_ids, f.window, f.provisions) for f in result.findings] == [
        ([after], ("09:00", "21:00"), ["new-rule"])
    ]
    assert before not in result.findings[0].communication_ids
    assert early not in result.findings[0].communication_ids
    assert any(ALLOWED_HOURS in note and "2017-06-01" in note for note in result.notes)
    # as_of fixes the law base day for every contact
    fixed = LogRules(law, LogRuleConfig(as_of=date(2024, 1, 1))).evaluate(log.items)
    assert [f.communication_ids for f in fixed.findings] == [[early]]


def test_window_override_per_run() -> None:
    log = Log()
    late = log.add(datetime(2024, 3, 1, 21, 30))
    config = LogRuleConfig(allowed_hours=(time(9, 0), time(21, 0)))
    result = evaluate_logs(log.items, config=config)
    (finding,) = result.findings
    assert finding.communication_ids == [late]
    assert finding.window == ("09:00", "21:00")
    assert finding.overridden
    assert finding.provisions == ["nifa-collection-guideline-2018"]  # the rule overridden is still cited
    assert "时段由本次运行指定" in finding.explanation
    assert evaluate_logs(log.items).findings == []


def test_windows_crossing_midnight() -> None:
    night_shift = (time(20, 0), time(2, 0))
    assert within(time(23, 0), night_shift)
    assert within(time(1, 59), night_shift)
    assert not within(time(12, 0), night_shift)
    assert within(time(8, 0), (time(8, 0), time(22, 0)))
    assert not within(time(7, 59), (time(8, 0), time(22, 0)))


# -- frequency ----------------------------------------------------------------------------------


def test_burst_of_connected_calls_exceeds_the_daily_limit() -> None:
    log = Log()
    burst = [
        log.call(datetime(2024, 3, 5, 9, 0), 40, who="17103258890"),
        log.call(datetime(2024, 3, 5, 9, 5), 12, who="+86 171-0325-8890"),
        log.call(datetime(2024, 3, 5, 12, 0), 95, who="0086 17103258890"),
        log.call(datetime(2024, 3, 5, 15, 0), 7, who="17103258890"),
    ]
    log.call(datetime(2024, 3, 5, 16, 0), 0)  # missed: not a connected call
    log.call(datetime(2024, 3, 5, 16, 30), None)  # outcome unknown
    log.add(datetime(2024, 3, 5, 17, 0), who="17103258890")  # a message: this rule counts calls
    log.call(datetime(2024, 3, 5, 18, 0), 30, direction="outgoing")  # the borrower calling back
    for hour in (9, 12, 15):  # the next day, exactly at the limit
        log.call(datetime(2024, 3, 6, hour, 0), 20)

    result = evaluate_logs(log.items)
    (finding,) = result.by_label("excessive_frequency")
    assert finding.label == "excessive_frequency"
    assert finding.counterparty == "17103258890"
    assert finding.communication_ids == burst
    assert finding.count == 4
    assert finding.limit == 3
    assert finding.day == date(2024, 3, 5)
    assert finding.counted == "connected_calls"
    assert finding.parameter == MAX_CONNECTED_CALLS
    assert finding.provisions == ["nifa-collection-guideline-2018"]
    assert "4 次" in finding.explanation and "3 次" in finding.explanation
    assert any("没有通话时长" in note for note in result.notes)


def test_unanswered_attempts_only_where_the_rule_is_in_force() -> None:
    log = Log()
    for minute in range(7):
        log.call(datetime(2024, 3, 5, 10, minute), 0)
    ids_2026 = [log.call(datetime(2026, 2, 10, 10, minute), 0) for minute in range(7)]
    for minute in range(6):
        log.call(datetime(2026, 2, 11, 10, minute), 0)
    result = evaluate_logs(log.items)
    (finding,) = result.by_label("excessive_frequency")
    assert finding.day == date(2026, 2, 10)
    assert finding.communication_ids == ids_2026
    assert finding.limit == 6
    assert finding.counted == "unanswered_calls"
    assert finding.parameter == MAX_UNANSWERED_ATTEMPTS
    assert finding.provisions == ["cba-collection-guideline-2026"]
    assert any(MAX_UNANSWERED_ATTEMPTS in note and "7 条" in note for note in result.notes)


def test_limit_override_and_grouping_of_rotating_numbers() -> None:
    log = Log()
    for n, who in enumerate(["13000000001", "13000000002", "13000000003"]):
        log.call(datetime(2024, 3, 5, 10, n), 60, who=who)
        log.call(datetime(2024, 3, 5, 11, n), 60, who=who)
    assert evaluate_logs(log.items).findings == []
    together = evaluate_logs(log.items, config=LogRuleConfig(group_by="all"))
    (finding,) = together.findings
    assert finding.count == 6
    assert finding.counterparty == "（全部对方合计）"
    strict = evaluate_logs(log.items, config=LogRuleConfig(limits={MAX_CONNECTED_CALLS: 1}))
    assert [(f.counterparty, f.count, f.limit, f.overridden) for f in strict.findings] == [
        ("13000000001", 2, 1, True),
        ("13000000002", 2, 1, True),
        ("13000000003", 2, 1, True),
    ]
    only = evaluate_logs(
        log.items,
        config=LogRuleConfig(limits={MAX_CONNECTED_CALLS: 1}, counterparties=frozenset({"+8613000000002"})),
    )
    assert [f.counterparty for f in only.findings] == ["13000000002"]


def test_a_rule_counting_messages() -> None:
    log = Log()
    ids = [log.add(datetime(2024, 3, 5, 10 + n, 0)) for n in range(4)]
    log.add(datetime(2024, 3, 5, 11, 0), who=None)  # no counterparty: not counted, and said so
    rule = FrequencyRule(parameter="run.max_messages_per_day", counts="messages")
    result = evaluate_logs(
        log.items, config=LogRuleConfig(rules=(rule,), limits={"run.max_messages_per_day": 3})
    )
    (finding,) = result.findings
    assert finding.communication_ids == ids
    assert finding.provisions == []
    assert "上限由本次运行指定" in finding.explanation
    assert any("没有对方号码" in note for note in result.notes)


def test_missing_parameters_and_untimed_items_are_reported_not_guessed() -> None:
    log = Log()
    log.add(None)
    for minute in range(5):
        log.call(datetime(2024, 3, 5, 23, minute), 60)
    result = LogRules(law_with()).evaluate(log.items)
    assert result.findings == []
    assert any("没有时间" in note for note in result.notes)
    assert any(ALLOWED_HOURS in note for note in result.notes)
    assert any(MAX_CONNECTED_CALLS in note for note in result.notes)


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("+86 171 0325 8890", "17103258890"),
        ("0086-171-0325-8890", "17103258890"),
        ("(010) 8888 6666", "01088886666"),
        ("催收 小王", "催收 小王"),
        (None, "（未知对方）"),
    ],
)
def test_counterparty_keys(raw: str | None, key: str) -> None:
    assert normalize_counterparty(raw) == key


def test_packaged_law_base_has_the_parameters() -> None:
    law = default_law_base()
    assert law.parameter(ALLOWED_HOURS, date(2024, 3, 1)) == {"start": "08:00", "end": "22:00"}
    assert isinstance(law.parameter(MAX_CONNECTED_CALLS, date(2024, 3, 1)), int)


# -- end to end from a call-log backup ----------------------------------------------------------


def test_calls_xml_to_findings() -> None:
    def ms(hour: int, minute: int) -> int:
        return int(datetime(2024, 3, 5, hour, minute, tzinfo=CN).timestamp() * 1000)

    calls = [(ms(9 + n, 0), 1, 60) for n in range(5)] + [(ms(23, 45), 3, 0)]
    xml = (
        "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n<calls count='6'>\n"
        + "\n".join(
            f'<call number="17103258890" duration="{d}" date="{t}" type="{k}" />' for t, k, d in calls
        )
        + "\n</calls>"
    ).encode()
    evidence, items = read_evidence(xml, "calls.xml")
    result = evaluate_logs(items)
    assert result.labels == ["excessive_frequency", "off_hours_contact"]
    (burst,) = result.by_label("excessive_frequency")
    assert burst.communication_ids == [f"{evidence.sha256[:12]}:{n}" for n in range(5)]
    (night,) = result.by_label("off_hours_contact")
    assert night.communication_ids == [f"{evidence.sha256[:12]}:5"]
