"""The log rules over a whole audit: off-hours contact and excessive frequency, per borrower.

These rules need every contact with one person, wherever in the input it was, so they run as a
second pass over the compact per-record results (ids, borrower, counterparty, channel, time —
no text). The results are hash-partitioned by borrower into buckets of bounded size, written
as Arrow IPC streams, and each bucket is evaluated on its own: memory stays bounded by the bucket
size, not by the input. The same buckets give the borrowers whose contacts were reached
(:func:`~txlguard.batch.summary.reached_of_frame`), since a bucket holds whole borrowers. Within a bucket each borrower's records go through
:class:`txlguard.detect.logrules.LogRules` — the very rules ``evaluate_logs`` applies to a
single case, grouping by counterparty within that borrower.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any, Final

from txlguard.batch.summary import reached_of_frame
from txlguard.detect.logrules import LogRuleConfig, LogRules
from txlguard.ingest.models import Communication
from txlguard.ingest.readers.base import parse_channel

LOG_INPUT_COLUMNS: Final[tuple[str, ...]] = (
    "id",
    "borrower_id",
    "agent_id",
    "counterparty",
    "channel",
    "direction",
    "duration",
    "timestamp",
)
BUCKET_COLUMNS: Final[tuple[str, ...]] = (*LOG_INPUT_COLUMNS, "recipient", "labels")
"""What the bucket files hold: the log rules' columns and what :func:`reached_of_frame` needs."""
BUCKET_ROWS = 50_000
"""Records per bucket (on average): what one worker holds at once in the log pass."""
MAX_BUCKETS = 256
"""At most this many bucket files are open at once; past 12.8 million records buckets grow instead."""
FLUSH_ROWS = 100_000
"""Records held in memory across all buckets before they are appended to the bucket files."""
_EVIDENCE = "batch"


def log_findings_schema() -> Any:
    import pyarrow as pa  # type: ignore[import-untyped]

    text = pa.string()
    return pa.schema(
        [
            ("borrower_id", text),
            ("label", text),
            ("counterparty", text),
            ("count", pa.int64()),
            ("day", pa.date32()),
            ("limit", pa.int64()),
            ("window_start", text),
            ("window_end", text),
            ("counted", text),
            ("parameter", text),
            ("provisions", pa.list_(text)),
            ("record_ids", pa.list_(text)),
            ("agent_ids", pa.list_(text)),
            ("first_contact", pa.timestamp("us")),
            ("explanation", text),
        ]
    )


def communications(records: Sequence[dict[str, Any]]) -> list[Communication]:
    """One borrower's compact records as communications (index = position in ``records``)."""
    items: list[Communication] = []
    for index, r in enumerate(records):
        channel = parse_channel(r.get("channel")) or "other"
        duration = r.get("duration")
        timestamp = r.get("timestamp")
        items.append(
            Communication.model_construct(
                evidence_sha256=_EVIDENCE,
                index=index,
                channel=channel,
                direction=r.get("direction") or "unknown",
                counterparty=r.get("counterparty"),
                timestamp=timestamp if isinstance(timestamp, datetime) else None,
                text="",
                recipient=None,
                duration_seconds=int(duration) if channel == "call" and duration is not None else None,
                boxes=[],
            )
        )
    return items


@cache
def _rules(config_json: str) -> LogRules:
    from txlguard.law import default_law_base

    return LogRules(default_law_base(), LogRuleConfig.model_validate_json(config_json))


def evaluate_borrower(
    borrower_id: str | None, records: Sequence[dict[str, Any]], config: LogRuleConfig
) -> list[dict[str, Any]]:
    """Log findings of one borrower's records, as rows of ``log_findings.parquet``."""
    result = _rules(config.model_dump_json()).evaluate(communications(records))
    rows: list[dict[str, Any]] = []
    for f in result.findings:
        picked = [records[int(cid.rsplit(":", 1)[1])] for cid in f.communication_ids]
        times = [r["timestamp"] for r in picked if isinstance(r.get("timestamp"), datetime)]
        rows.append(
            {
                "borrower_id": borrower_id,
                "label": f.label.value,
                "counterparty": f.counterparty,
                "count": f.count,
                "day": f.day,
                "limit": f.limit,
                "window_start": f.window[0] if f.window else None,
                "window_end": f.window[1] if f.window else None,
                "counted": f.counted,
                "parameter": f.parameter,
                "provisions": list(f.provisions),
                "record_ids": [str(r["id"]) for r in picked],
                "agent_ids": sorted({str(r["agent_id"]) for r in picked if r.get("agent_id") is not None}),
                "first_contact": min(times) if times else None,
                "explanation": f.explanation,
            }
        )
    return rows


def _records(frame: Any) -> list[dict[str, Any]]:
    import pandas as pd  # type: ignore[import-untyped]

    frame = frame.astype(object).where(frame.notna(), None)
    out: list[dict[str, Any]] = frame.to_dict("records")
    for r in out:
        t = r.get("timestamp")
        if isinstance(t, pd.Timestamp):
            r["timestamp"] = t.to_pydatetime()
    return out


def evaluate_frame(frame: Any, config_json: str) -> list[dict[str, Any]]:
    """All log findings of a frame of whole borrowers' records (in input order), borrower by borrower.

    The pure function of the log pass, shared by the local engine (one bucket file) and the Spark
    engine (one hash bucket through ``applyInPandas``).
    """
    config = LogRuleConfig.model_validate_json(config_json)
    groups: dict[str | None, list[dict[str, Any]]] = {}
    for record in _records(frame[list(LOG_INPUT_COLUMNS)]):
        borrower = record["borrower_id"]
        groups.setdefault(None if borrower is None else str(borrower), []).append(record)
    rows: list[dict[str, Any]] = []
    for borrower in sorted(groups, key=lambda b: (b is not None, b or "")):
        rows.extend(evaluate_borrower(borrower, groups[borrower], config))
    return rows


def evaluate_bucket(path: str, config_json: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The log findings and the contacts-reached rows of one bucket file (records of whole borrowers)."""
    import pyarrow as pa

    with pa.OSFile(path, "rb") as source:
        frame = pa.ipc.open_stream(source).read_all().to_pandas()
    return evaluate_frame(frame, config_json), reached_of_frame(frame)


def bucket_count(total_rows: int) -> int:
    return min(MAX_BUCKETS, max(1, -(-total_rows // BUCKET_ROWS)))


def bucket_results(part_files: Iterable[Path], work: Path, total_rows: int) -> list[str]:
    """Hash-partition the bucket columns of every part file by borrower into bucket files.

    Bucket files are Arrow IPC streams (no per-batch footer kept in memory, unlike Parquet row
    groups); rows are held until :data:`FLUSH_ROWS` have gathered, then every bucket's share is
    appended at once — memory is bounded by that, whatever the input size.
    """
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq  # type: ignore[import-untyped]

    buckets = bucket_count(total_rows)
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    paths = [str(work / f"bucket-{b:04d}.arrow") for b in range(buckets)]
    sinks: list[Any] = []
    writers: list[Any] = []
    held: list[list[Any]] = [[] for _ in range(buckets)]
    count = 0

    def flush() -> None:
        for b, tables in enumerate(held):
            if tables:
                writers[b].write_table(pa.concat_tables(tables))
                tables.clear()

    try:
        for part in part_files:
            table = pq.read_table(part, columns=list(BUCKET_COLUMNS))
            if table.num_rows == 0:
                continue
            if not writers:
                options = pa.ipc.IpcWriteOptions(compression="lz4")
                sinks = [pa.OSFile(p, "wb") for p in paths]
                writers = [pa.ipc.new_stream(s, table.schema, options=options) for s in sinks]
            if buckets == 1:
                held[0].append(table)
            else:
                keys = pd.util.hash_pandas_object(
                    table.column("borrower_id").to_pandas().fillna(""), index=False
                ).to_numpy()
                which = keys % buckets
                for b in range(buckets):
                    mask = which == b
                    if mask.any():
                        held[b].append(table.filter(pa.array(mask)))
            count += table.num_rows
            if count >= FLUSH_ROWS:
                flush()
                count = 0
        if writers:
            flush()
    finally:
        for w in writers:
            w.close()
        for sink in sinks:
            sink.close()
    return [p for p in paths if Path(p).exists()]


def iter_findings_tables(rows_per_bucket: Iterator[list[dict[str, Any]]]) -> Iterator[Any]:
    import pyarrow as pa

    schema = log_findings_schema()
    for rows in rows_per_bucket:
        if rows:
            yield pa.Table.from_pylist(rows, schema=schema)
