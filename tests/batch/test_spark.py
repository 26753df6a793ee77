"""The Spark engine (real Spark, ``local[2]``) gives the local engine's outputs on the same 20k records.

One Spark session for the module; skipped only where PySpark is not installed (``make test``
installs it with the ``spark`` extra).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from txlguard.batch import run_audit
from txlguard.batch.chunk import output_schema

pytest.importorskip("pyspark")

from txlguard.batch.spark import run_spark_audit, spark_session

from . import _records as _h

META = ("generated_at", "engine", "spark_master", "chunk_size")


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    session = spark_session("local[2]")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """20,000 realistic records in a GBK CSV, a JSONL and a Parquet file, with malformed rows in each."""
    base = tmp_path_factory.mktemp("inputs")
    records = _h.make_records(20_000, seed=5)
    records[10]["text"] = ""  # no text
    records[11]["timestamp"] = "昨天晚上"  # no time
    records[12]["recipient"] = "路人"  # no such role
    records[7010]["duration"] = "很久"  # no duration
    records[14_000]["id"] = ""  # no id
    csv_path = _h.write_csv(base / "a.csv", records[:7000], encoding="gbk")
    with csv_path.open("ab") as f:  # a row of too few columns and a row of bytes GBK cannot decode
        f.write(b"X1,B1,13800000000\r\n")
        f.write(b"X2,B1,13800000000,borrower,A0001,sms,2025-03-02 10:00:00,\x81\x20\xff\xfe,\r\n")
    jsonl_path = _h.write_jsonl(base / "b.jsonl", records[7000:14_000])
    with jsonl_path.open("a", encoding="utf-8") as f:
        f.write('{"id": "J1", "text": "不是完整的 JSON\n["not", "an object"]\n')
    parquet_path = _h.write_parquet(base / "c.parquet", records[14_000:])
    return [str(csv_path), str(jsonl_path), str(parquet_path)]


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory, inputs: list[str], spark: Any) -> dict[str, Any]:
    base = tmp_path_factory.mktemp("engines")
    t0 = time.perf_counter()
    local = run_audit(inputs, base / "local", chunk_size=2000, processes=2)
    t1 = time.perf_counter()
    remote = run_spark_audit(inputs, base / "spark", batch_rows=2000, spark=spark)
    t2 = time.perf_counter()
    print(f"local engine {t1 - t0:.1f} s, Spark local[2] {t2 - t1:.1f} s")
    return {"local": base / "local", "spark": base / "spark", "outcomes": (local, remote)}


def _results(out: Path) -> pd.DataFrame:
    """All part files of ``results/`` (the local engine's or Spark's), in input order."""
    import pyarrow.parquet as pq

    table = pq.read_table(out / "results")
    schema = [(f.name, str(f.type).replace("element", "item")) for f in table.schema]
    assert schema == [(f.name, str(f.type)) for f in output_schema() if f.name != "reject_reason"]
    frame = table.to_pandas(ignore_metadata=True)
    frame = frame.sort_values(["source_file", "source_row"], kind="stable").reset_index(drop=True)
    for column in ("labels", "provisions"):
        frame[column] = frame[column].map(list)
    return frame


def test_per_record_results_are_identical(both: dict[str, Any]) -> None:
    local, spark = _results(both["local"]), _results(both["spark"])
    assert len(local) == 20_000 - 5 and local["labels"].map(len).sum() > 1000
    pd.testing.assert_frame_equal(local, spark)
    local_outcome, spark_outcome = both["outcomes"]
    assert (local_outcome.records, local_outcome.rejected) == (spark_outcome.records, spark_outcome.rejected)


def test_log_findings_are_identical(both: dict[str, Any]) -> None:
    def findings(out: Path) -> pd.DataFrame:
        frame = pd.read_parquet(out / "log_findings.parquet")
        for column in ("provisions", "record_ids", "agent_ids"):
            frame[column] = frame[column].map(list)
        frame["_ids"] = frame["record_ids"].map(tuple)
        keys = ["borrower_id", "label", "counterparty", "day", "parameter", "_ids"]
        return frame.sort_values(keys, kind="stable").drop(columns="_ids").reset_index(drop=True)

    local, spark = findings(both["local"]), findings(both["spark"])
    assert set(local["label"]) == {"off_hours_contact", "excessive_frequency"}
    pd.testing.assert_frame_equal(local, spark)


def test_rejects_are_identical_with_their_reasons(both: dict[str, Any]) -> None:
    local = (both["local"] / "rejects.jsonl").read_text(encoding="utf-8")
    assert local == (both["spark"] / "rejects.jsonl").read_text(encoding="utf-8")
    reasons = [json.loads(line)["reason"] for line in local.splitlines()]
    assert len(reasons) == 9
    for words in (
        "缺少内容",
        "昨天晚上",
        "路人",
        "很久",
        "缺少记录编号",
        "列数为 3",
        "无法按 gb18030 解码",
        "不是有效的 JSON",
        "应为 JSON 对象",
    ):
        assert any(words in r for r in reasons), words


def test_summaries_are_identical(both: dict[str, Any]) -> None:
    def summary(out: Path) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((out / "summary.json").read_text(encoding="utf-8"))
        return {k: v for k, v in data.items() if k not in META}

    local, spark = summary(both["local"]), summary(both["spark"])
    assert local == spark
    assert json.dumps(local, ensure_ascii=False) == json.dumps(spark, ensure_ascii=False)  # key order too
    assert local["totals"]["rows"] == 20_004 and local["totals"]["rejected"] == 9
    html = (both["spark"] / "summary.html").read_text(encoding="utf-8")
    assert "催收记录合规审计报告" in html and html.count("data:image/png;base64,") >= 2


def test_the_command_line_runs_the_spark_engine(tmp_path: Path, spark: Any) -> None:
    from typer.testing import CliRunner

    from txlguard.cli import app

    src = _h.write_jsonl(tmp_path / "in.jsonl", _h.make_records(400, seed=8))
    args = ["audit", str(src), "--out", str(tmp_path / "out"), "--engine", "spark", "--quiet"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "审计完成：400 条记录" in result.output
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert summary["engine"] == "spark" and summary["totals"]["records"] == 400
    # again, with the progress bar: it starts over in the same directory
    again = CliRunner().invoke(app, args[:-1])
    assert again.exit_code == 0 and "审计完成：400 条记录" in again.output, again.output
    other = CliRunner().invoke(app, [*args[:3], str(tmp_path / "out"), "--quiet"])  # the local engine
    assert other.exit_code == 2 and "另一次审计" in other.output


def test_a_table_in_sparks_catalog_is_audited_like_the_same_file(
    tmp_path: Path, spark: Any, inputs: list[str], both: dict[str, Any]
) -> None:
    """The spark-submit path (a Hive/catalog table): same per-record results as for the file."""
    from txlguard.batch.spark import run_spark_source_audit

    parquet = inputs[2]
    spark.read.parquet(parquet).createOrReplaceTempView("collection_records")
    outcome = run_spark_source_audit(spark, "collection_records", tmp_path / "out", kind="table")
    got = _results(tmp_path / "out")
    assert set(got["source_file"]) == {"table:collection_records"}
    expected = _results(both["local"])
    expected = expected[expected["source_file"] == parquet]

    def comparable(frame: pd.DataFrame) -> pd.DataFrame:
        frame = frame.drop(columns=["source_file", "source_row"])
        return frame.sort_values("id", kind="stable").reset_index(drop=True)

    pd.testing.assert_frame_equal(comparable(got), comparable(expected))
    assert outcome.rejected == 1  # the row without an id
    assert outcome.summary["inputs"] == ["table:collection_records"]
