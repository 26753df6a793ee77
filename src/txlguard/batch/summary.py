"""The audit summary: counts by label, agent and day, worst templates, contacts reached — JSON and HTML.

Built by reading the part files a few columns at a time and adding up counters, so it needs no
more memory than one part file plus the counters (one entry per agent, day and flagged template;
the borrowers whose contacts were reached come added up per bucket, see :class:`ReachedTally`). Nothing in it depends on the order of the parts or of the
rows in them, so the local and the Spark engine, whose part files differ, give the same summary.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, Final

from txlguard.taxonomy import LogLabel, MessageLabel

LABEL_ZH: Final[dict[str, str]] = {
    "disclosure_to_third_party": "向第三人披露债务",
    "threat_to_contacts": "威胁联系通讯录",
    "threat_of_exposure": "威胁曝光",
    "threat_of_violence": "暴力威胁",
    "insult": "侮辱",
    "impersonation": "冒充公检法/律师",
    "false_legal_threat": "虚假法律后果",
    "off_hours_contact": "非允许时段联系",
    "excessive_frequency": "联系过于频繁",
}
#: A message to a contact with one of these labels means the borrower's contacts were reached.
CONTACT_HARM_LABELS: Final[frozenset[str]] = frozenset(
    {"disclosure_to_third_party", "threat_to_contacts", "threat_of_exposure", "threat_of_violence"}
)
TOP_TEMPLATES = 30
TOP_BORROWERS = 1000
_SUMMARY_COLUMNS = ("id", "agent_id", "timestamp", "labels", "template")


def _nested() -> dict[str, Any]:
    return {"records": 0, "flagged": 0, "labels": Counter()}


def summarize(
    part_files: Iterable[Path],
    log_findings: Path | None,
    reject_parts: Iterable[Path],
    *,
    reached: ReachedTally,
    meta: dict[str, Any],
) -> dict[str, Any]:
    """Add up the results, log findings and rejects into the ``summary.json`` shape.

    The borrowers whose contacts were reached come in ``reached``, added up per bucket of whole
    borrowers by the log pass (:func:`reached_of_frame`), so that no counter here grows with the
    number of borrowers.
    """
    records = flagged = untimed = 0
    by_label: Counter[str] = Counter()
    agents: dict[str, dict[str, Any]] = defaultdict(_nested)
    days: dict[str, dict[str, Any]] = defaultdict(_nested)
    templates: dict[str, dict[str, Any]] = {}
    for table in _batches(part_files, _SUMMARY_COLUMNS):
        columns = {name: table.column(name).to_pylist() for name in _SUMMARY_COLUMNS}
        for i in range(table.num_rows):
            labels: list[str] = columns["labels"][i] or []
            agent = columns["agent_id"][i] or "（未知）"
            moment: datetime | None = columns["timestamp"][i]
            day = moment.date().isoformat() if moment is not None else "（无时间）"
            records += 1
            untimed += moment is None
            a, d = agents[agent], days[day]
            a["records"] += 1
            d["records"] += 1
            if not labels:
                continue
            flagged += 1
            by_label.update(labels)
            a["flagged"] += 1
            a["labels"].update(labels)
            d["flagged"] += 1
            d["labels"].update(labels)
            template = columns["template"][i]
            if template:
                t = templates.get(template)
                if t is None:
                    t = templates[template] = {
                        "template": template,
                        "count": 0,
                        "labels": Counter(),
                        "agents": set(),
                        "example_id": columns["id"][i],
                    }
                elif columns["id"][i] < t["example_id"]:
                    t["example_id"] = columns["id"][i]  # the smallest id, whatever the order of parts
                t["count"] += 1
                t["labels"].update(labels)
                if len(t["agents"]) < 1000:
                    t["agents"].add(agent)
    log_by_label: Counter[str] = Counter()
    log_contacts: Counter[str] = Counter()
    log_borrowers: dict[str, set[str]] = defaultdict(set)
    findings_files = [log_findings] if log_findings is not None and log_findings.exists() else []
    for table in _batches(findings_files, ("borrower_id", "label", "count", "agent_ids")):
        for borrower, label, count, agent_ids in zip(
            *(table.column(c).to_pylist() for c in ("borrower_id", "label", "count", "agent_ids")),
            strict=True,
        ):
            log_by_label[label] += 1
            log_contacts[label] += count
            log_borrowers[label].add(borrower or "")
            for agent in agent_ids or ["（未知）"]:
                agents[agent].setdefault("log_findings", Counter())[label] += 1
    rejected = 0
    by_reason: Counter[str] = Counter()
    by_file: Counter[str] = Counter()
    for table in _batches(reject_parts, ("source_file", "reject_reason")):
        for file, reason in zip(
            *(table.column(c).to_pylist() for c in ("source_file", "reject_reason")), strict=True
        ):
            rejected += 1
            by_reason[reason_kind(reason)] += 1
            by_file[file] += 1
    ordered_templates = sorted(templates.values(), key=lambda t: (-t["count"], t["template"]))
    return {
        **meta,
        "totals": {
            "rows": records + rejected,
            "records": records,
            "rejected": rejected,
            "flagged": flagged,
            "untimed": untimed,
            "log_findings": sum(log_by_label.values()),
            "borrowers_contacts_reached": reached.borrowers,
        },
        "by_label": {label.value: by_label.get(label.value, 0) for label in MessageLabel}
        | {k: v for k, v in by_label.items() if k not in {m.value for m in MessageLabel}},
        "log_findings": {
            label.value: {
                "findings": log_by_label.get(label.value, 0),
                "contacts": log_contacts.get(label.value, 0),
                "borrowers": len(log_borrowers.get(label.value, ())),
            }
            for label in LogLabel
        },
        "by_agent": [
            {
                "agent_id": agent,
                "records": v["records"],
                "flagged": v["flagged"],
                "flagged_share": round(v["flagged"] / v["records"], 4) if v["records"] else 0.0,
                "labels": _ranked(v["labels"]),
                "log_findings": _ranked(v.get("log_findings", Counter())),
            }
            for agent, v in sorted(
                agents.items(),
                key=lambda kv: (-kv[1]["flagged"], -sum(kv[1].get("log_findings", {}).values()), kv[0]),
            )
        ],
        "by_day": [
            {
                "day": day,
                "records": v["records"],
                "flagged": v["flagged"],
                "labels": _ranked(v["labels"]),
            }
            for day, v in sorted(days.items())
        ],
        "templates": {
            "distinct": len(templates),
            "top": [
                {
                    "template": t["template"],
                    "count": t["count"],
                    "labels": _ranked(t["labels"]),
                    "agents": len(t["agents"]),
                    "example_id": t["example_id"],
                }
                for t in ordered_templates[:TOP_TEMPLATES]
            ],
        },
        "contacts_reached": reached.section(),
        "rejects": {
            "total": rejected,
            "by_reason": _ranked(by_reason),
            "by_file": dict(sorted(by_file.items())),
        },
    }


REACHED_COLUMNS: Final[tuple[str, ...]] = ("borrower_id", "agent_id", "counterparty", "recipient", "labels")


def reached_of_frame(frame: Any) -> list[dict[str, Any]]:
    """Per borrower in a frame of whole borrowers' results: the contacts reached by harmful messages.

    One row per borrower with at least one message to a contact carrying a label of
    :data:`CONTACT_HARM_LABELS`: distinct contacts, messages, labels, up to 20 agents.
    """
    reached: dict[str, dict[str, Any]] = {}
    for borrower_id, agent_id, counterparty, recipient, labels in zip(
        *(frame[c].tolist() for c in REACHED_COLUMNS), strict=True
    ):
        if recipient != "contact" or labels is None:
            continue
        harmful = CONTACT_HARM_LABELS.intersection(list(labels))
        if not harmful:
            continue
        borrower = borrower_id if isinstance(borrower_id, str) and borrower_id else "（未知借款人）"
        b = reached.get(borrower)
        if b is None:
            b = reached[borrower] = {"contacts": set(), "messages": 0, "labels": Counter(), "agents": set()}
        b["messages"] += 1
        b["labels"].update(harmful)
        b["contacts"].add(counterparty if isinstance(counterparty, str) and counterparty else "（未知号码）")
        b["agents"].add(agent_id if isinstance(agent_id, str) and agent_id else "（未知）")
    return [
        {
            "borrower_id": borrower,
            "contacts": len(b["contacts"]),
            "messages": b["messages"],
            "labels": _ranked(b["labels"]),
            "agents": sorted(b["agents"])[:20],
        }
        for borrower, b in reached.items()
    ]


class ReachedTally:
    """The borrowers whose contacts were reached, added up bucket by bucket: counts, and the top
    :data:`TOP_BORROWERS` (most contacts, then most messages, then id) — bounded memory."""

    def __init__(self) -> None:
        self.borrowers = 0
        self.messages = 0
        self._top: list[dict[str, Any]] = []

    def add(self, rows: Iterable[dict[str, Any]]) -> None:
        for row in rows:
            self.borrowers += 1
            self.messages += row["messages"]
            self._top.append(row)
        if len(self._top) > 2 * TOP_BORROWERS:
            self._trim()

    def _trim(self) -> None:
        self._top.sort(key=lambda b: (-b["contacts"], -b["messages"], b["borrower_id"]))
        del self._top[TOP_BORROWERS:]

    def section(self) -> dict[str, Any]:
        self._trim()
        return {"borrowers": self.borrowers, "messages": self.messages, "top": list(self._top)}


def _batches(paths: Iterable[Path], columns: Sequence[str], rows: int = 50_000) -> Iterator[Any]:
    """Record batches of some columns of Parquet files: memory bounded by ``rows``, not by a file's size
    (Spark's part files hold a whole partition each)."""
    import pyarrow.parquet as pq  # type: ignore[import-untyped]

    for path in paths:
        yield from pq.ParquetFile(path, pre_buffer=False).iter_batches(batch_size=rows, columns=list(columns))


def _ranked(counter: Counter[str]) -> dict[str, int]:
    """Most frequent first, ties by key: the same JSON whatever order the parts were read in."""
    return dict(sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))


def reason_kind(reason: str) -> str:
    """A reject reason without the row's own values (「…」 and numbers), to count reasons by kind."""
    import re

    return re.sub(r"\d+", "N", re.sub(r"「[^」]*」", "「…」", reason))


def write_json(summary: dict[str, Any], path: Path) -> None:
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(summary, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8")
    tmp.replace(path)


# -- HTML ---------------------------------------------------------------------------------------


def _figure_png(draw: Any, width_in: float, height_in: float) -> bytes:
    """Run ``draw(axes, zh)`` on a new figure in the Noto CJK font (as report/chart.py does)."""
    import io

    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib import font_manager
    from matplotlib.figure import Figure

    from txlguard.report.chart import cjk_font_file

    font_file = cjk_font_file()
    families = ["DejaVu Sans"]
    if font_file:
        font_manager.fontManager.addfont(font_file)
        families.insert(0, font_manager.FontProperties(fname=font_file).get_name())
    with matplotlib.rc_context({"font.family": families}):
        figure = Figure(figsize=(width_in, height_in), dpi=130)
        axes = figure.add_subplot()
        draw(axes, font_file is not None)
        axes.spines[["top", "right"]].set_visible(False)
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _hbar(items: Sequence[tuple[str, int]], title: str, color: str) -> bytes:
    def draw(axes: Any, zh: bool) -> None:
        names = [name for name, _ in items][::-1]
        values = [value for _, value in items][::-1]
        axes.barh(range(len(values)), values, color=color)
        axes.set_yticks(range(len(values)), names if zh else [str(i) for i in range(len(names))])
        axes.set_title(title if zh else "")
        axes.xaxis.get_major_locator().set_params(integer=True)

    return _figure_png(draw, 7.0, 0.5 + 0.32 * max(1, len(items)))


def _days_chart(days: Sequence[dict[str, Any]]) -> bytes:
    def draw(axes: Any, zh: bool) -> None:
        from matplotlib import dates as mdates

        timed = [d for d in days if d["day"][0].isdigit()]
        x = mdates.date2num([datetime.fromisoformat(d["day"]) for d in timed])  # type: ignore[no-untyped-call]
        ok = [d["records"] - d["flagged"] for d in timed]
        bad = [d["flagged"] for d in timed]
        width = 0.8 if len(timed) < 90 else 1.0
        axes.bar(x, ok, width=width, color="#4a78b5", label="未发现问题" if zh else "clean")
        axes.bar(x, bad, width=width, bottom=ok, color="#d04a3a", label="有违规标签" if zh else "flagged")
        locator = mdates.AutoDateLocator(minticks=3, maxticks=8)  # type: ignore[no-untyped-call]
        axes.xaxis.set_major_locator(locator)
        axes.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]
        axes.set_title("每日记录数" if zh else "records per day")
        axes.legend(frameon=False, loc="upper left")

    return _figure_png(draw, 7.0, 2.6)


def charts(summary: dict[str, Any]) -> dict[str, bytes]:
    """The report's charts as PNG bytes: labels, agents with the most flagged messages, days."""
    out: dict[str, bytes] = {}
    labels = [(LABEL_ZH.get(k, k), v) for k, v in summary["by_label"].items()]
    labels += [(LABEL_ZH[k], v["findings"]) for k, v in summary["log_findings"].items()]
    out["labels"] = _hbar(labels, "违规标签（消息数；时段和频率为发现数）", "#d04a3a")
    agents = [(a["agent_id"], a["flagged"]) for a in summary["by_agent"][:15] if a["flagged"]]
    if agents:
        out["agents"] = _hbar(agents, "违规消息最多的催收员", "#8e5ea2")
    if any(d["day"][0].isdigit() for d in summary["by_day"]):
        out["days"] = _days_chart(summary["by_day"])
    return out


def render_html(summary: dict[str, Any]) -> str:
    """A self-contained HTML page in Chinese for a compliance officer (charts embedded as PNG)."""
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    from txlguard.report.render import data_uri

    env = Environment(
        loader=PackageLoader("txlguard.batch", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    images = {name: data_uri(png) for name, png in charts(summary).items()}
    return env.get_template("audit_summary.html.j2").render(
        s=summary, images=images, zh=LABEL_ZH, top_agents=summary["by_agent"][:30]
    )
