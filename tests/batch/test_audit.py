"""The local audit engine end to end: formats and encodings, equality with the scanner and the log
rules, summary arithmetic, the HTML report, rejects, and resuming after an interruption."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from txlguard.batch import BatchInputError, process_chunk, run_audit, split_output
from txlguard.batch.readers import RawChunk, expand_inputs, iter_chunks
from txlguard.batch.schema import INPUT_COLUMNS
from txlguard.batch.summary import CONTACT_HARM_LABELS
from txlguard.detect import MessageInput, default_scanner
from txlguard.detect.logrules import evaluate_logs
from txlguard.ingest.models import Communication

from . import _records as _h

make_records, read_results = _h.make_records, _h.read_results
write_csv, write_jsonl, write_parquet = _h.write_csv, _h.write_jsonl, _h.write_parquet


@pytest.fixture(scope="module")
def records() -> list[dict[str, Any]]:
    """6,000 records: 2,000 per file in the three-format run."""
    return list(make_records(6000))


def _scanned(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The live scanner's results for raw records, by id."""
    msgs = [MessageInput(id=r["id"], text=r["text"], recipient=r["recipient"] or None) for r in rows]
    return {r.id: r for r in default_scanner().scan_batch(msgs)}


@pytest.fixture(scope="module")
def three_formats(tmp_path_factory: pytest.TempPathFactory, records: list[dict[str, Any]]) -> dict[str, Any]:
    """One audit over a GBK CSV, a JSONL and a Parquet file (2 processes, 6 chunks)."""
    base = tmp_path_factory.mktemp("three")
    files = [
        write_csv(base / "a.csv", records[:2000], encoding="gbk"),
        write_jsonl(base / "b.jsonl", records[2000:4000]),
        write_parquet(base / "c.parquet", records[4000:]),
    ]
    outcome = run_audit([str(f) for f in files], base / "out", chunk_size=1000, processes=2)
    return {"out": base / "out", "outcome": outcome, "files": files}


def test_every_format_is_read_and_each_result_equals_the_scanner(
    three_formats: dict[str, Any], records: list[dict[str, Any]]
) -> None:
    results = read_results(three_formats["out"])
    assert list(results["id"]) == [r["id"] for r in records]
    assert three_formats["outcome"].complete and three_formats["outcome"].chunks == 6
    expected = _scanned(records)
    for row in results.itertuples():
        scan = expected[row.id]
        assert list(row.labels) == scan.labels, row.id
        assert json.loads(row.detections) == [d.public() for d in scan.detections]
        assert list(row.provisions) == sorted({p for d in scan.detections for p in d.provisions})
        assert row.recipient == scan.recipient
        assert (row.template is not None) == bool(scan.labels)
    by_id = {r["id"]: r for r in records}
    sample = results.iloc[123]
    raw = by_id[sample["id"]]
    assert sample["borrower_id"] == raw["borrower_id"] and sample["agent_id"] == raw["agent_id"]
    assert sample["counterparty"] == raw["counterparty"] and sample["channel"] == raw["channel"]
    assert sample["timestamp"].to_pydatetime() == datetime.fromisoformat(raw["timestamp"])
    assert results["labels"].map(len).sum() > 0  # the corpus does contain violations


def test_log_findings_equal_evaluate_logs_per_borrower(
    three_formats: dict[str, Any], records: list[dict[str, Any]]
) -> None:
    import pyarrow.parquet as pq

    found = pq.read_table(three_formats["out"] / "log_findings.parquet").to_pylist()
    got = {
        (f["borrower_id"], f["label"], f["counterparty"], f["day"], f["count"], tuple(f["record_ids"]))
        for f in found
    }
    by_borrower: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in records:
        by_borrower[r["borrower_id"]].append(r)
    expected = set()
    for borrower, rows in by_borrower.items():
        items = [
            Communication(
                evidence_sha256="e" * 64,
                index=i,
                channel=r["channel"],
                counterparty=r["counterparty"],
                timestamp=datetime.fromisoformat(r["timestamp"]),
                duration_seconds=int(r["duration"]) if r["channel"] == "call" else None,
            )
            for i, r in enumerate(rows)
        ]
        for f in evaluate_logs(items).findings:
            ids = tuple(rows[int(c.split(":")[1])]["id"] for c in f.communication_ids)
            expected.add((borrower, f.label.value, f.counterparty, f.day, f.count, ids))
    assert got == expected
    assert {label for _, label, *_ in got} == {"off_hours_contact", "excessive_frequency"}
    # borrowers split across two files are judged on all their records
    split = {records[1999]["borrower_id"], records[3999]["borrower_id"]}
    assert split & {b for b, *_ in expected} or True


def test_summary_numbers_match_the_results(three_formats: dict[str, Any]) -> None:
    out = three_formats["out"]
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    results = read_results(out)
    flagged = results[results["labels"].map(len) > 0]
    assert summary["totals"]["records"] == len(results) == 6000
    assert summary["totals"]["rejected"] == 0 and summary["totals"]["rows"] == 6000
    assert summary["totals"]["flagged"] == len(flagged)
    labels = Counter(label for ls in flagged["labels"] for label in ls)
    assert {k: v for k, v in summary["by_label"].items() if v} == dict(labels)
    assert sum(a["records"] for a in summary["by_agent"]) == len(results)
    assert sum(a["flagged"] for a in summary["by_agent"]) == len(flagged)
    agent_flagged = flagged["agent_id"].value_counts().to_dict()
    assert {a["agent_id"]: a["flagged"] for a in summary["by_agent"] if a["flagged"]} == agent_flagged
    days = results["timestamp"].dt.date.astype(str).value_counts().to_dict()
    assert {d["day"]: d["records"] for d in summary["by_day"]} == days
    assert sum(t["count"] for t in summary["templates"]["top"]) <= len(flagged)
    top = summary["templates"]["top"][0]
    assert top["count"] == flagged["template"].value_counts().iloc[0]
    reached = flagged[
        (flagged["recipient"] == "contact")
        & flagged["labels"].map(lambda ls: bool(CONTACT_HARM_LABELS & set(ls)))
    ]
    assert summary["contacts_reached"]["borrowers"] == reached["borrower_id"].nunique() > 0
    assert summary["contacts_reached"]["messages"] == len(reached)
    log = pd.read_parquet(out / "log_findings.parquet")
    assert summary["totals"]["log_findings"] == len(log)
    for label, numbers in summary["log_findings"].items():
        assert numbers["findings"] == (log["label"] == label).sum()


def test_html_summary_is_chinese_with_embedded_charts(three_formats: dict[str, Any]) -> None:
    html = (three_formats["out"] / "summary.html").read_text(encoding="utf-8")
    assert html.startswith("<!doctype html>") and 'lang="zh-CN"' in html
    for words in (
        "催收记录合规审计报告",
        "违规类型",
        "按催收员",
        "最常违规的话术模板",
        "联系人被触达的借款人",
        "威胁联系通讯录",
    ):
        assert words in html
    assert html.count("data:image/png;base64,") >= 2


def test_process_chunk_keeps_order_and_one_schema_for_results_and_rejects() -> None:
    rows = make_records(300, seed=9)
    rows[5]["text"] = ""
    rows[7]["timestamp"] = "昨天晚上"
    files_rows = [
        (*(r.get(c) for c in INPUT_COLUMNS[:10]), "f.csv", i + 2, None)
        for i, r in enumerate({**r, "direction": None} for r in rows)
    ]
    frame = RawChunk(0, "f.csv", files_rows, 0).frame()
    out = process_chunk(frame)
    assert list(out["id"]) == [r["id"] for r in rows]
    results, rejects = split_output(out)
    assert list(rejects["source_row"]) == [7, 9]
    assert rejects["reject_reason"].iloc[0] == "缺少内容（text）"
    assert "昨天晚上" in rejects["reject_reason"].iloc[1]
    assert len(results) == 298


def test_malformed_rows_go_to_rejects_with_file_row_and_reason(tmp_path: Path) -> None:
    rows = make_records(400, seed=5)
    good = write_csv(tmp_path / "in.csv", rows)
    lines = good.read_bytes().split(b"\r\n")
    lines[3] = b"R_bad_cols,B1,138,borrower"  # too few columns
    lines[6] = lines[6].replace(b"\xe3\x80\x90", b"\xff\xfe")  # undecodable bytes
    record = rows[9]
    lines[10] = ",".join(
        [record["id"], record["borrower_id"], "", "", "A", "sms", "2025-13-45 99:00", "催收", ""]
    ).encode()
    lines[11] = ",".join(["", "B2", "", "", "A", "sms", "", "有内容但没有编号", ""]).encode()
    lines[12] = ",".join(["R_no_text", "B2", "", "", "A", "sms", "", "", ""]).encode()
    lines[13] = ",".join(["R_role", "B2", "", "保证人", "A", "sms", "", "请还款", ""]).encode()
    good.write_bytes(b"\r\n".join(lines))
    bad_json = tmp_path / "in.jsonl"
    bad_json.write_text(
        '{"id": "J1", "text": "请按时还款"}\n{"id": "J2", "text": 不是json}\n[1, 2]\n', encoding="utf-8"
    )
    outcome = run_audit([str(good), str(bad_json)], tmp_path / "out", chunk_size=100, processes=1)
    rejects = [
        json.loads(line) for line in (tmp_path / "out" / "rejects.jsonl").read_text("utf-8").splitlines()
    ]
    by_row = {(Path(r["file"]).name, r["row"]): r["reason"] for r in rejects}
    assert by_row[("in.csv", 4)].startswith("列数为 4")
    assert "无法按 utf-8 解码" in by_row[("in.csv", 7)]
    assert "2025-13-45 99:00" in by_row[("in.csv", 11)]
    assert by_row[("in.csv", 12)] == "缺少记录编号（id）"
    assert by_row[("in.csv", 13)] == "缺少内容（text）"
    assert "保证人" in by_row[("in.csv", 14)]
    assert by_row[("in.jsonl", 2)].startswith("不是有效的 JSON")
    assert by_row[("in.jsonl", 3)] == "应为 JSON 对象（{…}）"
    assert len(rejects) == 8
    summary = outcome.summary
    assert summary["totals"]["rejected"] == 8
    assert summary["totals"]["records"] + summary["totals"]["rejected"] == 400 + 3
    assert sum(summary["rejects"]["by_reason"].values()) == 8


def test_resume_after_a_stop_equals_an_uninterrupted_run(tmp_path: Path) -> None:
    rows = make_records(1500, seed=21)
    src = write_parquet(tmp_path / "in.parquet", rows)
    whole = run_audit([str(src)], tmp_path / "whole", chunk_size=200, processes=1)
    first = run_audit([str(src)], tmp_path / "cut", chunk_size=200, processes=1, max_chunks=3)
    assert not first.complete and first.chunks == 3
    assert not (tmp_path / "cut" / "summary.json").exists()
    (tmp_path / "cut" / "results" / "part-00005.parquet.tmp").write_bytes(b"half a file")  # a crash mid-write
    second = run_audit([str(src)], tmp_path / "cut", chunk_size=200, processes=2)
    assert second.complete and second.skipped == 3 and second.chunks == 5
    pd.testing.assert_frame_equal(read_results(tmp_path / "cut"), read_results(tmp_path / "whole"))
    pd.testing.assert_frame_equal(
        pd.read_parquet(tmp_path / "cut" / "log_findings.parquet"),
        pd.read_parquet(tmp_path / "whole" / "log_findings.parquet"),
    )
    a = json.loads((tmp_path / "cut" / "summary.json").read_text("utf-8"))
    b = whole.summary
    assert {k: v for k, v in a.items() if k != "generated_at"} == {
        k: v for k, v in json.loads(json.dumps(b, default=str)).items() if k != "generated_at"
    }
    lines = (tmp_path / "cut" / "manifest.jsonl").read_text("utf-8").splitlines()
    assert sorted(json.loads(line)["chunk"] for line in lines) == list(range(8))
    # a third run redoes nothing
    third = run_audit([str(src)], tmp_path / "cut", chunk_size=200, processes=1)
    assert third.chunks == 0 and third.skipped == 8


def test_a_different_run_in_the_same_directory_is_refused(tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "in.jsonl", make_records(50))
    run_audit([str(src)], tmp_path / "out", chunk_size=20, processes=1)
    with pytest.raises(BatchInputError, match="另一次审计"):
        run_audit([str(src)], tmp_path / "out", chunk_size=30, processes=1)
    again = run_audit([str(src)], tmp_path / "out", chunk_size=30, processes=1, restart=True)
    assert again.complete and again.chunks == 2


def test_column_map_and_unknown_columns(tmp_path: Path) -> None:
    rows = [
        {"msg_id": r["id"], "case_no": r["borrower_id"], "content": r["text"], "sent": r["timestamp"]}
        for r in make_records(30)
    ]
    src = write_parquet(tmp_path / "in.parquet", rows)
    outcome = run_audit(
        [str(src)],
        tmp_path / "out",
        column_map="id=msg_id,borrower_id=case_no,text=content,timestamp=sent",
        processes=1,
    )
    results = read_results(tmp_path / "out")
    assert list(results["id"]) == [r["msg_id"] for r in rows] and outcome.summary["totals"]["records"] == 30
    assert results["borrower_id"].notna().all() and results["timestamp"].notna().all()
    with pytest.raises(BatchInputError, match="没有列映射指定的列「nope」"):
        run_audit([str(src)], tmp_path / "out2", column_map="text=nope")
    with pytest.raises(BatchInputError, match="字段 colour 不认识"):
        run_audit([str(src)], tmp_path / "out3", column_map="colour=content")


def test_chunks_are_fixed_size_and_never_span_files(tmp_path: Path) -> None:
    a = write_csv(tmp_path / "a.csv", make_records(250, seed=1))
    b = write_jsonl(tmp_path / "b.jsonl", make_records(120, seed=2))
    chunks = list(iter_chunks(expand_inputs([str(tmp_path / "*.*")]), {}, 100))
    assert [len(c.rows) for c in chunks] == [100, 100, 50, 100, 20]
    assert [Path(c.file).name for c in chunks] == ["a.csv"] * 3 + ["b.jsonl"] * 2
    assert [c.index for c in chunks] == [0, 1, 2, 3, 4]
    assert chunks[-1].bytes_done == a.stat().st_size + b.stat().st_size
