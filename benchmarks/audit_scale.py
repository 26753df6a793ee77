"""How fast and how lean is ``txlguard audit``? Records/s and peak memory per engine, at growing sizes.

Generates realistic collection records — the message texts of ``benchmarks/scan_speed.py`` (its
templates and filler), spread over borrowers, their contacts, agents, 60 days and two channels
(SMS; calls with durations, some missed), with some off-hours contacts and call bursts — and
writes them as Parquet (or CSV with ``--format csv``). Then audits them with the local engine at
each ``--processes`` count and with Spark at each ``--spark`` core count (``local[N]``; skipped
when PySpark is missing), each run in a fresh process tree, and prints:

* records/s over the whole audit (reading, scanning, log rules, summary; Spark without the
  session's start-up, which is printed apart) and CPU seconds of the whole tree per 1,000 records
  (what does not depend on how busy a shared machine is);
* peak memory, sampled every 0.2 s with psutil over the process tree: the main process, the
  largest single other process (a worker; for Spark, the JVM or a Python worker), and the sum of
  RSS over the tree (shared pages counted once per process, so an upper bound);
* with ``--grow 10``, the same at 10× and (``--steps 3``) 100× the rows, and the ratios of the
  peaks to those at the smallest size: flat means close to 1.

    python benchmarks/audit_scale.py [--rows 100000] [--grow 10] [--steps 2] [--processes 1 2] [--spark 1 2]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
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


_LOCAL = """
import json, sys, time
from txlguard.batch import run_audit
args = json.loads(sys.argv[1])
start = time.perf_counter()
outcome = run_audit(args["inputs"], args["out"], processes=args["processes"], chunk_size=args["chunk_size"])
print(json.dumps({"records": outcome.summary["totals"]["records"], "seconds": time.perf_counter() - start,
                  "startup": 0.0}))
"""

_SPARK = """
import json, sys, time
from txlguard.batch.spark import run_spark_audit, spark_session
args = json.loads(sys.argv[1])
start = time.perf_counter()
spark = spark_session(f"local[{args['processes']}]", batch_rows=args["chunk_size"])
spark.range(1).count()
started = time.perf_counter()
outcome = run_spark_audit(args["inputs"], args["out"], batch_rows=args["chunk_size"], spark=spark)
done = time.perf_counter()
spark.stop()
print(json.dumps({"records": outcome.summary["totals"]["records"], "seconds": done - started,
                  "startup": started - start}))
"""


class _TreeSampler:
    """Peak RSS of a process and its descendants, and their CPU time, sampled every 0.2 s."""

    def __init__(self, pid: int) -> None:
        import psutil

        self.root = psutil.Process(pid)
        self.main_peak = self.other_peak = self.tree_peak = 0
        self.cpu: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        import psutil

        while not self._stop.is_set():
            try:
                procs = [self.root, *self.root.children(recursive=True)]
            except psutil.Error:
                break
            total = 0
            for p in procs:
                try:
                    rss = p.memory_info().rss
                    times = p.cpu_times()
                except psutil.Error:
                    continue
                self.cpu[p.pid] = times.user + times.system
                total += rss
                if p.pid == self.root.pid:
                    self.main_peak = max(self.main_peak, rss)
                else:
                    self.other_peak = max(self.other_peak, rss)
            self.tree_peak = max(self.tree_peak, total)
            self._stop.wait(0.2)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def run_once(engine: str, inputs: list[str], out: Path, processes: int, chunk_size: int) -> dict[str, Any]:
    """One audit in a fresh process tree, its peaks sampled from outside."""
    args = json.dumps({"inputs": inputs, "out": str(out), "processes": processes, "chunk_size": chunk_size})
    load = os.getloadavg()[0]
    child = subprocess.Popen(
        [sys.executable, "-c", _SPARK if engine == "spark" else _LOCAL, args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    sampler = _TreeSampler(child.pid)
    stdout, stderr = child.communicate()
    sampler.stop()
    if child.returncode != 0:
        raise RuntimeError(f"{engine} audit failed:\n{stderr[-3000:]}")
    result: dict[str, Any] = json.loads(stdout.strip().splitlines()[-1])
    mb = 1024 * 1024
    result |= {
        "engine": engine,
        "processes": processes,
        "main_peak_mb": sampler.main_peak / mb,
        "other_peak_mb": sampler.other_peak / mb,
        "tree_peak_mb": sampler.tree_peak / mb,
        "cpu_seconds": sum(sampler.cpu.values()),
        "load_before": load,
        "load_after": os.getloadavg()[0],
    }
    shutil.rmtree(out, ignore_errors=True)
    return result


def _mb(value: float) -> str:
    return f"{value:.0f} MB" if value else "— (none)"


def _label(engine: str, processes: int) -> str:
    if engine == "spark":
        return f"Spark local[{processes}]"
    return f"local engine, {processes} process{'es' if processes > 1 else ''}"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--grow", type=int, default=10, help="each further size is the previous × GROW")
    parser.add_argument("--steps", type=int, default=2, help="how many sizes (2: rows and rows × grow)")
    parser.add_argument("--processes", type=int, nargs="*", default=[1, 2], help="local engine processes")
    parser.add_argument("--spark", type=int, nargs="*", default=[1, 2], help="Spark local[N] cores")
    parser.add_argument(
        "--only-local-above", type=int, default=None, help="skip Spark for sizes above this many rows"
    )
    parser.add_argument("--chunk-size", type=int, default=10_000)
    parser.add_argument("--format", choices=("parquet", "csv"), default="parquet")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--json", type=Path, default=None, help="also append each run as a JSON line here")
    parser.add_argument("--workdir", type=Path, default=None, help="where inputs are generated and kept")
    args = parser.parse_args()
    sizes = [args.rows * args.grow**i for i in range(max(1, args.steps))]
    try:
        import pyspark  # type: ignore[import-not-found,unused-ignore]  # noqa: F401

        spark_cores = list(args.spark)
    except ImportError:
        print("PySpark is not installed: Spark runs skipped (pip install 'txlguard[spark]')")
        spark_cores = []
    runs: dict[tuple[str, int], dict[int, dict[str, Any]]] = {}
    with tempfile.TemporaryDirectory(prefix="audit_scale_") as tmp:
        work = args.workdir or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        for rows in sizes:
            data = work / f"records-{rows}-{args.seed}.{args.format}"
            t0 = time.perf_counter()
            if not data.exists():
                partial = data.with_name(data.name + ".tmp")
                (write_parquet if args.format == "parquet" else write_csv)(partial, rows, args.seed)
                partial.replace(data)
            size_mb = data.stat().st_size / 1e6
            print(
                f"input: {rows:,} records, {args.format} {size_mb:.1f} MB (ready in {time.perf_counter() - t0:.1f} s)",
                flush=True,
            )
            plan = [("local", p) for p in args.processes]
            if args.only_local_above is None or rows <= args.only_local_above:
                plan += [("spark", c) for c in spark_cores]
            for engine, n in plan:
                r = run_once(engine, [str(data)], work / f"out-{engine}-{n}-{rows}", n, args.chunk_size)
                runs.setdefault((engine, n), {})[rows] = r
                startup = f", session start {r['startup']:.0f} s apart" if engine == "spark" else ""
                print(
                    f"  {_label(engine, n)}: {r['records'] / r['seconds']:,.0f} records/s ({r['seconds']:.1f} s{startup}), "
                    f"{1000 * r['cpu_seconds'] / r['records']:.2f} CPU s per 1,000 records; peak RSS main "
                    f"{r['main_peak_mb']:.0f} MB, largest other process {_mb(r['other_peak_mb'])}, "
                    f"tree {r['tree_peak_mb']:.0f} MB; load {r['load_before']:.1f}→{r['load_after']:.1f}",
                    flush=True,
                )
                if args.json:
                    with args.json.open("a", encoding="utf-8") as f:
                        f.write(json.dumps({"rows": rows, **r}) + "\n")
    if len(sizes) > 1:
        print("peak memory at each size / at the smallest (main, largest other process, tree):")
        for (engine, n), by_size in runs.items():
            base = by_size.get(sizes[0])
            if base is None:
                continue
            for rows, r in by_size.items():
                if rows == sizes[0]:
                    continue
                ratios = [
                    r[k] / base[k] if base[k] else float("nan")
                    for k in ("main_peak_mb", "other_peak_mb", "tree_peak_mb")
                ]
                print(
                    f"  {_label(engine, n)}, {rows // sizes[0]}×: "
                    + " / ".join("—" if x != x else f"{x:.2f}" for x in ratios)
                )


if __name__ == "__main__":
    main()
