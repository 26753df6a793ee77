"""Stream input files (CSV, JSONL, Parquet; UTF-8, GBK, GB18030) as fixed-size chunks of the input frame.

Nothing holds more than one chunk of rows: CSV and JSONL are read line by line, Parquet by record
batches (without pyarrow's ``pre_buffer``, whose cache of read ranges grew with the file: about
the file's size in memory after reading it through). A row that cannot be read (undecodable bytes, wrong column count, bad JSON) is not
dropped: it travels in its chunk with a Chinese reason in ``read_error`` and ends in the rejects.
Chunks never span two files, so a chunk's number identifies the same rows on every run with the
same inputs and chunk size — what resuming relies on.
"""

from __future__ import annotations

import codecs
import csv
import glob
import json
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

from txlguard.batch.schema import (
    INPUT_COLUMNS,
    RECORD_FIELDS,
    SOURCE_FILE,
    SOURCE_ROW,
    BatchInputError,
    RecordField,
    resolve_columns,
)

Kind = Literal["csv", "jsonl", "parquet"]
Row = tuple[Any, ...]
_SNIFF_BYTES = 1 << 20
_DELIMITERS = (",", "\t", ";", "|", "，")


@dataclass(frozen=True)
class InputFile:
    """One input file as found on disk; size and mtime tell a resumed run whether it changed."""

    path: str
    kind: Kind
    size: int
    mtime_ns: int

    def fingerprint(self) -> dict[str, object]:
        return {"path": self.path, "kind": self.kind, "size": self.size, "mtime_ns": self.mtime_ns}


@dataclass
class RawChunk:
    """Chunk ``index`` of the run: input-frame rows of one file, and how far into the inputs it reaches.

    CSV and JSONL chunks hold Python rows (``rows``); Parquet chunks hold the input frame as an
    Arrow table (``table``), built column by column, which the main process hands to a worker
    without touching a row.
    """

    index: int
    file: str
    rows: list[Row]
    bytes_done: int
    table: Any = None

    def __len__(self) -> int:
        return int(self.table.num_rows) if self.table is not None else len(self.rows)

    @property
    def data(self) -> list[Row] | Any:
        """What a worker needs to rebuild the frame (:func:`frame_of`)."""
        return self.table if self.table is not None else self.rows

    def frame(self) -> Any:
        """The rows as a pandas DataFrame with :data:`INPUT_COLUMNS`."""
        return frame_of(self.data)


def frame_of(data: list[Row] | Any) -> Any:
    """Python rows or an input-frame Arrow table → a pandas DataFrame with :data:`INPUT_COLUMNS`."""
    import pandas as pd  # type: ignore[import-untyped]

    if not isinstance(data, list):
        return data.to_pandas()
    frame = pd.DataFrame.from_records(data, columns=list(INPUT_COLUMNS))
    frame["source_row"] = frame["source_row"].astype("int64")
    return frame


def _kind(path: Path) -> Kind:
    suffix = path.suffix.lower()
    if suffix in (".parquet", ".pq"):
        return "parquet"
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    if suffix in (".csv", ".tsv"):
        return "csv"
    with path.open("rb") as f:
        head = f.read(4096)
    if head.startswith(b"PAR1"):
        return "parquet"
    return "jsonl" if head.lstrip().startswith(b"{") else "csv"


def expand_inputs(patterns: Sequence[str]) -> list[InputFile]:
    """Paths and globs → files, each once, in the order given (a glob's matches sorted)."""
    seen: set[str] = set()
    files: list[InputFile] = []
    for pattern in patterns:
        matches = sorted(glob.glob(pattern, recursive=True)) if glob.has_magic(pattern) else [pattern]
        if not matches:
            raise BatchInputError(f"没有文件匹配 {pattern}")
        for match in matches:
            path = Path(match)
            if not path.exists():
                raise BatchInputError(f"找不到输入文件：{match}")
            if path.is_dir():
                raise BatchInputError(f"{match} 是一个目录，请给出文件或通配符（如 {match}/*.csv）")
            resolved = str(path.resolve())
            if resolved in seen:
                continue
            seen.add(resolved)
            try:
                stat = path.stat()
                kind = _kind(path)
            except OSError as exc:
                raise BatchInputError(f"无法读取输入文件 {match}：{exc.strerror}") from exc
            files.append(InputFile(resolved, kind, stat.st_size, stat.st_mtime_ns))
    if not files:
        raise BatchInputError("没有给出输入文件")
    return files


def sniff_encoding(path: str) -> str:
    """UTF-8 unless the first megabyte has more than a stray bad byte in it; then GB18030 (⊇ GBK).

    GB18030 decodes almost any byte sequence, so it cannot be tried first; a UTF-8 file with a
    few corrupt bytes stays UTF-8 and those rows are rejected.
    """
    with open(path, "rb") as f:
        head = f.read(_SNIFF_BYTES)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if b"\x00" in head[:4096]:
        raise BatchInputError(f"{path} 不是文本文件（含有 NUL 字节），请给出 CSV、JSONL 或 Parquet 文件")
    final = len(head) < _SNIFF_BYTES
    bad = codecs.getincrementaldecoder("utf-8")("replace").decode(head, final=final).count("\ufffd")
    if bad * 1000 <= len(head) and bad <= 100:
        return "utf-8"
    return "gb18030"


def _has_surrogates(values: Sequence[str]) -> bool:
    return any(any("\udc80" <= ch <= "\udcff" for ch in v) for v in values if not v.isascii())


def _record(values: Mapping[RecordField, Any], file: str, row: int, error: str | None) -> Row:
    return (*(_as_text(values.get(f)) for f in RECORD_FIELDS), file, row, error)


def _as_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


# -- CSV ----------------------------------------------------------------------------------------


def _delimiter(header: str) -> str:
    counts = {d: len(next(csv.reader([header], delimiter=d))) for d in _DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 1 else ","


def _csv_rows(file: InputFile, mapping: Mapping[RecordField, str]) -> Iterator[tuple[Row, int]]:
    encoding = sniff_encoding(file.path)
    with open(file.path, encoding=encoding, errors="surrogateescape", newline="") as text:
        raw = text.buffer.raw  # type: ignore[attr-defined]  # its position is the progress
        first = ""
        header_line = 0
        for line in text:
            header_line += 1
            if line.strip():
                first = line
                break
        if not first:
            raise BatchInputError(f"{file.path} 里只有空行，没有表头和数据")
        delimiter = _delimiter(first)
        header = [c.strip() for c in next(csv.reader([first], delimiter=delimiter))]
        if _has_surrogates(header):
            raise BatchInputError(f"{file.path} 的表头无法按 {encoding} 解码，请另存为 UTF-8 或 GBK 后重试")
        columns = resolve_columns(header, mapping, file.path)
        index = {field: header.index(column) for field, column in columns.items()}
        reader = csv.reader(text, delimiter=delimiter)
        while True:
            start = header_line + reader.line_num + 1
            try:
                record = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield _record({}, file.path, start, f"不是有效的 CSV 行：{exc}"), raw.tell()
                continue
            if not record or (len(record) == 1 and not record[0].strip()):
                continue
            values: dict[RecordField, Any] = {
                field: (record[i] if i < len(record) else None) for field, i in index.items()
            }
            error = None
            if len(record) != len(header):
                error = f"列数为 {len(record)}，与表头的 {len(header)} 列不符"
            elif _has_surrogates(record):
                error = f"含有无法按 {encoding} 解码的字节"
                values = {}
            yield _record(values, file.path, start, error), raw.tell()


# -- JSONL --------------------------------------------------------------------------------------

_PEEK_LINES = 1000


def _jsonl_rows(file: InputFile, mapping: Mapping[RecordField, str]) -> Iterator[tuple[Row, int]]:
    encoding = sniff_encoding(file.path)
    keys: list[str] = []
    with open(file.path, "rb") as peek:
        seen = 0
        for raw_line in peek:
            stripped = raw_line.strip()
            if not stripped:
                continue
            if seen == 0 and stripped.lstrip(codecs.BOM_UTF8).startswith(b"["):
                raise BatchInputError(
                    f"{file.path} 是一个 JSON 数组，无法分块读取，请转换为每行一个 JSON 对象的 JSONL"
                )
            seen += 1
            try:
                obj = json.loads(raw_line.decode(encoding))
            except (UnicodeDecodeError, json.JSONDecodeError):
                continue
            if isinstance(obj, dict):
                keys.extend(k for k in obj if k not in keys)
            if seen >= _PEEK_LINES:
                break
    columns = resolve_columns(keys, mapping, file.path)
    with open(file.path, "rb") as f:
        for number, raw_line in enumerate(f, 1):
            if not raw_line.strip():
                continue
            try:
                line = raw_line.decode(encoding)
            except UnicodeDecodeError:
                yield _record({}, file.path, number, f"含有无法按 {encoding} 解码的字节"), f.tell()
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                yield _record({}, file.path, number, f"不是有效的 JSON：{exc.msg}"), f.tell()
                continue
            if not isinstance(obj, dict):
                yield _record({}, file.path, number, "应为 JSON 对象（{…}）"), f.tell()
                continue
            values = {field: obj.get(column) for field, column in columns.items()}
            yield _record(values, file.path, number, None), f.tell()


# -- Parquet ------------------------------------------------------------------------------------


def _open_parquet(
    file: InputFile, mapping: Mapping[RecordField, str]
) -> tuple[Any, dict[RecordField, str], list[str], int]:
    """The open file (without pyarrow's pre-buffer, which keeps about the file in memory), the
    input column of each record field, the columns to read, and the row count (at least 1)."""
    import pyarrow as pa  # type: ignore[import-untyped]
    import pyarrow.parquet as pq  # type: ignore[import-untyped]

    try:
        parquet = pq.ParquetFile(file.path, pre_buffer=False)
        names = [str(n) for n in parquet.schema_arrow.names]
        total = max(1, parquet.metadata.num_rows)
    except (pa.ArrowException, OSError) as exc:
        raise BatchInputError(f"{file.path} 不是有效的 Parquet 文件，或文件已损坏：{exc}") from exc
    columns = resolve_columns(names, mapping, file.path)
    return parquet, columns, sorted(set(columns.values())), total


def _parquet_rows(
    file: InputFile, mapping: Mapping[RecordField, str], batch_size: int
) -> Iterator[tuple[Row, int]]:
    import pyarrow as pa

    parquet, columns, wanted, total = _open_parquet(file, mapping)
    number = 0
    try:
        for batch in parquet.iter_batches(batch_size=batch_size, columns=wanted):
            data = {name: batch.column(name).to_pylist() for name in wanted}
            for i in range(batch.num_rows):
                number += 1
                values = {field: data[column][i] for field, column in columns.items()}
                yield _record(values, file.path, number, None), file.size * number // total
    except (pa.ArrowException, OSError) as exc:
        raise BatchInputError(
            f"{file.path} 第{number + 1}行附近无法读取（Parquet 文件已损坏）：{exc}"
        ) from exc


def file_rows(
    file: InputFile, mapping: Mapping[RecordField, str], batch_size: int
) -> Iterator[tuple[Row, int]]:
    """(input-frame row, bytes of the file read so far) for every row of one file."""
    if file.kind == "parquet":
        return _parquet_rows(file, mapping, batch_size)
    if file.kind == "jsonl":
        return _jsonl_rows(file, mapping)
    return _csv_rows(file, mapping)


def _parquet_tables(
    file: InputFile, mapping: Mapping[RecordField, str], chunk_size: int
) -> Iterator[tuple[Any, int]]:
    """(input-frame Arrow table of ``chunk_size`` rows, bytes read so far) of one Parquet file.

    String columns pass through as they are; other types go value by value through the same
    conversion as :func:`file_rows` (``_as_text``), so a chunk equals the one built row by row.
    """
    import numpy as np
    import pyarrow as pa

    parquet, columns, wanted, total = _open_parquet(file, mapping)
    schema = input_arrow_schema()

    def convert(raw: Any, first: int) -> Any:
        n = raw.num_rows
        arrays = []
        for name in INPUT_COLUMNS:
            column = columns.get(name)  # type: ignore[call-overload]
            if column is not None:
                values = raw.column(column)
                kind = values.type.value_type if pa.types.is_dictionary(values.type) else values.type
                if pa.types.is_string(kind) or pa.types.is_large_string(kind):
                    arrays.append(values.cast(pa.string()))
                else:
                    arrays.append(pa.array([_as_text(v) for v in values.to_pylist()], pa.string()))
            elif name == SOURCE_FILE:
                arrays.append(pa.array([file.path] * n, pa.string()))
            elif name == SOURCE_ROW:
                arrays.append(pa.array(np.arange(first, first + n, dtype=np.int64)))
            else:
                arrays.append(pa.nulls(n, pa.string()))
        return pa.Table.from_arrays(arrays, schema=schema).combine_chunks()

    done = 0
    pending: list[Any] = []
    held = 0
    try:
        for batch in parquet.iter_batches(batch_size=chunk_size, columns=wanted):
            pending.append(batch)
            held += batch.num_rows
            while held >= chunk_size:
                table = pa.Table.from_batches(pending)
                yield convert(table.slice(0, chunk_size), done + 1), file.size * (done + chunk_size) // total
                done += chunk_size
                rest = table.slice(chunk_size)
                pending, held = rest.to_batches(), rest.num_rows
        if held:
            yield convert(pa.Table.from_batches(pending), done + 1), file.size
    except (pa.ArrowException, OSError) as exc:
        raise BatchInputError(f"{file.path} 第{done + 1}行附近无法读取（Parquet 文件已损坏）：{exc}") from exc


def iter_chunks(
    files: Sequence[InputFile], mapping: Mapping[RecordField, str], chunk_size: int
) -> Iterator[RawChunk]:
    """Every file's rows in chunks of ``chunk_size`` (the last chunk of a file may be shorter)."""
    index = 0
    done_before = 0
    for file in files:
        if file.kind == "parquet":
            for table, position in _parquet_tables(file, mapping, chunk_size):
                yield RawChunk(index, file.path, [], done_before + position, table)
                index += 1
            done_before += file.size
            continue
        rows: list[Row] = []
        position = 0
        try:
            for row, position in file_rows(file, mapping, chunk_size):
                rows.append(row)
                if len(rows) >= chunk_size:
                    yield RawChunk(index, file.path, rows, done_before + position)
                    index += 1
                    rows = []
        except OSError as exc:
            raise BatchInputError(f"无法读取输入文件 {file.path}：{exc.strerror or exc}") from exc
        if rows:
            yield RawChunk(index, file.path, rows, done_before + file.size)
            index += 1
        done_before += file.size


def total_bytes(files: Sequence[InputFile]) -> int:
    return sum(f.size for f in files)


def display_name(path: str) -> str:
    """A path relative to the working directory where that is shorter (for messages and rejects)."""
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return path
    return relative if len(relative) < len(path) else path


def input_arrow_schema() -> Any:
    """The input frame as Arrow: every field, the file and the read error as strings, the row as int64."""
    import pyarrow as pa

    return pa.schema([(name, pa.int64() if name == SOURCE_ROW else pa.string()) for name in INPUT_COLUMNS])


def rows_table(rows: Sequence[Row]) -> Any:
    """Input-frame rows as an Arrow table of :func:`input_arrow_schema`."""
    import pyarrow as pa

    columns = list(zip(*rows, strict=True)) if rows else [() for _ in INPUT_COLUMNS]
    schema = input_arrow_schema()
    return pa.Table.from_arrays(
        [pa.array(list(values), type=f.type) for values, f in zip(columns, schema, strict=True)],
        schema=schema,
    )


def rows_of_columns(
    data: Mapping[RecordField, Sequence[Any]], files: Sequence[str], numbers: Sequence[int]
) -> list[Row]:
    """Input-frame rows from typed column values (as a Parquet reader gives them), converted as
    :func:`file_rows` converts a Parquet file's values — what the Spark engine's reader relies on."""
    fields = list(data.items())
    return [
        _record({field: values[i] for field, values in fields}, files[i], numbers[i], None)
        for i in range(len(numbers))
    ]
