"""The Spark engine: the local engine's pure functions, run by Apache Spark (``pip install 'txlguard[spark]'``).

The flow, with the same output directory as the local engine (:mod:`txlguard.batch.local`):

1. **Input frame.** Parquet files are read by Spark itself (split by row groups over the
   executors); their typed values go through :func:`~txlguard.batch.readers.rows_of_columns` in
   ``mapInArrow`` — the local Parquet reader's conversion — with the file and the row number from
   Spark's ``_metadata``. CSV and JSONL files (UTF-8, GBK, GB18030, bad rows kept with a reason)
   are decoded by the local engine's streaming readers into Parquet files of the input frame under
   ``_work/input`` first, then read by Spark: one decoder, so the same rows and the same rejects.
2. **Per record.** :func:`~txlguard.batch.chunk.map_partitions` — ``process_chunk`` over each Arrow
   batch — through ``mapInPandas`` with the explicit schema of
   :func:`~txlguard.batch.chunk.output_schema`; written once to ``_work/scanned``, then split into
   ``results/`` and ``rejects/`` (Spark's part files).
3. **Log rules.** The compact columns, hash-partitioned by borrower into buckets of at most
   :data:`~txlguard.batch.logpass.BUCKET_ROWS` records, each bucket through ``applyInPandas`` with
   :func:`~txlguard.batch.logpass.evaluate_frame` — the local engine's function — after sorting its
   rows into input order (file, row), which is what ties in time are broken by.
4. **Rejects and summary.** ``rejects.jsonl`` in input order, then ``summary.json``/``summary.html``
   by :func:`~txlguard.batch.summary.summarize` over the part files.

Results equal the local engine's row for row (the part files are cut differently, and the order of
the log findings differs: sort to compare). There is no chunk-level resume: Spark retries failed
tasks itself, and a rerun into the same directory starts over.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import threading
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from txlguard.batch.chunk import REJECT_COLUMNS, RESULT_COLUMNS, map_partitions, output_schema
from txlguard.batch.local import (
    AuditOutcome,
    _prepare,
    _state,
    check_inputs,
    clear_outputs,
    write_rejects_jsonl,
    write_summary,
)
from txlguard.batch.logpass import BUCKET_COLUMNS, bucket_count, evaluate_frame, log_findings_schema
from txlguard.batch.readers import InputFile, expand_inputs, file_rows, rows_of_columns, rows_table
from txlguard.batch.schema import (
    INPUT_COLUMNS,
    BatchInputError,
    RecordField,
    parse_column_map,
    resolve_columns,
)
from txlguard.batch.summary import ReachedTally, reached_of_frame, summarize
from txlguard.detect.logrules import LogRuleConfig

DEFAULT_BATCH_ROWS = 10_000
_QUIET_LOG4J = """\
rootLogger.level = error
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n
"""


def spark_available() -> bool:
    try:
        import pyspark  # type: ignore[import-not-found,unused-ignore]  # noqa: F401
    except ImportError:
        return False
    return True


def local_master(processes: int | None = None) -> str:
    return f"local[{max(1, processes or os.cpu_count() or 1)}]"


def spark_session(
    master: str | None = None, *, processes: int | None = None, batch_rows: int = DEFAULT_BATCH_ROWS
) -> Any:
    """A Spark session for audits: ``local[N]`` unless ``master`` says otherwise; no web UI, quiet logs.

    In local mode Spark binds to 127.0.0.1 (no network needed), uses few shuffle partitions and a
    driver of 2 GiB; on a cluster the cluster's settings (``spark-submit --conf``) apply.
    """
    if not spark_available():
        raise BatchInputError("Spark 引擎需要 PySpark：pip install 'txlguard[spark]'（还需要 Java 17）")
    from pyspark.sql import SparkSession  # type: ignore[import-not-found,unused-ignore]

    master = master or local_master(processes)
    local = master.startswith("local")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    if local:
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    log4j = Path(os.environ.get("TMPDIR", "/tmp")) / "txlguard-spark-log4j2.properties"
    if not log4j.exists():
        log4j.write_text(_QUIET_LOG4J, encoding="utf-8")
    builder = (
        SparkSession.builder.master(master)
        .appName("txlguard-audit")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", str(batch_rows))
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.driver.extraJavaOptions", f"-Dlog4j2.configurationFile=file:{log4j}")
        .config("spark.sql.parquet.compression.codec", "zstd")
    )
    if local:
        cores = int(master[6:-1]) if master[6:-1].isdigit() else os.cpu_count() or 1
        builder = (
            builder.config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.driver.memory", "2g")
            .config("spark.sql.shuffle.partitions", str(max(2, 2 * cores)))
            .config("spark.default.parallelism", str(max(2, 2 * cores)))
        )
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


# -- reading ------------------------------------------------------------------------------------


def _spark_schema(arrow_schema: Any) -> Any:
    """An Arrow schema of ours as a Spark schema (naive timestamps as ``timestamp_ntz``)."""
    import pyarrow as pa  # type: ignore[import-untyped]
    from pyspark.sql import types as T  # type: ignore[import-not-found,unused-ignore]

    def convert(t: Any) -> Any:
        if pa.types.is_string(t):
            return T.StringType()
        if pa.types.is_int64(t):
            return T.LongType()
        if pa.types.is_boolean(t):
            return T.BooleanType()
        if pa.types.is_date32(t):
            return T.DateType()
        if pa.types.is_timestamp(t):
            return T.TimestampNTZType() if t.tz is None else T.TimestampType()
        if pa.types.is_list(t):
            return T.ArrayType(convert(t.value_type))
        raise TypeError(f"no Spark type for {t}")

    return T.StructType([T.StructField(f.name, convert(f.type), True) for f in arrow_schema])


def _input_schema() -> Any:
    from txlguard.batch.readers import input_arrow_schema

    return _spark_schema(input_arrow_schema())


def _quoted(column: str) -> str:
    return "`" + column.replace("`", "``") + "`"


def _local_path(uri: str) -> str:
    parsed = urlparse(uri)
    return str(Path(unquote(parsed.path)).resolve()) if parsed.scheme in ("", "file") else uri


def _convert_batches(
    fields: Sequence[RecordField], names: dict[str, str], batches: Iterator[Any]
) -> Iterator[Any]:
    """``mapInArrow``: raw Parquet columns (aliased by field) + ``_path``/``_row`` → input-frame batches."""
    for batch in batches:
        data = {field: batch.column(field).to_pylist() for field in fields}
        uris = batch.column("_path").to_pylist()
        files = [names.get(u) or _local_path(u) for u in uris]
        numbers = [int(r) + 1 for r in batch.column("_row").to_pylist()]
        yield from rows_table(rows_of_columns(data, files, numbers)).to_batches()


def _parquet_frame(spark: Any, files: Sequence[InputFile], mapping: dict[RecordField, str]) -> Any:
    """Parquet inputs read by Spark, grouped by their column mapping and types (one scan per group)."""
    import pyarrow.parquet as pq  # type: ignore[import-untyped]
    from pyspark.sql import functions as F  # type: ignore[import-not-found,unused-ignore]

    groups: dict[str, tuple[dict[RecordField, str], list[InputFile]]] = {}
    for f in files:
        try:
            schema = pq.ParquetFile(f.path).schema_arrow
        except (OSError, ValueError) as exc:
            raise BatchInputError(f"{f.path} 不是有效的 Parquet 文件，或文件已损坏：{exc}") from exc
        columns = resolve_columns([str(n) for n in schema.names], mapping, f.path)
        key = json.dumps(
            sorted((field, column, str(schema.field(column).type)) for field, column in columns.items())
        )
        groups.setdefault(key, (columns, []))[1].append(f)
    frames = []
    for columns, group in groups.values():
        fields = list(columns)
        raw = spark.read.parquet(*[Path(f.path).as_uri() for f in group]).select(
            *[F.col(_quoted(columns[field])).alias(field) for field in fields],
            F.col("_metadata.file_path").alias("_path"),
            F.col("_metadata.row_index").alias("_row"),
        )
        names = {Path(f.path).as_uri(): f.path for f in group}
        names |= {"file:" + f.path: f.path for f in group}
        frames.append(raw.mapInArrow(partial(_convert_batches, fields, names), _input_schema()))
    return frames


def _stage_text_inputs(
    files: Sequence[InputFile], mapping: dict[RecordField, str], staging: Path, batch_rows: int
) -> list[Path]:
    """CSV and JSONL → Parquet files of the input frame, by the local engine's streaming readers."""
    import pyarrow.parquet as pq

    from txlguard.batch.readers import input_arrow_schema

    staging.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    for i, f in enumerate(files):
        path = staging / f"input-{i:05d}.parquet"
        with pq.ParquetWriter(path, input_arrow_schema(), compression="zstd") as writer:
            rows = []
            try:
                for row, _ in file_rows(f, mapping, batch_rows):
                    rows.append(row)
                    if len(rows) >= batch_rows:
                        writer.write_table(rows_table(rows))
                        rows = []
            except OSError as exc:
                raise BatchInputError(f"无法读取输入文件 {f.path}：{exc.strerror or exc}") from exc
            if rows:
                writer.write_table(rows_table(rows))
        paths.append(path)
    return paths


def input_frame(
    spark: Any, files: Sequence[InputFile], mapping: dict[RecordField, str], work: Path, batch_rows: int
) -> Any:
    """All inputs as one Spark DataFrame of the input frame (:data:`INPUT_COLUMNS`)."""
    frames = _parquet_frame(spark, [f for f in files if f.kind == "parquet"], mapping)
    text = [f for f in files if f.kind != "parquet"]
    if text:
        staged = _stage_text_inputs(text, mapping, work / "input", batch_rows)
        frames.append(spark.read.parquet(*[p.as_uri() for p in staged]).select(*INPUT_COLUMNS))
    frame = frames[0]
    for other in frames[1:]:
        frame = frame.unionByName(other)
    return frame


def _split_size(spark: Any, files: Sequence[InputFile]) -> None:
    """Input splits small enough for every core to get several (Spark's default is 128 MB)."""
    cores = spark.sparkContext.defaultParallelism
    total = sum(f.size for f in files)
    size = min(128 << 20, max(1 << 20, total // max(1, 3 * cores)))
    spark.conf.set("spark.sql.files.maxPartitionBytes", str(size))


# -- the run ------------------------------------------------------------------------------------


class _SparkProgress:
    """A Rich progress bar (stderr) over the tasks of the running Spark stages, by step of the audit."""

    def __init__(self, enabled: bool, spark: Any) -> None:
        self.enabled = enabled
        self.context = spark.sparkContext
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._bar: Any = None
        self._task: Any = None
        self._step = ""

    def __enter__(self) -> _SparkProgress:
        if self.enabled:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            from txlguard.cli_common import err

            self._bar = Progress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("个任务"),
                TimeElapsedColumn(),
                console=err,
            )
            self._bar.__enter__()
            self._task = self._bar.add_task("Spark", total=None)
            self._thread = threading.Thread(target=self._poll, daemon=True)
            self._thread.start()
        return self

    def step(self, description: str) -> None:
        """Name the next Spark jobs (also shown in Spark's own logs and UI)."""
        self._step = description
        self.context.setJobDescription(description)
        if self._bar is not None:
            self._bar.update(self._task, description=description, completed=0, total=None)

    def _poll(self) -> None:
        tracker = self.context.statusTracker()
        while not self._stop.wait(0.5):
            stages = [tracker.getStageInfo(s) for s in tracker.getActiveStageIds()]
            stages = [s for s in stages if s is not None]
            if stages:
                total = sum(s.numTasks for s in stages)
                done = sum(s.numCompletedTasks for s in stages)
                self._bar.update(self._task, completed=done, total=total)

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
        self.context.setJobDescription(None)


def _file_order(paths: Sequence[str]) -> Any:
    """A column: the position (1-based) of a row's ``source_file`` among the inputs."""
    from pyspark.sql import functions as F

    return F.array_position(F.array(*[F.lit(p) for p in paths]), F.col("source_file"))


def _findings_of_bucket(config_json: str, frame: Any) -> Any:
    """``applyInPandas``: one bucket's records, sorted into input order, → its log findings."""
    import pandas as pd  # type: ignore[import-untyped]

    ordered = frame.sort_values(["_file", "source_row"], kind="stable").reset_index(drop=True)
    rows = evaluate_frame(ordered, config_json)
    return pd.DataFrame(rows, columns=log_findings_schema().names)


_REACHED_SCHEMA = "borrower_id string, contacts long, messages long, labels string, agents array<string>"


def _reached_of_bucket(frame: Any) -> Any:
    """``applyInPandas``: one bucket's borrowers whose contacts were reached (labels as JSON)."""
    import pandas as pd

    rows = [{**r, "labels": json.dumps(r["labels"], ensure_ascii=False)} for r in reached_of_frame(frame)]
    return pd.DataFrame(rows, columns=["borrower_id", "contacts", "messages", "labels", "agents"])


def _concat_parquet(directory: Path, schema: Any, path: Path) -> None:
    """Spark's part files of one small table → a single Parquet file, row group by row group."""
    import pyarrow.parquet as pq

    tmp = path.with_name(path.name + ".tmp")
    with pq.ParquetWriter(tmp, schema, compression="zstd") as writer:
        for part in sorted(directory.glob("part-*.parquet")):
            source = pq.ParquetFile(part, pre_buffer=False)
            for g in range(source.num_row_groups):
                writer.write_table(source.read_row_group(g).cast(schema))
    os.replace(tmp, path)


def _prepare_spark(out: str | Path, state: dict[str, Any], restart: bool) -> Path:
    """The output directory for a Spark run: new, or a previous Spark run of the same audit (cleared)."""
    directory = Path(out).resolve()
    previous = directory / "audit.json"
    same = previous.exists() and json.loads(previous.read_text(encoding="utf-8")) == state
    if same or restart:
        clear_outputs(directory)
    _prepare(directory, state, restart=False)
    for name in ("results", "rejects"):
        shutil.rmtree(directory / name)  # Spark writes these directories itself
    return directory


def run_spark_audit(
    inputs: Sequence[str],
    out: str | Path,
    *,
    column_map: str | Sequence[str] | dict[RecordField, str] | None = None,
    batch_rows: int = DEFAULT_BATCH_ROWS,
    master: str | None = None,
    processes: int | None = None,
    log_config: LogRuleConfig | None = None,
    restart: bool = False,
    progress: bool = False,
    spark: Any = None,
) -> AuditOutcome:
    """Audit local ``inputs`` into ``out`` with Spark (see the module docstring); ``spark`` reuses a session."""
    if batch_rows < 1:
        raise BatchInputError("--chunk-size 至少为 1")
    mapping = column_map if isinstance(column_map, dict) else parse_column_map(column_map)
    files = expand_inputs(inputs)
    check_inputs(files, mapping)
    directory = _prepare_spark(out, {**_state(files, batch_rows, mapping), "engine": "spark"}, restart)
    session = spark or spark_session(master, processes=processes, batch_rows=batch_rows)
    _split_size(session, files)
    return _audit(
        session,
        lambda work: input_frame(session, files, mapping, work, batch_rows),
        directory,
        order=_file_order([f.path for f in files]),
        inputs=[f.path for f in files],
        batch_rows=batch_rows,
        log_config=log_config,
        progress=progress,
    )


def source_frame(spark: Any, source: str, kind: str, mapping: dict[RecordField, str]) -> Any:
    """A table of Spark's catalog (Hive) or Parquet at any path Spark reads (hdfs://, s3a://) as the input frame.

    Parquet rows are numbered within their file (``_metadata``); a table's rows get unique,
    increasing but not consecutive numbers (``monotonically_increasing_id``) and ``table:NAME`` as file.
    """
    from pyspark.sql import functions as F

    raw = spark.table(source) if kind == "table" else spark.read.parquet(source)
    columns = resolve_columns([str(c) for c in raw.columns], mapping, source)
    fields = list(columns)
    if kind == "table":
        origin = [F.lit(f"table:{source}").alias("_path"), F.monotonically_increasing_id().alias("_row")]
    else:
        origin = [F.col("_metadata.file_path").alias("_path"), F.col("_metadata.row_index").alias("_row")]
    return raw.select(*[F.col(_quoted(columns[f])).alias(f) for f in fields], *origin).mapInArrow(
        partial(_convert_batches, fields, {}), _input_schema()
    )


def run_spark_source_audit(
    spark: Any,
    source: str,
    out: str | Path,
    *,
    kind: str = "table",
    column_map: str | Sequence[str] | dict[RecordField, str] | None = None,
    batch_rows: int = DEFAULT_BATCH_ROWS,
    log_config: LogRuleConfig | None = None,
    restart: bool = False,
    progress: bool = False,
) -> AuditOutcome:
    """Audit a catalog table or Parquet path (see :func:`source_frame`) — the ``spark-submit`` entry's work.

    ``out`` must be a directory the driver reads and writes as a local path and the executors write
    to (a shared file system): Spark writes the part files, the driver the summary.
    """
    from pyspark.sql import functions as F

    if kind not in ("table", "parquet"):
        raise BatchInputError(f"未知的数据源类型 {kind}（应为 table 或 parquet）")
    mapping = column_map if isinstance(column_map, dict) else parse_column_map(column_map)
    state = {
        "version": 1,
        "engine": "spark",
        "source": {"kind": kind, "name": source},
        "chunk_size": batch_rows,
        "column_map": dict(sorted(mapping.items())),
    }
    directory = _prepare_spark(out, state, restart)
    return _audit(
        spark,
        lambda work: source_frame(spark, source, kind, mapping),
        directory,
        order=F.col("source_file"),
        inputs=[f"{kind}:{source}"],
        batch_rows=batch_rows,
        log_config=log_config,
        progress=progress,
    )


def _audit(
    session: Any,
    make_frame: Callable[[Path], Any],
    directory: Path,
    *,
    order: Any,
    inputs: list[str],
    batch_rows: int,
    log_config: LogRuleConfig | None,
    progress: bool,
) -> AuditOutcome:
    """Steps 2–4 of the module docstring over the input frame ``make_frame`` builds."""
    from pyspark.sql import functions as F

    session.conf.set("spark.sql.execution.arrow.maxRecordsPerBatch", str(batch_rows))
    work = directory / "_work"
    config_json = (log_config or LogRuleConfig()).model_dump_json()
    outcome = AuditOutcome(out=directory)
    with _SparkProgress(progress, session) as bar:
        started = time.perf_counter()
        bar.step("读取输入")
        frame = make_frame(work)
        bar.step("逐条检查")
        scanned_dir = work / "scanned"
        frame.mapInPandas(map_partitions, _spark_schema(output_schema())).write.mode("overwrite").parquet(
            scanned_dir.as_uri()
        )
        bar.step("写出结果")
        scanned = session.read.parquet(scanned_dir.as_uri())
        rejected_rows = F.col("reject_reason").isNotNull()
        scanned.where(~rejected_rows).select(*RESULT_COLUMNS).write.mode("overwrite").parquet(
            (directory / "results").as_uri()
        )
        scanned.where(rejected_rows).select(*REJECT_COLUMNS).write.mode("overwrite").parquet(
            (directory / "rejects").as_uri()
        )
        outcome.seconds = time.perf_counter() - started
        results = session.read.parquet((directory / "results").as_uri())
        rejects = session.read.parquet((directory / "rejects").as_uri())
        outcome.records = results.count()
        outcome.rejected = rejects.count()
        outcome.chunks = len(list((directory / "results").glob("part-*.parquet")))

        bar.step("时段和频率检查")
        buckets = bucket_count(outcome.records)
        findings_dir = work / "log_findings"
        bucketed = (
            results.select(*BUCKET_COLUMNS, "source_file", "source_row")
            .withColumn("_file", order)
            .withColumn("_bucket", F.pmod(F.xxhash64("borrower_id"), F.lit(buckets)))
            .groupBy("_bucket")
        )
        with warnings.catch_warnings():  # PySpark cannot read type hints off a partial, and says so
            warnings.simplefilter("ignore", UserWarning)
            findings = bucketed.applyInPandas(
                partial(_findings_of_bucket, config_json), _spark_schema(log_findings_schema())
            )
            reached_rows = bucketed.applyInPandas(_reached_of_bucket, _REACHED_SCHEMA)
        findings.write.mode("overwrite").parquet(findings_dir.as_uri())
        findings_path = directory / "log_findings.parquet"
        _concat_parquet(findings_dir, log_findings_schema(), findings_path)
        reached = ReachedTally()
        batch: list[dict[str, Any]] = []
        for row in reached_rows.toLocalIterator():
            batch.append({**row.asDict(), "labels": json.loads(row["labels"]), "agents": list(row["agents"])})
            if len(batch) >= 10_000:
                reached.add(batch)
                batch = []
        reached.add(batch)
        bar.step("汇总")
        write_rejects_jsonl(
            (
                row.asDict()
                for row in rejects.withColumn("_file", order)
                .orderBy("_file", "source_row")
                .select(*REJECT_COLUMNS)
                .toLocalIterator()
            ),
            directory / "rejects.jsonl",
        )
    shutil.rmtree(work, ignore_errors=True)
    summary = summarize(
        sorted((directory / "results").glob("part-*.parquet")),
        findings_path,
        sorted((directory / "rejects").glob("part-*.parquet")),
        reached=reached,
        meta={
            "generated_at": datetime.now().astimezone().isoformat(timespec="seconds"),
            "engine": "spark",
            "spark_master": session.sparkContext.master,
            "inputs": inputs,
            "chunk_size": batch_rows,
        },
    )
    write_summary(directory, summary)
    outcome.summary = summary
    outcome.complete = True
    return outcome
