"""Log rules (TAXONOMY §2): off-hours contact and excessive frequency, from timestamps and counts.

The window and the limits come from the law base as numeric parameters with dated values, each
value citing its provisions; a run may override them. For each communication the law base value
in force on the local day of that contact is used ("as of" that day), unless ``as_of`` fixes a day.

- ``off_hours_contact``: a collection call or message outside ``collection.allowed_hours``
  (local time; naive timestamps are taken as Asia/Shanghai wall-clock time). One finding per
  counterparty and law-base value in force (each value cites its own provisions).
- ``excessive_frequency``: per counterparty and local calendar day, more contacts than a limit
  allows, counted as each parameter says: ``collection.max_connected_calls_per_day`` counts calls
  that connected (duration > 0); ``collection.max_unanswered_attempts_per_number_per_day`` counts
  calls that did not (missed, rejected, duration 0). Calls whose outcome is unknown (no duration)
  count for neither and are reported in ``notes``. No parameter limits messages today; a
  :class:`FrequencyRule` with ``counts="messages"`` or ``"contacts"`` can add one.

Only contacts *from* the other side are collection contacts: by default ``incoming`` and
``unknown`` directions count, the borrower's own ``outgoing`` ones do not. Grouping is per
counterparty (phone numbers normalised: ``+86 171-0325-8890`` = ``17103258890``); with
``group_by="all"`` every included counterparty is counted together, which matches the per-debtor
wording of the connected-calls rule when collectors rotate numbers.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, tzinfo
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field

from txlguard.ingest.models import Communication, Direction
from txlguard.law.base import LawBase
from txlguard.law.models import ParameterValue
from txlguard.taxonomy import LogLabel

ALLOWED_HOURS = "collection.allowed_hours"
MAX_CONNECTED_CALLS = "collection.max_connected_calls_per_day"
MAX_UNANSWERED_ATTEMPTS = "collection.max_unanswered_attempts_per_number_per_day"

Counted = Literal["connected_calls", "unanswered_calls", "calls", "messages", "contacts"]
_COUNTED_ZH: dict[Counted, str] = {
    "connected_calls": "接通的电话",
    "unanswered_calls": "未接通的来电",
    "calls": "电话",
    "messages": "短信或消息",
    "contacts": "电话和消息",
}
UNKNOWN_PARTY = "（未知对方）"
ALL_PARTIES = "（全部对方合计）"


class FrequencyRule(BaseModel):
    """A per-day limit: which law-base parameter holds it and what it counts."""

    model_config = ConfigDict(frozen=True)

    parameter: str
    counts: Counted


DEFAULT_FREQUENCY_RULES: tuple[FrequencyRule, ...] = (
    FrequencyRule(parameter=MAX_CONNECTED_CALLS, counts="connected_calls"),
    FrequencyRule(parameter=MAX_UNANSWERED_ATTEMPTS, counts="unanswered_calls"),
)


class LogRuleConfig(BaseModel):
    """Per-run settings. Overrides replace the law base's numbers; provisions are still cited."""

    model_config = ConfigDict(frozen=True)

    allowed_hours: tuple[time, time] | None = Field(
        default=None, description="override of collection.allowed_hours: (start, end), both inclusive"
    )
    limits: dict[str, int] = Field(default_factory=dict, description="parameter id → override limit per day")
    rules: tuple[FrequencyRule, ...] = DEFAULT_FREQUENCY_RULES
    timezone: str = "Asia/Shanghai"
    as_of: date | None = Field(default=None, description="use the law base as on this day for every contact")
    group_by: Literal["counterparty", "all"] = "counterparty"
    counterparties: frozenset[str] | None = Field(
        default=None, description="only these counterparties (e.g. known collector numbers); None = all"
    )
    directions: frozenset[Direction] = frozenset({"incoming", "unknown"})


class LogFinding(BaseModel):
    """One log-rule finding: a label, whom it concerns, which contacts, and the law it rests on."""

    label: LogLabel
    counterparty: str
    communication_ids: list[str]
    count: int
    day: date | None = Field(default=None, description="local day, for excessive_frequency")
    limit: int | None = Field(default=None, description="the per-day limit exceeded")
    window: tuple[str, str] | None = Field(default=None, description="allowed hours, for off_hours_contact")
    counted: Counted | None = None
    parameter: str
    provisions: list[str]
    reliability: str | None = Field(default=None, description="of the law base value: primary/secondary/…")
    overridden: bool = Field(default=False, description="the number came from the run's config")
    explanation: str


class LogRuleResult(BaseModel):
    findings: list[LogFinding] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list, description="what could not be checked, and why")

    @property
    def labels(self) -> list[str]:
        return sorted({f.label.value for f in self.findings})

    def by_label(self, label: LogLabel | str) -> list[LogFinding]:
        return [f for f in self.findings if f.label == label]


# -- helpers ------------------------------------------------------------------------------------

_PHONE_NOISE = re.compile(r"[\s\-()（）.]")
_CN_MOBILE_PREFIX = re.compile(r"^(?:\+?86|0086)(1\d{10})$")


def normalize_counterparty(raw: str | None) -> str:
    """A grouping key: phone numbers without spaces, dashes or a +86 prefix; names as written."""
    if raw is None or not raw.strip():
        return UNKNOWN_PARTY
    compact = _PHONE_NOISE.sub("", raw.strip())
    if re.fullmatch(r"\+?\d{3,}", compact):
        mobile = _CN_MOBILE_PREFIX.match(compact)
        return mobile.group(1) if mobile else compact
    return raw.strip()


def _clock(value: Any, parameter: str) -> time:
    try:
        return time.fromisoformat(str(value))
    except ValueError as exc:
        raise ValueError(f"law base parameter {parameter}: {value!r} is not a HH:MM time") from exc


def _window_of(value: Any, parameter: str) -> tuple[time, time]:
    if not isinstance(value, dict) or "start" not in value or "end" not in value:
        raise ValueError(f"law base parameter {parameter} should be {{start, end}}, got {value!r}")
    return _clock(value["start"], parameter), _clock(value["end"], parameter)


def _limit_of(value: Any, parameter: str) -> int:
    if isinstance(value, dict):
        value = next((value[k] for k in ("limit", "max", "value") if k in value), None)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"law base parameter {parameter} should be a number, got {value!r}")
    return int(value)


def within(moment: time, window: tuple[time, time]) -> bool:
    """Whether a wall-clock time lies in the window (inclusive; windows may cross midnight)."""
    start, end = window
    if start <= end:
        return start <= moment <= end
    return moment >= start or moment <= end


def _fmt(moment: time) -> str:
    return moment.strftime("%H:%M")


def call_outcome(item: Communication) -> Literal["connected", "unanswered", "unknown"] | None:
    """For calls: whether it connected, from its duration. None for messages."""
    if item.channel != "call":
        return None
    if item.duration_seconds is None:
        return "unknown"
    return "connected" if item.duration_seconds > 0 else "unanswered"


def _counts(item: Communication, counted: Counted) -> bool:
    outcome = call_outcome(item)
    if counted == "connected_calls":
        return outcome == "connected"
    if counted == "unanswered_calls":
        return outcome == "unanswered"
    if counted == "calls":
        return outcome is not None
    if counted == "messages":
        return outcome is None
    return True


@dataclass(frozen=True, slots=True)
class _Contact:
    item: Communication
    key: str  # normalised counterparty (or ALL_PARTIES)
    local: datetime  # naive wall-clock time in the configured zone


class LogRules:
    """Apply the log rules to a set of communications (any number of evidence files)."""

    def __init__(self, law: LawBase, config: LogRuleConfig | None = None) -> None:
        self.law = law
        self.config = config or LogRuleConfig()
        self._tz: tzinfo = ZoneInfo(self.config.timezone)

    def _value(self, parameter: str, day: date) -> ParameterValue | None:
        param = self.law.parameters.get(parameter)
        return param.value_on(self.config.as_of or day) if param else None

    def _contacts(self, items: Iterable[Communication], notes: list[str]) -> list[_Contact]:
        wanted = (
            {normalize_counterparty(c) for c in self.config.counterparties}
            if self.config.counterparties is not None
            else None
        )
        contacts: list[_Contact] = []
        untimed = 0
        for item in items:
            if item.direction not in self.config.directions:
                continue
            key = normalize_counterparty(item.counterparty)
            if wanted is not None and key not in wanted:
                continue
            if item.timestamp is None:
                untimed += 1
                continue
            moment = item.timestamp
            local = moment if moment.tzinfo is None else moment.astimezone(self._tz).replace(tzinfo=None)
            if self.config.group_by == "all":
                key = ALL_PARTIES
            contacts.append(_Contact(item, key, local))
        if untimed:
            notes.append(f"{untimed} 条联系记录没有时间，无法判断时段和频率")
        contacts.sort(key=lambda c: c.local)
        return contacts

    def evaluate(self, items: Iterable[Communication]) -> LogRuleResult:
        notes: list[str] = []
        contacts = self._contacts(items, notes)
        names: dict[str, str] = {}
        for contact in contacts:  # each group is shown as its counterparty was first written
            names.setdefault(
                contact.key,
                contact.key if self.config.group_by == "all" else contact.item.counterparty or UNKNOWN_PARTY,
            )
        findings = self._off_hours(contacts, names, notes) + self._frequency(contacts, names, notes)
        return LogRuleResult(findings=findings, notes=notes)

    # -- off-hours --------------------------------------------------------------------------
    def _off_hours(
        self, contacts: Sequence[_Contact], names: dict[str, str], notes: list[str]
    ) -> list[LogFinding]:
        groups: dict[tuple[str, tuple[time, time], date | None], list[_Contact]] = defaultdict(list)
        values: dict[date | None, ParameterValue | None] = {}
        missing_days: set[date] = set()
        for contact in contacts:
            value = self._value(ALLOWED_HOURS, contact.local.date())
            if self.config.allowed_hours is not None:
                window = self.config.allowed_hours
            elif value is not None:
                window = _window_of(value.value, ALLOWED_HOURS)
            else:
                missing_days.add(contact.local.date())
                continue
            if within(contact.local.time(), window):
                continue
            since = value.effective_from if value else None
            values[since] = value
            groups[(contact.key, window, since)].append(contact)
        if missing_days:
            notes.append(
                f"法律库在 {min(missing_days)} 至 {max(missing_days)} 期间没有 {ALLOWED_HOURS} 的取值，"
                f"这段时间的 {sum(1 for c in contacts if c.local.date() in missing_days)} 条联系未检查时段"
            )
        findings: list[LogFinding] = []
        for (key, window, since), group in groups.items():
            value = values[since]
            start, end = _fmt(window[0]), _fmt(window[1])
            times = "、".join(c.local.strftime("%m-%d %H:%M") for c in group[:5])
            more = f"等 {len(group)} 次" if len(group) > 5 else f"共 {len(group)} 次"
            findings.append(
                LogFinding(
                    label=LogLabel.OFF_HOURS_CONTACT,
                    counterparty=names[key],
                    communication_ids=[c.item.id for c in group],
                    count=len(group),
                    window=(start, end),
                    parameter=ALLOWED_HOURS,
                    provisions=list(value.provisions) if value else [],
                    reliability=value.reliability if value else None,
                    overridden=self.config.allowed_hours is not None,
                    explanation=f"{names[key]} 在允许催收时段（{start}—{end}）以外联系：{times}，{more}"
                    + _basis(ALLOWED_HOURS, value, "时段" if self.config.allowed_hours else None),
                )
            )
        return findings

    # -- frequency --------------------------------------------------------------------------
    def _frequency(
        self, contacts: Sequence[_Contact], names: dict[str, str], notes: list[str]
    ) -> list[LogFinding]:
        findings: list[LogFinding] = []
        unknown_calls = sum(1 for c in contacts if call_outcome(c.item) == "unknown")
        if unknown_calls and any(
            r.counts in ("connected_calls", "unanswered_calls") for r in self.config.rules
        ):
            notes.append(f"{unknown_calls} 通电话没有通话时长，无法判断是否接通，未计入接通/未接通次数上限")
        unnamed = sum(1 for c in contacts if c.key == UNKNOWN_PARTY)
        if unnamed and self.config.group_by == "counterparty":
            notes.append(f"{unnamed} 条联系没有对方号码或名称，未计入频率检查")
        for rule in self.config.rules:
            days: dict[tuple[str, date], list[_Contact]] = defaultdict(list)
            for contact in contacts:
                if contact.key == UNKNOWN_PARTY or not _counts(contact.item, rule.counts):
                    continue
                days[(contact.key, contact.local.date())].append(contact)
            missing = 0
            for (key, day), group in days.items():
                value = self._value(rule.parameter, day)
                override = self.config.limits.get(rule.parameter)
                if override is not None:
                    limit = override
                elif value is not None:
                    limit = _limit_of(value.value, rule.parameter)
                else:
                    missing += len(group)
                    continue
                if len(group) <= limit:
                    continue
                what = _COUNTED_ZH[rule.counts]
                findings.append(
                    LogFinding(
                        label=LogLabel.EXCESSIVE_FREQUENCY,
                        counterparty=names[key],
                        communication_ids=[c.item.id for c in group],
                        count=len(group),
                        day=day,
                        limit=limit,
                        counted=rule.counts,
                        parameter=rule.parameter,
                        provisions=list(value.provisions) if value else [],
                        reliability=value.reliability if value else None,
                        overridden=override is not None,
                        explanation=f"{day} 与 {names[key]} 之间{what}共 {len(group)} 次，超过每日 {limit} 次的上限"
                        + _basis(rule.parameter, value, "上限" if override is not None else None),
                    )
                )
            if missing:
                notes.append(
                    f"法律库在相关日期没有 {rule.parameter} 的取值（尚未生效），{missing} 条联系未按此上限检查"
                )
        return findings


def _basis(parameter: str, value: ParameterValue | None, overridden: str | None) -> str:
    """Which parameter and provisions a finding rests on, and what the run changed, for its explanation."""
    parts = [f"依据参数 {parameter}"]
    if overridden:
        parts.append(f"{overridden}由本次运行指定")
    if value:
        parts.append(f"出处 {'、'.join(value.provisions)}")
    return "（" + "，".join(parts) + "）"


def evaluate_logs(
    items: Iterable[Communication], *, law: LawBase | None = None, config: LogRuleConfig | None = None
) -> LogRuleResult:
    """Run both log rules over communications with the packaged law base (or ``law``)."""
    if law is None:
        from txlguard.law import default_law_base

        law = default_law_base()
    return LogRules(law, config).evaluate(items)
