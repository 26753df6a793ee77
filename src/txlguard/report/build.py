"""Build the case report model from what the store holds and the judgement made on it.

:func:`gather` reads a case out of the store (summary, evidence, communications, the latest
judgement); :func:`build_case_report` turns that material into a :class:`CaseReport` without
touching the store again, so it can be tested on material built by hand.
"""

from __future__ import annotations

import io
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import yaml
from pydantic import BaseModel

from txlguard.facts.models import EvidenceSpan
from txlguard.ingest.models import Communication
from txlguard.ingest.readers.base import CHINA_TZ
from txlguard.law import LawBase, default_law_base
from txlguard.reason.models import Finding, Judgement
from txlguard.reason.rules import join_cjk_lines
from txlguard.report.model import (
    CaseReport,
    DayCount,
    EvidenceFile,
    EvidenceRef,
    FactLine,
    NextStep,
    OpenQuestion,
    QuotedProvision,
    ReportFinding,
    SimilarCase,
    Timeline,
)
from txlguard.taxonomy import FactCode

if TYPE_CHECKING:
    from txlguard.store import CaseSummary, EvidenceEntry, Store, StoredCommunication

REGIME_ZH = {"civil": "民事", "administrative": "行政", "criminal": "刑事"}
STATUS_ZH = {"established": "已确认", "possible": "待证实"}
STRENGTH_ZH = {"strong": "强", "moderate": "中", "weak": "弱"}
TRUTH_ZH = {True: "是", False: "否", None: "未知"}
DISCLAIMER_ZH = (
    "本报告由通讯录卫士（txlguard）依据法律库和规则自动生成，用于帮助您了解自己的权利、整理证据和准备投诉材料，"
    "不构成律师的正式法律意见。重要决定（特别是起诉）前，请咨询执业律师或法律援助机构（电话12348）。"
)
ALLOWED_HOURS = "collection.allowed_hours"
_CROP_MARGIN = 12
_CROP_MAX_WIDTH = 640


@dataclass
class CaseMaterial:
    """Everything about one case that a report may show, read from the store in one go."""

    case: CaseSummary
    evidence: list[EvidenceEntry]
    communications: list[StoredCommunication]
    judgement: Judgement
    judged_at: datetime | None = None
    read_original: Callable[[str], bytes] | None = field(default=None, repr=False)
    worth_asking: list[str] | None = None
    """The interview's plan: keys still unknown whose answer could change the outcome, in order.

    None when not planned (material built by hand): the engine's open questions are shown instead.
    """


def gather(store: Store, case_id: str, judgement: Judgement | None = None) -> CaseMaterial:
    """The case's material; ``judgement`` defaults to the latest stored one (raises if there is none)."""
    from txlguard.store import StoreError

    case = store.case(case_id)
    judged_at = None
    if judgement is None:
        stored = store.latest_judgement(case.id)
        if stored is None:
            raise StoreError(f"案件 {case.id} 还没有研判结果，请先运行 txlguard case judge {case.id}")
        judgement = Judgement.model_validate(stored.judgement)
        judged_at = stored.judged_at
    return CaseMaterial(
        case=case,
        evidence=store.evidence(case.id),
        communications=store.communications(case.id),
        judgement=judgement,
        judged_at=judged_at,
        read_original=store.read_original,
        worth_asking=planned_keys(store, case.id),
    )


def planned_keys(store: Store, case_id: str) -> list[str]:
    """What the interview would still ask, so a report lists only questions that can matter."""
    from txlguard.interview.planner import Planner
    from txlguard.pipeline import judge_facts, read_case_evidence

    with store.reading() as session:
        evidence = read_case_evidence(session, case_id)
    plan = Planner(lambda answers: judge_facts(answers, evidence)).plan(store.answers(case_id))
    return [planned.question.key for planned in plan.questions]


# -- pieces ------------------------------------------------------------------------------------
def quoted_provision(law: LawBase, provision_id: str) -> QuotedProvision:
    p = law.provision(provision_id)
    verbatim = p.text_status in ("verbatim", "official-reproduction") and p.text
    return QuotedProvision(
        id=p.id,
        instrument_zh=law.instruments[p.instrument].name_zh,
        instrument_kind=law.instruments[p.instrument].kind,
        article=p.article,
        title_zh=p.title_zh,
        text=(p.text or "") if verbatim else (p.summary_zh or p.text or p.gist_zh),
        text_kind="verbatim" if verbatim else "summary",
        gist_zh=p.gist_zh,
        effective_from=p.effective_from,
        repealed_on=p.repealed_on,
        reliability=p.reliability,
        source=p.source,
    )


def local_time(moment: datetime) -> datetime:
    """China wall-clock time; a time read without a zone is taken as local already."""
    return moment if moment.tzinfo is None else moment.astimezone(CHINA_TZ)


def _label_zh(law: LawBase, note: str | None, default: str) -> str:
    if not note:
        return default
    head = note.split("：", 1)[0].split(",", 1)[0].split("｜", 1)[0]
    try:
        return law.code(head).name_zh
    except KeyError:
        return default


_CONTEXT_CHARS = 300


def _context(text: str, quote: str) -> str | None:
    """The message around a quote, cut to a readable length with the quote inside."""
    if not text or text == quote:
        return None
    at = text.find(quote)
    if at < 0:
        return text[:_CONTEXT_CHARS]
    start = max(0, min(at - 60, len(text) - _CONTEXT_CHARS))
    cut = text[start : start + _CONTEXT_CHARS]
    return ("…" if start else "") + cut + ("…" if start + _CONTEXT_CHARS < len(text) else "")


class _EvidenceIndex:
    """Numbers the quotes findings rest on (E1, E2…) and traces each to its file and screenshot."""

    def __init__(self, material: CaseMaterial, law: LawBase) -> None:
        self.law = law
        self.material = material
        self.by_comm_id = {c.communication.id: c.communication for c in material.communications}
        self.names = {e.sha256: e.name for e in material.evidence}
        self.kinds = {e.sha256: e.kind for e in material.evidence}
        self.refs: list[EvidenceRef] = []
        self._keys: dict[tuple[str, str], str] = {}

    def _narrative_source(self, quote: str) -> Communication | None:
        for stored in self.material.communications:
            c = stored.communication
            if c.channel == "text" and c.timestamp is None and quote and quote in c.text:
                return c
        return None

    def add(self, span: EvidenceSpan) -> str | None:
        """The ref of the message (or account) a quote is in; several quotes of one message share it."""
        if not span.quote.strip():
            return None
        narrative = span.source == "narrative"
        comm = self._narrative_source(span.quote) if narrative else self.by_comm_id.get(span.source)
        # A log-rule span quotes its own explanation, not the message: it stands alone.
        quoted_in_message = comm is not None and span.quote in comm.text
        context = _context(comm.text, span.quote) if comm is not None and quoted_in_message else None
        key = (comm.id if comm is not None else span.source, context or span.quote)
        if key in self._keys:
            ref = self._keys[key]
            i = int(ref[1:]) - 1
            existing = self.refs[i]
            if span.quote not in existing.quotes:
                self.refs[i] = existing.model_copy(update={"quotes": [*existing.quotes, span.quote]})
            return ref
        ref = f"E{len(self.refs) + 1}"
        box, png = self._crop(comm) if comm is not None and not narrative else (None, None)
        self.refs.append(
            EvidenceRef(
                ref=ref,
                quote=span.quote,
                quotes=[span.quote],
                context=context,
                label_zh="本人陈述" if narrative else _label_zh(self.law, span.note, "催收记录"),
                file_name=self.names.get(comm.evidence_sha256) if comm else None,
                sha256=comm.evidence_sha256 if comm else None,
                occurred_at=None if narrative or comm is None else comm.timestamp,
                channel=None if narrative or comm is None else comm.channel,
                counterparty=None if narrative or comm is None else comm.counterparty,
                from_narrative=narrative,
                crop_box=box,
                crop_png=png,
            )
        )
        self._keys[key] = ref
        return ref

    def _crop(self, comm: Communication) -> tuple[tuple[int, int, int, int] | None, bytes | None]:
        """The screenshot region a message was read from (its OCR boxes), as a PNG."""
        if not comm.boxes or self.material.read_original is None:
            return None, None
        xs = [x for b in comm.boxes for x, _ in b.points]
        ys = [y for b in comm.boxes for _, y in b.points]
        try:
            from PIL import Image

            with Image.open(io.BytesIO(self.material.read_original(comm.evidence_sha256))) as image:
                left = max(0, int(min(xs)) - _CROP_MARGIN)
                top = max(0, int(min(ys)) - _CROP_MARGIN)
                right = min(image.width, int(max(xs)) + _CROP_MARGIN)
                bottom = min(image.height, int(max(ys)) + _CROP_MARGIN)
                if right <= left or bottom <= top:
                    return None, None
                region = image.convert("RGB").crop((left, top, right, bottom))
                if region.width > _CROP_MAX_WIDTH:
                    ratio = _CROP_MAX_WIDTH / region.width
                    region = region.resize((_CROP_MAX_WIDTH, max(1, int(region.height * ratio))))
                buffer = io.BytesIO()
                region.save(buffer, format="PNG", optimize=True)
                return (left, top, right, bottom), buffer.getvalue()
        except (OSError, ValueError):  # the original is gone or unreadable: the quote still stands
            return None, None


def report_findings(judgement: Judgement, law: LawBase, index: _EvidenceIndex) -> list[ReportFinding]:
    from txlguard.reason.rules import default_rule_book

    kinds = {r.id: r.kind for r in default_rule_book().rules}
    channels = law.channels
    findings = []
    for f in judgement.findings:
        refs = [ref for span in f.evidence if (ref := index.add(span)) is not None]
        findings.append(
            ReportFinding(
                id=f.id,
                rule=f.rule,
                regime=f.regime,
                regime_zh=REGIME_ZH[f.regime],
                status=f.status,
                status_zh=STATUS_ZH[f.status],
                kind="note" if kinds.get(f.rule) == "note" else "violation",
                title_zh=f.title_zh,
                summary_zh=f.summary,
                confidence=f.confidence,
                strength_zh=STRENGTH_ZH[f.strength],
                provisions=list(f.provisions),
                remedies_zh=[r.text_zh for r in f.remedies],
                remedy_provisions=list(dict.fromkeys(p for r in f.remedies for p in r.provisions)),
                authorities=[c for c in f.authorities if c in channels],
                authorities_zh=[channels[c].name_zh for c in f.authorities if c in channels],
                evidence=list(dict.fromkeys(refs)),
                missing_zh=[_key_name(law, key) for key in f.missing],
                notes_zh=list(f.notes_zh),
            )
        )
    return findings


# Names of the case details a finding may still need, as a borrower would say them.
DETAIL_NAMES_ZH = {
    "lender_name": "放款平台",
    "lender_licensed": "放款方是否持牌",
    "annual_rate": "年化利率",
    "upfront_deduction": "是否有砍头息",
    "contacts_reached": "被联系的人数",
    "contacts_are_guarantors": "被联系人是否为担保人",
    "pi_items_disclosed": "被泄露的个人信息条数",
    "publicly_spread": "是否公开传播",
    "loan_date": "借款日期",
    "start": "催收开始日期",
    "end": "催收结束日期",
    "rate_above_judicial_cap": "利率是否超过司法保护上限",
    "pi_volume_over_criminal_threshold": "个人信息条数是否达到入罪标准",
}


def _key_name(law: LawBase, key: str) -> str:
    code = key.split(":", 1)[-1]
    if code in DETAIL_NAMES_ZH:
        return DETAIL_NAMES_ZH[code]
    try:
        return law.code(code).name_zh
    except KeyError:
        return code


def allowed_hours(law: LawBase, day: date) -> tuple[time, time] | None:
    try:
        value: Any = law.parameter(ALLOWED_HOURS, day)
    except (KeyError, LookupError, ValueError):
        return None
    if not isinstance(value, dict):
        return None
    start, end = (time.fromisoformat(str(value[k])) for k in ("start", "end"))
    return start, end


def timeline(communications: Iterable[Communication], law: LawBase) -> Timeline:
    """Contacts from the other side per local day, those outside the allowed hours counted apart."""
    from txlguard.detect.logrules import within

    per_day: Counter[date] = Counter()
    off: Counter[date] = Counter()
    parties: set[str] = set()
    window_shown: tuple[time, time] | None = None
    for c in communications:
        if c.timestamp is None or c.direction == "outgoing":
            continue
        moment = local_time(c.timestamp)
        day = moment.date()
        per_day[day] += 1
        if c.counterparty:
            parties.add(c.counterparty)
        window = allowed_hours(law, day)
        if window is not None:
            window_shown = window
            if not within(moment.time(), window):
                off[day] += 1
    days = [DayCount(day=d, contacts=per_day[d], off_hours=off[d]) for d in sorted(per_day)]
    hours = (f"{window_shown[0]:%H:%M}", f"{window_shown[1]:%H:%M}") if window_shown else None
    return Timeline(days=days, allowed_hours=hours, counterparties=len(parties))


def similar_cases(judgement: Judgement, law: LawBase, limit: int = 4) -> list[SimilarCase]:
    """Decided cases sharing the most established facts and cited provisions with this one."""
    true_facts = {code for code, value in judgement.facts.items() if value is True}
    cited = {p for f in judgement.findings for p in f.provisions}
    scored = []
    for case in law.cases.values():
        shared_facts = [c for c in case.fact_codes if c in true_facts]
        shared_provisions = [p for p in case.provisions if p in cited]
        if not shared_facts:
            continue
        score = 2.0 * len(shared_facts) + len(shared_provisions)
        # A decided case from a reliable source teaches more than a closer match that is only reported.
        score += {"A": 2.0, "B": 1.0, "C": 0.0}[case.reliability]
        score += 3.0 if case.status == "decided" else 0.0
        scored.append((score, case.year, case, shared_facts, shared_provisions))
    scored.sort(key=lambda item: (-item[0], -item[1], item[2].id))
    result = []
    for _, _, case, shared_facts, shared_provisions in scored[:limit]:
        shared = [law.code(c).name_zh for c in shared_facts]
        shared += [
            f"同样适用《{law.instruments[law.provision(p).instrument].name_zh}》{law.provision(p).article}"
            for p in shared_provisions[:2]
        ]
        result.append(
            SimilarCase(
                id=case.id,
                title_zh=case.title_zh,
                forum_zh=case.forum_zh,
                year=case.year,
                number=case.number,
                holding_zh=case.holding_zh,
                outcome_zh=case.outcome_zh,
                reliability=case.reliability,
                shared_zh=shared,
            )
        )
    return result


class _StepSpec(BaseModel):
    id: str
    when: str
    title_zh: str
    detail_zh: str


class _StepBook(BaseModel):
    version: date
    before_channels: list[_StepSpec]
    channel_order: list[str]
    after_channels: list[_StepSpec]


@cache
def step_book() -> _StepBook:
    text = resources.files("txlguard.report").joinpath("data/next_steps.yaml").read_text("utf-8")
    return _StepBook.model_validate(yaml.safe_load(text))


def _step_applies(when: str, judgement: Judgement, violations: Sequence[Finding], asking: bool) -> bool:
    if when == "any":
        return True
    if when == "findings":
        return bool(violations)
    if when == "open_questions":
        return asking
    kind, _, value = when.partition(":")
    if kind == "fact":
        return judgement.facts.get(value) is True
    if kind == "violation":
        return any(f.rule == value for f in violations)
    raise ValueError(f"next_steps.yaml: unknown condition {when!r}")


def next_steps(
    judgement: Judgement, law: LawBase, kinds: Mapping[str, str], asking: bool = False
) -> list[NextStep]:
    book = step_book()
    violations = [f for f in judgement.findings if kinds.get(f.rule) == "violation"]
    steps = [
        NextStep(title_zh=s.title_zh, detail_zh=join_cjk_lines(s.detail_zh))
        for s in book.before_channels
        if _step_applies(s.when, judgement, violations, asking)
    ]
    named: dict[str, list[Finding]] = defaultdict(list)
    for f in violations:
        for channel_id in f.authorities:
            named[channel_id].append(f)
    for channel_id in [c for c in book.channel_order if c in named] + sorted(
        set(named) - set(book.channel_order)
    ):
        channel = law.channels.get(channel_id)
        if channel is None:
            continue
        about = "、".join(dict.fromkeys(f.title_zh for f in named[channel_id]))
        steps.append(
            NextStep(
                title_zh=f"向{channel.name_zh}反映",
                detail_zh=f"适用于：{about}。{channel.use_when_zh}",
                channel=channel.id,
                contact_zh=channel.contact,
                bring_zh=list(channel.evidence_zh),
            )
        )
    steps += [
        NextStep(title_zh=s.title_zh, detail_zh=join_cjk_lines(s.detail_zh))
        for s in book.after_channels
        if _step_applies(s.when, judgement, violations, asking)
    ]
    return steps


def plain_summary(
    judgement: Judgement, law: LawBase, findings: Sequence[ReportFinding], line: Timeline, asking: int = 0
) -> list[str]:
    """A few sentences a borrower understands before any article number."""
    sentences = [judgement.verdict_zh]
    established = [f.title_zh for f in findings if f.kind == "violation" and f.status == "established"]
    possible = [f.title_zh for f in findings if f.kind == "violation" and f.status == "possible"]
    if established:
        sentences.append(
            "根据现有证据，可以确认的违法行为有：" + "；".join(dict.fromkeys(established)) + "。"
        )
    if possible:
        sentences.append("还可能存在、但需要补充证据或事实的：" + "；".join(dict.fromkeys(possible)) + "。")
    if line.days:
        first, last = line.days[0].day, line.days[-1].day
        text = f"证据中共有{line.total}次来自对方的来电或信息（{first:%Y-%m-%d} 至 {last:%Y-%m-%d}）"
        if line.allowed_hours and line.total_off_hours:
            text += f"，其中{line.total_off_hours}次在{line.allowed_hours[0]}—{line.allowed_hours[1]}之外"
        sentences.append(text + "。")
    if judgement.facts.get(FactCode.DEBT_DISCLOSED_TO_CONTACTS.value) is True:
        sentences.append("即使欠款是真实的，催收方也无权把您的欠款告诉通讯录里的亲友、同事。")
    if asking:
        sentences.append(f"还有{asking}个问题尚未弄清，回答后结论可能更准确，见报告末尾。")
    return sentences


def open_questions(judgement: Judgement, worth_asking: list[str] | None = None) -> list[OpenQuestion]:
    """The questions still worth asking, each with the interview's hint on how to find the answer out.

    With the interview's plan (``worth_asking``) only questions whose answer could still change the
    verdict or a finding; without it, every question the engine left open.
    """
    from txlguard.interview.questions import default_question_book

    book = default_question_book().questions
    if worth_asking is not None:
        return [
            OpenQuestion(key=k, text_zh=book[k].text_zh, why_zh=book[k].why_zh, hint_zh=book[k].hint_zh)
            for k in worth_asking
            if k in book
        ]
    return [
        OpenQuestion(
            key=q.key,
            text_zh=q.text_zh,
            why_zh=q.why_zh,
            hint_zh=book[q.key].hint_zh if q.key in book else "",
        )
        for q in judgement.questions
    ]


# -- the whole report --------------------------------------------------------------------------
def build_case_report(
    material: CaseMaterial, law: LawBase | None = None, generated_at: datetime | None = None
) -> CaseReport:
    from txlguard.reason.rules import default_rule_book

    law = law or default_law_base()
    judgement = material.judgement
    kinds = {r.id: r.kind for r in default_rule_book().rules}
    index = _EvidenceIndex(material, law)
    findings = report_findings(judgement, law, index)
    questions = open_questions(judgement, material.worth_asking)
    line = timeline((c.communication for c in material.communications), law)
    from txlguard.report.chart import timeline_png

    line = line.model_copy(update={"chart_png": timeline_png(line)}) if line.days else line
    files = [
        EvidenceFile(
            name=e.name,
            sha256=e.sha256,
            media_type=e.media_type,
            kind=e.kind,
            size=e.size,
            added_at=e.added_at,
            items=e.communications,
        )
        for e in material.evidence
    ]
    facts = [
        FactLine(code=code, name_zh=law.code(code).name_zh, value=value, value_zh=TRUTH_ZH[value])
        for code, value in judgement.facts.items()
    ]
    return CaseReport(
        case_id=material.case.id,
        title=material.case.title,
        generated_at=generated_at or datetime.now(UTC),
        judged_at=material.judged_at,
        verdict=judgement.verdict,
        verdict_zh=judgement.verdict_zh,
        confidence=judgement.confidence,
        law_as_of=judgement.law_as_of,
        details=dict(judgement.details),
        plain_summary_zh=plain_summary(judgement, law, findings, line, len(questions)),
        facts=facts,
        findings=findings,
        provisions=[
            quoted_provision(law, pid)
            for pid in dict.fromkeys(p for f in findings for p in [*f.provisions, *f.remedy_provisions])
        ],
        evidence=index.refs,
        evidence_files=files,
        timeline=line,
        similar_cases=similar_cases(judgement, law),
        next_steps=next_steps(judgement, law, kinds, bool(questions)),
        open_questions=questions,
        notes_zh=list(judgement.notes_zh),
        disclaimer_zh=DISCLAIMER_ZH,
    )
