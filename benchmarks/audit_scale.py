"""How fast and how lean is ``txlguard audit`` (local engine)? Records/s and peak memory, 1 and 2 processes.

Generates realistic collection records — the message texts of ``benchmarks/scan_speed.py`` (its
templates and filler), spread over borrowers, their contacts, agents, 60 days and two channels
(SMS; calls with durations, some missed), with some off-hours contacts and call bursts — and
writes them as Parquet (or CSV with ``--format csv``). Then runs the local engine on them and
prints records/s and the peak resident memory of the main process and of the largest worker
(``resource.getrusage``; each run is a fresh subprocess so the peaks are its own). With
``--grow 10`` it also runs on ten times as many rows to show that the peak stays flat.

    python benchmarks/audit_scale.py [--rows 100000] [--processes 1 2] [--grow 10] [--format parquet]
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scan_speed import LAWFUL, NEGATIVE_HARD, PROBLEM, _fill

#: Problem templates that address a contact (used for messages to contacts).
TO_CONTACT = [t for t in PROBLEM if "紧急联系人" in t or "{r}" in t]
START = datetime(2025, 3, 1, 8, 0)
COLUMNS = (
    "id",
    "borrower_id",
    "counterparty",
    "recipient",
    "agent_id",
    "channel",
    "timestamp",
    "text",
    "duration",
)


def _phone(rng: random.Random) -> str:
    return f"1{rng.choice('3456789')}{rng.randint(0, 999_999_999):09d}"


def records(n: int, seed: int = 11, problem_share: float = 0.12) -> Iterator[dict[str, Any]]:
    """``n`` records in time order per borrower batch; deterministic for a seed."""
    rng = random.Random(seed)
    agents = [f"A{i:04d}" for i in range(max(5, n // 2000))]
    made = 0
    borrower = 0
    while made < n:
        borrower += 1
        bid = f"B{borrower:07d}"
        own = _phone(rng)
        contacts = [_phone(rng) for _ in range(rng.randint(1, 3))]
        agent = rng.choice(agents)
        day0 = START + timedelta(days=rng.randint(0, 59))
        burst = rng.random() < 0.05  # a borrower called many times on one day
        for _ in range(min(n - made, rng.randint(5, 35))):
            made += 1
            moment = day0 + timedelta(days=rng.randint(0, 6), minutes=rng.randint(0, 14 * 60))
            if rng.random() < 0.04:
                moment = moment.replace(hour=rng.choice((6, 7, 22, 23)), minute=rng.randint(1, 59))
            to_contact = rng.random() < 0.04
            roll = rng.random()
            if to_contact:
                template = rng.choice(TO_CONTACT) if roll < 0.6 else rng.choice(LAWFUL)
            elif roll < problem_share:
                template = rng.choice(PROBLEM)
            elif roll < problem_share + 0.02:
                template = rng.choice(NEGATIVE_HARD)
            else:
                template = rng.choice(LAWFUL)
            call = rng.random() < (0.6 if burst else 0.2)
            if burst and call:
                moment = day0.replace(hour=rng.randint(9, 20))
            yield {
                "id": f"R{made:09d}",
                "borrower_id": bid,
                "counterparty": rng.choice(contacts) if to_contact else own,
                "recipient": "contact" if to_contact else rng.choice(("borrower", "borrower", "")),
                "agent_id": agent if rng.random() < 0.9 else rng.choice(agents),
                "channel": "call" if call else "sms",
                "timestamp": moment.strftime("%Y-%m-%d %H:%M:%S"),
                "text": _fill(template, rng),
                "duration": str(rng.choice((0, 0, rng.randint(5, 300)))) if call else "",
            }


def write_parquet(path: Path, n: int, seed: int = 11, batch: int = 50_000) -> None:
    import pyarrow as pa  # type: ignore[import-untyped]
    import pyarrow.parquet as pq  # type: ignore[import-untyped]

    writer = None
    rows: list[dict[str, Any]] = []
    for record in records(n, seed):
        rows.append(record)
        if len(rows) >= batch:
            table = pa.Table.from_pylist(rows)
            writer = writer or pq.ParquetWriter(path, table.schema)
            writer.write_table(table)
            rows = []
    if rows:
        table = pa.Table.from_pylist(rows)
        writer = writer or pq.ParquetWriter(path, table.schema)
        writer.write_table(table)
    if writer is not None:
        writer.close()


def write_csv(path: Path, n: int, seed: int = 11, encoding: str = "utf-8") -> None:
    import csv

    with path.open("w", encoding=encoding, newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(COLUMNS))
        writer.writeheader()
        writer.writerows(records(n, seed))


_CHILD = """
import json, resource, sys, time
from txlguard.batch import run_audit
args = json.loads(sys.argv[1])
start = time.perf_counter()
outcome = run_audit(args["inputs"], args["out"], processes=args["processes"], chunk_size=args["chunk_size"])
seconds = time.perf_counter() - start
print(json.dumps({
    "records": outcome.summary["totals"]["records"], "seconds": seconds, "scan_seconds": outcome.seconds,
    "main_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "worker_peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
}))
"""


def run_once(inputs: list[str], out: Path, processes: int, chunk_size: int) -> dict[str, Any]:
    """One audit in a fresh interpreter, so its peak memory is its own."""
    args = json.dumps({"inputs": inputs, "out": str(out), "processes": processes, "chunk_size": chunk_size})
    done = subprocess.run([sys.executable, "-c", _CHILD, args], capture_output=True, text=True, check=True)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--grow", type=int, default=1, help="also run on rows × GROW (e.g. 10)")
    parser.add_argument("--chunk-size", type=int, default=10_000)
    parser.add_argument("--format", choices=("parquet", "csv"), default="parquet")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    sizes = [args.rows] + ([args.rows * args.grow] if args.grow > 1 else [])
    with tempfile.TemporaryDirectory(prefix="audit_scale_") as tmp:
        for rows in sizes:
            data = Path(tmp) / f"records-{rows}.{args.format}"
            t0 = time.perf_counter()
            (write_parquet if args.format == "parquet" else write_csv)(data, rows, args.seed)
            size_mb = data.stat().st_size / 1e6
            print(
                f"input: {rows:,} records, {args.format} {size_mb:.1f} MB (generated in {time.perf_counter() - t0:.1f} s)"
            )
            for processes in args.processes:
                out = Path(tmp) / f"out-{rows}-{processes}"
                r = run_once([str(data)], out, processes, args.chunk_size)
                print(
                    f"  local engine, {processes} process{'es' if processes > 1 else ''}: "
                    f"{r['records'] / r['seconds']:,.0f} records/s overall "
                    f"({r['records'] / r['scan_seconds']:,.0f}/s in the chunk pass; {r['seconds']:.1f} s), "
                    f"peak RSS main {r['main_peak_mb']:.0f} MB, largest worker {r['worker_peak_mb']:.0f} MB"
                )


if __name__ == "__main__":
    main()
