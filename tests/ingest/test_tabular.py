"""CSV, JSONL and Parquet tables with Chinese or English columns, auto-detected or mapped."""

from __future__ import annotations

import io
import json
from datetime import datetime, timedelta, timezone

import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]
import pytest

from txlguard.ingest.models import IngestError
from txlguard.ingest.readers.tabular import read_csv, read_jsonl, read_parquet

GBK_CSV = (
    "时间,号码,内容,类型,收发\r\n"
    "2024-03-01 21:15:03,10690571234567,【速借宝】您已逾期7天，请今日还款,短信,接收\r\n"
    "2024/3/1 23:40,10690571234567,不还就通知你通讯录所有人,短信,接收\r\n"
    ",,,,\r\n"
    "2024年3月2日 08:30,13800138000,我会尽快还,短信,发送\r\n"
)


def test_gbk_csv_with_chinese_columns() -> None:
    data = GBK_CSV.encode("gbk")
    evidence, items = read_csv(data, "短信导出.csv")
    assert evidence.kind == "csv"
    assert evidence.media_type == "text/csv"
    assert len(items) == 3  # the blank row is skipped
    first, second, third = items
    assert first.timestamp == datetime(2024, 3, 1, 21, 15, 3)
    assert first.counterparty == "10690571234567"
    assert first.text == "【速借宝】您已逾期7天，请今日还款"
    assert first.channel == "sms"
    assert first.direction == "incoming"
    assert second.timestamp == datetime(2024, 3, 1, 23, 40)
    assert third.direction == "outgoing"
    assert third.timestamp == datetime(2024, 3, 2, 8, 30)
    assert [c.index for c in items] == [0, 1, 2]


def test_utf8_bom_tsv_call_log_with_durations_and_missed_calls() -> None:
    rows = [
        "通话时间\t对方号码\t通话类型\t通话时长",
        "2024-03-05 09:00:00\t+86 171 0325 8890\t来电\t2分5秒",
        "2024-03-05 09:10:00\t+86 171 0325 8890\t未接来电\t",
        "2024-03-05 23:30:00\t+86 171 0325 8890\t拒接\t0",
        "2024-03-05 10:00:00\t95188\t去电\t00:01:10",
    ]
    data = "\ufeff".encode() + "\n".join(rows).encode()
    _, items = read_csv(data, "calls.tsv")
    assert [c.channel for c in items] == ["call"] * 4
    assert [c.duration_seconds for c in items] == [125, 0, 0, 70]
    assert [c.direction for c in items] == ["incoming", "incoming", "incoming", "outgoing"]
    assert items[0].counterparty == "+86 171 0325 8890"


def test_android_numeric_call_types() -> None:
    data = b"number,date,type,duration\n10086,1709298903000,1,30\n10086,1709298904000,2,15\n10086,1709298905000,3,9\n"
    _, items = read_csv(data, "calllog.csv")
    assert [(c.channel, c.direction, c.duration_seconds) for c in items] == [
        ("call", "incoming", 30),
        ("call", "outgoing", 15),
        ("call", "incoming", 0),  # missed: the 9 s of ringing never connected
    ]


def test_explicit_mapping_for_unusual_columns() -> None:
    data = "when,who,what\n2024-03-01 21:15,催收小王,今天必须还\n".encode()
    with pytest.raises(IngestError, match="找不到时间列或内容列"):
        read_csv(data, "odd.csv")
    _, items = read_csv(data, "odd.csv", {"time": "when", "counterparty": "who", "text": "what"})
    assert items[0].counterparty == "催收小王"
    assert items[0].text == "今天必须还"
    assert items[0].timestamp == datetime(2024, 3, 1, 21, 15)


def test_separate_date_and_time_columns() -> None:
    data = "日期,时间,号码,内容\n2024-03-01,21:15,10086,逾期提醒\n".encode()
    _, items = read_csv(data, "split.csv")
    assert items[0].timestamp == datetime(2024, 3, 1, 21, 15)


@pytest.mark.parametrize(
    ("mapping", "message"),
    [({"time": "不存在的列"}, "没有列映射指定的列"), ({"sender": "who"}, "字段 sender 不认识")],
)
def test_bad_mapping(mapping: dict[str, str], message: str) -> None:
    with pytest.raises(IngestError, match=message):
        read_csv("who,内容\na,b\n".encode(), "x.csv", mapping)


def test_bad_cells_name_their_row() -> None:
    data = "时间,内容\n2024-03-01 21:15,好\n明天晚上,坏\n".encode()
    with pytest.raises(IngestError, match="第3行的时间「明天晚上」无法识别"):
        read_csv(data, "x.csv")
    data = "时间,内容,时长\n2024-03-01 21:15,好,很久\n".encode()
    with pytest.raises(IngestError, match="第2行的通话时长「很久」无法识别"):
        read_csv(data, "x.csv")


def test_csv_without_rows_refused() -> None:
    with pytest.raises(IngestError, match="没有读到任何消息"):
        read_csv("时间,内容\n".encode(), "header-only.csv")


def test_jsonl_scan_input_shape_and_english_keys() -> None:
    lines = [
        {
            "id": "m1",
            "text": "你再不还就曝光你",
            "recipient": "borrower",
            "sent_at": "2024-03-01T23:10:00+08:00",
        },
        {
            "id": "m2",
            "text": "请转告他还款",
            "recipient": "contact",
            "sent_at": "2024-03-01T10:00:00",
            "from": "95xxx",
        },
    ]
    data = ("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n\n").encode()
    evidence, items = read_jsonl(data, "messages.jsonl")
    assert evidence.kind == "jsonl"
    assert [c.text for c in items] == ["你再不还就曝光你", "请转告他还款"]
    assert [c.recipient for c in items] == ["borrower", "contact"]
    assert items[0].timestamp == datetime(2024, 3, 1, 23, 10, tzinfo=timezone(timedelta(hours=8)))
    assert items[1].counterparty == "95xxx"


def test_json_array_and_broken_json() -> None:
    data = json.dumps([{"time": 1709298903000, "number": "10086", "body": "hi"}]).encode()
    _, items = read_jsonl(data, "a.json")
    assert items[0].timestamp is not None
    assert items[0].timestamp.isoformat() == "2024-03-01T21:15:03+08:00"
    with pytest.raises(IngestError, match="第2行不是有效的 JSON"):
        read_jsonl(b'{"text": "a"}\n{"text": \n', "b.jsonl")
    with pytest.raises(IngestError, match="第2行应为 JSON 对象"):
        read_jsonl(b'{"text": "a"}\n"a"\n', "c.jsonl")
    # a raw U+2028 inside a string is valid JSON and no line break
    text = "你再不还\u2028就曝光你"
    _, items = read_jsonl((json.dumps({"text": text}, ensure_ascii=False) + "\n").encode(), "d.jsonl")
    assert [c.text for c in items] == [text]


def _parquet(table: pa.Table) -> bytes:
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return buffer.getvalue()


def test_parquet_with_timestamp_column() -> None:
    table = pa.table(
        {
            "发送时间": pa.array(
                [datetime(2024, 3, 1, 21, 15), datetime(2024, 3, 1, 23, 5)], pa.timestamp("s")
            ),
            "发件人": ["10690000", "10690000"],
            "短信内容": ["您已逾期", "今晚不还就打给你家人"],
            "ignored": [1, 2],
        }
    )
    data = _parquet(table)
    evidence, items = read_parquet(data, "sms.parquet")
    assert evidence.kind == "parquet"
    assert evidence.media_type == "application/vnd.apache.parquet"
    assert [c.timestamp for c in items] == [datetime(2024, 3, 1, 21, 15), datetime(2024, 3, 1, 23, 5)]
    assert [c.counterparty for c in items] == ["10690000", "10690000"]
    assert items[1].text == "今晚不还就打给你家人"


def test_parquet_with_mapping_and_epoch_millis() -> None:
    table = pa.table({"ts": [1709298903000], "peer": ["95188"], "msg": ["还款提醒"], "kind": ["微信"]})
    _, items = read_parquet(
        _parquet(table), "x.parquet", {"time": "ts", "counterparty": "peer", "text": "msg", "type": "kind"}
    )
    assert items[0].channel == "wechat"
    assert items[0].timestamp is not None
    assert items[0].timestamp.isoformat() == "2024-03-01T21:15:03+08:00"


def test_truncated_parquet_refused() -> None:
    data = _parquet(pa.table({"text": ["a", "b"]}))
    with pytest.raises(IngestError, match="不是完整的 Parquet 文件"):
        read_parquet(data[: len(data) // 2], "cut.parquet")
    corrupt = data[:4] + b"\x00" * (len(data) - 8) + data[-4:]
    with pytest.raises(IngestError, match="Parquet"):
        read_parquet(corrupt, "corrupt.parquet")
