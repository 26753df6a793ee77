"""The local engine: all cores of one machine, constant memory, resumable.

The main process reads the inputs chunk by chunk and hands each chunk to a pool of worker
processes (at most two chunks per worker in flight, so reading never runs ahead of scanning).
Each worker builds the scanner once, runs :func:`~txlguard.batch.chunk.process_chunk` and writes
its chunk's results and rejects as Parquet part files — first under a temporary name, then
renamed, so a part file is either complete or absent. The main process then appends the chunk to
``manifest.jsonl``. A rerun with the same inputs and chunk size skips every chunk in the
manifest; a part file not in the manifest (a crash between rename and manifest) is deleted and
redone, so nothing is ever counted twice. After the last chunk, the log rules run as a second
pass over the compact results (:mod:`txlguard.batch.logpass`), and the summary is written.

Output directory::

    audit.json               the run's inputs (size, mtime), chunk size and column map
    manifest.jsonl           one line per finished chunk
    results/part-00000.parquet …   per-record results (chunk.RESULT_COLUMNS)
    rejects/part-00000.parquet …   rows that could not be audited, per chunk
    rejects.jsonl            all rejects: file, row, id, reason (Chinese)
    log_findings.parquet     off-hours and frequency findings per borrower and counterparty
    summary.json, summary.html
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from txlguard.batch.chunk import REJECT_COLUMNS, output_schema, process_chunk, split_output
from txlguard.batch.logpass import bucket_results, evaluate_bucket, iter_findings_tables, log_findings_schema
from txlguard.batch.readers import InputFile, Row, expand_inputs, file_rows, iter_chunks, total_bytes
from txlguard.batch.schema import BatchInputError, RecordField, parse_column_map
from txlguard.batch.summary import ReachedTally, render_html, summarize, write_json
from txlguard.detect.logrules import LogRuleConfig

STATE_VERSION = 1
DEFAULT_CHUNK_SIZE = 10_000


@dataclass
class AuditOutcome:
    """What a run did. ``complete`` is False when it stopped early (``max_chunks``); ``seconds`` is
    the chunk pass alone (reading and scanning), without the log rules and the summary."""

    out: Path
    chunks: int = 0
    skipped: int = 0
    records: int = 0
    rejected: int = 0
    seconds: float = 0.0
    complete: bool = False
    summary: dict[str, Any] = field(default_factory=dict)


# -- workers ------------------------------------------------------------------------------------


def _init_worker() -> None:
    """Ignore Ctrl-C (the main process handles it) and build the scanner once per process."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from txlguard.detect import default_scanner

    default_scanner()


def _write_atomic(table: Any, path: Path) -> None:
    import pyarrow.parquet as pq  # type: ignore[import-untyped]

    tmp = path.with_name(path.name + ".tmp")
    pq.write_table(table, tmp, compression="zstd")
    os.replace(tmp, path)


def part_name(index: int) -> str:
    return f"part-{index:05d}.parquet"


def run_chunk(index: int, rows: list[Row] | Any, out: str) -> dict[str, int]:
    """Process one chunk (Python rows or an Arrow table) and write its part files; its counts for the manifest."""
    import pyarrow as pa

    from txlguard.batch.readers import frame_of

    frame = process_chunk(frame_of(rows))
    results, rejects = split_output(frame)
    schema = output_schema()
    result_schema = pa.schema([schema.field(n) for n in results.columns])
    directory = Path(out)
    if len(rejects):
        reject_schema = pa.schema([schema.field(n) for n in REJECT_COLUMNS])
        _write_atomic(
            pa.Table.from_pandas(rejects, schema=reject_schema, preserve_index=False),
            directory / "rejects" / part_name(index),
        )
    _write_atomic(
        pa.Table.from_pandas(results, schema=result_schema, preserve_index=False),
        directory / "results" / part_name(index),
    )
    return {"chunk": index, "rows": len(frame), "records": len(results), "rejected": len(rejects)}


# -- state --------------------------------------------------------------------------------------


def _state(files: Sequence[InputFile], chunk_size: int, mapping: dict[RecordField, str]) -> dict[str, Any]:
    return {
        "version": STATE_VERSION,
        "inputs": [f.fingerprint() for f in files],
        "chunk_size": chunk_size,
        "column_map": dict(sorted(mapping.items())),
    }


def _read_manifest(path: Path) -> dict[int, dict[str, int]]:
    done: dict[int, dict[str, int]] = {}
    if not path.exists():
        return done
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            entry = json.loads(line)
            done[int(entry["chunk"])] = entry
        except (json.JSONDecodeError, KeyError, TypeError, ValueError):
            continue  # a line cut short by a crash: that chunk is redone
    return done


OUTPUT_DIRECTORIES = ("results", "rejects", "_work")
OUTPUT_FILES = ("manifest.jsonl", "rejects.jsonl", "log_findings.parquet", "summary.json", "summary.html")


def clear_outputs(out: Path) -> None:
    """Remove what an audit wrote into ``out`` (its state file last), for a fresh start."""
    for name in OUTPUT_DIRECTORIES:
        shutil.rmtree(out / name, ignore_errors=True)
    for name in OUTPUT_FILES:
        (out / name).unlink(missing_ok=True)
    (out / "audit.json").unlink(missing_ok=True)


def _prepare(out: Path, state: dict[str, Any], restart: bool) -> dict[int, dict[str, int]]:
    """Create or check the output directory; the finished chunks a rerun may skip."""
    state_file = out / "audit.json"
    if out.exists() and not out.is_dir():
        raise BatchInputError(f"{out} 已存在且不是目录")
    if restart and state_file.exists():
        clear_outputs(out)
    if state_file.exists():
        previous = json.loads(state_file.read_text(encoding="utf-8"))
        if previous != state:
            raise BatchInputError(
                f"输出目录 {out} 里已有另一次审计（输入文件、分块大小或列映射不同）的结果；"
                "请换一个输出目录，或加 --restart 从头开始"
            )
    elif out.exists() and any(out.iterdir()):
        raise BatchInputError(f"输出目录 {out} 不是空的，也不是审计结果目录，请换一个输出目录")
    for name in ("results", "rejects"):
        (out / name).mkdir(parents=True, exist_ok=True)
    if not state_file.exists():
        state_file.write_text(json.dumps(state, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    done = _read_manifest(out / "manifest.jsonl")
    for name in ("results", "rejects"):
        for part in (out / name).iterdir():
            stem = part.name.split(".")[0]
            finished = stem.startswith("part-") and part.name.endswith(".parquet") and int(stem[5:]) in done
            if not finished:
                part.unlink()  # a temporary file, or a chunk finished after the manifest's last line
    return {i: e for i, e in done.items() if (out / "results" / part_name(i)).exists()}


def check_inputs(files: Sequence[InputFile], mapping: dict[RecordField, str]) -> None:
    """Open each file and map its columns now, so bad input stops the run before any work."""
    for f in files:
        next(iter(file_rows(f, mapping, 1)), None)


# -- the run ------------------------------------------------------------------------------------


def run_audit(
    inputs: Sequence[str],
    out: str | Path,
    *,
    column_map: str | Sequence[str] | dict[RecordField, str] | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    processes: int | None = None,
    log_config: LogRuleConfig | None = None,
    progress: bool = False,
    restart: bool = False,
    max_chunks: int | None = None,
    on_chunk: Callable[[dict[str, int]], None] | None = None,
) -> AuditOutcome:
    """Audit ``inputs`` into ``out`` (see the module docstring); resumes an interrupted run."""
    if chunk_size < 1:
        raise BatchInputError("--chunk-size 至少为 1")
    mapping = column_map if isinstance(column_map, dict) else parse_column_map(column_map)
    files = expand_inputs(inputs)
    check_inputs(files, mapping)
    directory = Path(out)
    done = _prepare(directory, _state(files, chunk_size, mapping), restart)
    workers = max(1, processes or os.cpu_count() or 1)
    outcome = AuditOutcome(out=directory, skipped=len(done))
    started = time.perf_counter()
    manifest = (directory / "manifest.jsonl").open("a", encoding="utf-8")

    def finished(entry: dict[str, int]) -> None:
        manifest.write(json.dumps(entry) + "\n")
        manifest.flush()
        os.fsync(manifest.fileno())
        outcome.chunks += 1
        outcome.records += entry["records"]
        outcome.rejected += entry["rejected"]
        if on_chunk is not None:
            on_chunk(entry)

    with manifest, _Progress(progress, total_bytes(files)) as bar:
        pool = (
            ProcessPoolExecutor(workers, mp_context=get_context("spawn"), initializer=_init_worker)
            if workers > 1
            else None
        )
        try:
            pending: set[Future[dict[str, int]]] = set()
            submitted = 0
            stopped_early = False
            for chunk in iter_chunks(files, mapping, chunk_size):
                if chunk.index in done:
                    bar.advance(chunk.bytes_done, 0)
                    continue
                if max_chunks is not None and submitted >= max_chunks:
                    stopped_early = True
                    break
                submitted += 1
                if pool is None:
                    entry = run_chunk(chunk.index, chunk.data, str(directory))
                    finished(entry)
                    bar.advance(chunk.bytes_done, entry["rows"])
                    continue
                while len(pending) >= 2 * workers:
                    complete, pending = wait(pending, return_when=FIRST_COMPLETED)
                    for future in complete:
                        entry = future.result()
                        finished(entry)
                        bar.advance(None, entry["rows"])
                pending.add(pool.submit(run_chunk, chunk.index, chunk.data, str(directory)))
                bar.advance(chunk.bytes_done, 0)
            for future in _as_done(pending):
                entry = future.result()
                finished(entry)
                bar.advance(None, entry["rows"])
            outcome.seconds = time.perf_counter() - started
            if stopped_early:
                return outcome
            bar.stage("时段和频率检查、汇总…")
            outcome.summary = _finish(directory, files, pool, log_config or LogRuleConfig(), chunk_size)
            outcome.complete = True
        finally:
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)
    return outcome


def _as_done(pending: set[Future[dict[str, int]]]) -> list[Future[dict[str, int]]]:
    order: list[Future[dict[str, int]]] = []
    while pending:
        complete, pending = wait(pending, return_when=FIRST_COMPLETED)
        order.extend(complete)
    return order


def _finish(
    directory: Path,
    files: Sequence[InputFile],
    pool: ProcessPoolExecutor | None,
    config: LogRuleConfig,
    chunk_size: int,
) -> dict[str, Any]:
    """The second pass (log rules), the combined rejects and the summary, from the part files."""
    import pyarrow.parquet as pq

    parts = sorted((directory / "results").glob("part-*.parquet"))
    reject_parts = sorted((directory / "rejects").glob("part-*.parquet"))
    total = sum(pq.ParquetFile(p).metadata.num_rows for p in parts)
    work = directory / "_work"
    buckets = bucket_results(parts, work, total)
    config_json = config.model_dump_json()
    per_bucket: Iterable[tuple[list[dict[str, Any]], list[dict[str, Any]]]]
    if pool is None:
        per_bucket = (evaluate_bucket(b, config_json) for b in buckets)
    else:
        per_bucket = pool.map(evaluate_bucket, buckets, [config_json] * len(buckets))
    reached = ReachedTally()

    def findings_of(buckets_out: Iterable[tuple[list[dict[str, Any]], list[dict[str, Any]]]]) -> Any:
        for findings, reached_rows in buckets_out:
            reached.add(reached_rows)
            yield findings

    findings_path = directory / "log_findings.parquet"
    tmp = findings_path.with_name(findings_path.name + ".tmp")
    with pq.ParquetWriter(tmp, log_findings_schema(), compression="zstd") as writer:
        for table in iter_findings_tables(findings_of(per_bucket)):
            writer.write_table(table)
    os.replace(tmp, findings_path)
    shutil.rmtree(work, ignore_errors=True)
    _write_rejects(reject_parts, directory / "rejects.jsonl")
    summary = summarize(
        parts,
        findings_path,
        reject_parts,
        reached=reached,
        meta={
            "generated_at": datetime.now().astimezone().isoformat(timespec="seconds"),
            "engine": "local",
            "inputs": [f.path for f in files],
            "chunk_size": chunk_size,
        },
    )
    write_summary(directory, summary)
    return summary


def _write_rejects(parts: Sequence[Path], path: Path) -> None:
    """All rejects, one JSON object a line: file, row, id, reason (in chunk order)."""
    import pyarrow.parquet as pq

    write_rejects_jsonl((row for part in parts for row in pq.read_table(part).to_pylist()), path)


def write_rejects_jsonl(rows: Iterable[dict[str, Any]], path: Path) -> None:
    """Reject rows (:data:`~txlguard.batch.chunk.REJECT_COLUMNS`) as ``rejects.jsonl``, atomically."""
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(
                json.dumps(
                    {
                        "file": row["source_file"],
                        "row": row["source_row"],
                        "id": row["id"],
                        "reason": row["reject_reason"],
                    },
                    ensure_ascii=False,
                )
                + "\n"
            )
    os.replace(tmp, path)


def write_summary(directory: Path, summary: dict[str, Any]) -> None:
    """``summary.json`` and ``summary.html`` (each written whole, then renamed)."""
    write_json(summary, directory / "summary.json")
    html = directory / "summary.html"
    html.with_suffix(".html.tmp").write_text(render_html(summary), encoding="utf-8")
    html.with_suffix(".html.tmp").replace(html)


class _Progress:
    """A Rich progress bar over the input bytes, with records per second and ETA (on stderr)."""

    def __init__(self, enabled: bool, total: int) -> None:
        self.enabled = enabled
        self.total = max(1, total)
        self.records = 0
        self.started = time.perf_counter()
        self._bar: Any = None
        self._task: Any = None

    def __enter__(self) -> _Progress:
        if self.enabled:
            from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

            from txlguard.cli_common import err

            self._bar = Progress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                TextColumn("{task.percentage:>5.1f}%"),
                TextColumn("{task.fields[records]} 条 · {task.fields[rate]} 条/秒"),
                TimeElapsedColumn(),
                TextColumn("剩余"),
                TimeRemainingColumn(),
                console=err,
            )
            self._bar.__enter__()
            self._task = self._bar.add_task("审计", total=self.total, records="0", rate="—")
        return self

    def advance(self, bytes_done: int | None, records: int) -> None:
        self.records += records
        if self._bar is None:
            return
        rate = self.records / max(1e-9, time.perf_counter() - self.started)
        fields: dict[str, Any] = {"records": f"{self.records:,}", "rate": f"{rate:,.0f}"}
        if bytes_done is not None:
            fields["completed"] = bytes_done
        self._bar.update(self._task, **fields)

    def stage(self, description: str) -> None:
        if self._bar is not None:
            self._bar.update(self._task, description=description, completed=self.total)

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
