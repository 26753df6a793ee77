"""Load on ``POST /v1/check`` over loopback: achieved requests/s and p50/p99 latency at a fixed rate.

Starts ``txlguard serve`` (a subprocess, SQLite store in a temporary directory, rate limit raised out
of the way, its access log written to a file), creates an API key, then drives single-message checks at a fixed
offered rate (default 500 requests/s for 20 s) from a separate process. The driver is a small
open-loop HTTP/1.1 client over keep-alive asyncio connections: each request is due at its scheduled
time and its latency counts from then (so a stalled server shows up as latency, not as a lower
rate); it writes pre-built requests and reads ``Content-Length`` bodies, so little of the two cores
goes to the client. Every response must be 200. The timed window is repeated (``--runs``) and each
run reported, since one run's p99 is a few of its slowest requests, with the server's CPU time per request
(psutil; steadier than latency on a shared machine) and how late the client itself started requests (a
stall of the whole machine delays the client too). Then it times batches of 1,000 messages.

    python benchmarks/api_load.py [--rate 500] [--seconds 20] [--runs 3] [--workers 1] [--connections 16]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import math
import multiprocessing
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from scan_speed import person_name  # benchmarks/ is this script's own folder

TEMPLATES = [
    "【{p}】尊敬的{n}，您的借款{a}元将于{d}到期，请按时还款。",
    "{n}先生/女士，您在{p}的借款已经逾期{k}天，请及时还款，以免影响个人信用！如已还清，请忽略。",
    "今天不还就给你通讯录所有人发信息，让你亲戚朋友都知道{n}是老赖，欠{p}{a}元不还",
    "我是XX市公安局经侦大队的，{n}你已涉嫌诈骗罪，48小时内不还{a}元将被拘留",
    "你{k}天不还钱，我们就去你单位闹，让你同事都知道你欠{p}的钱",
    "【{p}】您的借款已逾期{k}天，逾期会产生罚息与违约金，请尽快还款。",
]
PLATFORMS = ["易融花", "随心贷", "闪电借", "安心借", "好分期"]


def message(rng: random.Random, i: int) -> dict[str, str]:
    # Names as scan_speed.py draws them (tens of thousands). The two templates without a name still
    # repeat once digits are read as 0, as real reminders do: about 35 % of requests then share what
    # the server remembers of an earlier one.
    text = rng.choice(TEMPLATES).format(
        p=rng.choice(PLATFORMS),
        n=person_name(rng),
        a=rng.randint(500, 20000),
        d=f"{rng.randint(1, 12)}月{rng.randint(1, 28)}日",
        k=rng.randint(1, 90),
    )
    return {"id": str(i), "text": text}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def request_bytes(port: int, key: str, body: bytes) -> bytes:
    head = (
        f"POST /v1/check HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {key}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
) -> tuple[int, bytes]:
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    return status, await reader.readexactly(length)


async def drive(
    port: int, key: str, rate: float, seconds: float, connections: int, server_pid: int | None = None
) -> dict[str, float]:
    rng = random.Random(7)
    total = int(rate * seconds)
    requests = [
        request_bytes(port, key, json.dumps({"messages": [message(rng, i)]}, ensure_ascii=False).encode())
        for i in range(total)
    ]
    pool: asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = asyncio.Queue()
    for _ in range(connections):
        pool.put_nowait(await asyncio.open_connection("127.0.0.1", port))
    latencies: list[float] = []
    failures = 0
    clock = time.perf_counter  # not loop.time(): uvloop's clock ticks in whole milliseconds
    start = clock() + 0.05
    cpu_before = _cpu_seconds(server_pid)
    lag = 0.0  # how late the client itself started requests (its own stalls, not the server's)

    async def one(i: int, due: float) -> None:
        nonlocal failures
        conn = await pool.get()
        try:
            status, _ = await exchange(*conn, requests[i])
        finally:
            pool.put_nowait(conn)
        latencies.append(clock() - due)
        failures += status != 200

    # One scheduler starts each request at its due time (rather than thousands of sleeping tasks,
    # whose timers and garbage would make the client, not the server, the source of latency).
    running: set[asyncio.Task[None]] = set()
    for i in range(total):
        due = start + i / rate
        delay = due - clock()
        if delay > 0:
            await asyncio.sleep(delay)
        lag = max(lag, clock() - due)  # a stall of the client's own, asleep or not
        task = asyncio.create_task(one(i, due))
        running.add(task)
        task.add_done_callback(running.discard)
    while running:
        await asyncio.gather(*running)
    elapsed = clock() - start
    cpu = _cpu_seconds(server_pid) - cpu_before
    latencies.sort()
    return {
        "requests": total,
        "failures": failures,
        "rps": total / elapsed,
        "p50_ms": 1000 * latencies[len(latencies) // 2],
        "p99_ms": 1000 * latencies[int(len(latencies) * 0.99) - 1],
        "max_ms": 1000 * latencies[-1],
        "server_cpu_ms": 1000 * cpu / total,
        "client_lag_ms": 1000 * lag,
    }


def _ms(value: float) -> str:
    return "n/a (psutil not installed)" if math.isnan(value) else f"{value:.2f} ms"


def _cpu_seconds(pid: int | None) -> float:
    """User + system CPU seconds of process ``pid`` and its children so far (NaN when unknown)."""
    if pid is None:
        return math.nan
    try:
        import psutil  # in the dev extras
    except ImportError:
        return math.nan
    try:
        process = psutil.Process(pid)
        processes = [process, *process.children(recursive=True)]
    except psutil.Error:
        return math.nan
    total = 0.0
    for p in processes:
        try:
            times = p.cpu_times()
        except psutil.NoSuchProcess:  # a child that just exited
            continue
        total += times.user + times.system
    return total


async def batches(port: int, key: str, rounds: int) -> dict[str, float]:
    rng = random.Random(11)
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    times = []
    for r in range(rounds):
        body = json.dumps({"messages": [message(rng, r * 1000 + i) for i in range(1000)]}, ensure_ascii=False)
        started = time.perf_counter()
        status, payload = await exchange(reader, writer, request_bytes(port, key, body.encode()))
        times.append(time.perf_counter() - started)
        assert status == 200 and len(json.loads(payload)["results"]) == 1000
    writer.close()
    times.sort()
    return {"median_ms": 1000 * statistics.median(times), "max_ms": 1000 * times[-1]}


def client(
    port: int, key: str, args: argparse.Namespace, out: multiprocessing.Queue[object], server_pid: int
) -> None:
    """The load generator, in its own process so the server's event loop has its own core."""

    async def main() -> dict[str, object]:
        await drive(port, key, args.rate, 2, args.connections)  # warm-up
        runs = []
        for _ in range(args.runs):
            gc.collect()
            gc.disable()  # a collector pause here would be counted as the server's latency
            try:
                runs.append(await drive(port, key, args.rate, args.seconds, args.connections, server_pid))
            finally:
                gc.enable()
        return {"single": runs, "batch": await batches(port, key, args.batches)}

    try:
        import uvloop  # installed with uvicorn[standard]; the client's own loop costs less
    except ImportError:
        out.put(asyncio.run(main()))
    else:
        out.put(uvloop.run(main()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rate", type=float, default=500.0, help="offered requests per second")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--runs", type=int, default=3, help="timed runs of --seconds each, one after another")
    parser.add_argument("--workers", type=int, default=1, help="Uvicorn worker processes")
    parser.add_argument("--connections", type=int, default=16, help="keep-alive connections of the client")
    parser.add_argument("--batches", type=int, default=20, help="requests of 1,000 messages to time")
    args = parser.parse_args(argv)
    if args.runs < 1 or args.seconds <= 0:
        parser.error("--runs must be at least 1 and --seconds positive")

    from txlguard.store import open_store

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        with open_store(url, blob_dir=Path(tmp) / "blobs") as store:
            _, key = store.create_api_key("api_load")
        port = free_port()
        env = {
            **os.environ,
            "TXLGUARD_DATABASE_URL": url,
            "TXLGUARD_BLOB_DIR": str(Path(tmp) / "blobs"),
            "TXLGUARD_RATE_LIMIT_PER_MINUTE": str(10**9),
        }
        # The server as users start it (`txlguard serve`: its access log on, to a file here).
        command = [
            sys.executable, "-m", "txlguard", "serve", "--port", str(port), "--workers", str(args.workers),
        ]  # fmt: skip
        server_log = open(Path(tmp) / "server.log", "wb")  # noqa: SIM115 - closed below
        server = subprocess.Popen(command, env=env, stdout=server_log, stderr=server_log)
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=1):
                        break
                except OSError:
                    if time.monotonic() > deadline or server.poll() is not None:
                        server_log.flush()
                        tail = (Path(tmp) / "server.log").read_text(errors="replace")[-2000:]
                        print(f"server did not start:\n{tail}", file=sys.stderr)
                        return 1
                    time.sleep(0.1)
            out: multiprocessing.Queue[object] = multiprocessing.Queue()
            load = multiprocessing.Process(target=client, args=(port, key, args, out, server.pid))
            load.start()
            result = out.get()
            load.join()
        finally:
            server.terminate()
            server.wait(10)
            server_log.close()
    assert isinstance(result, dict)
    runs, b = result["single"], result["batch"]
    print(f"cores: {os.cpu_count()}, uvicorn workers: {args.workers}, client connections: {args.connections}")
    for number, s in enumerate(runs, 1):
        print(
            f"run {number}: single-message /v1/check at {args.rate:.0f} req/s offered for {args.seconds:.0f} s: "
            f"{s['rps']:.0f} req/s achieved, p50 {s['p50_ms']:.2f} ms, p99 {s['p99_ms']:.2f} ms, "
            f"max {s['max_ms']:.1f} ms, {s['failures']:.0f} non-200 of {s['requests']:.0f}; "
            f"server CPU {_ms(s['server_cpu_ms'])} per request, client started late by up to "
            f"{s['client_lag_ms']:.1f} ms"
        )
    p99s = sorted(s["p99_ms"] for s in runs)
    print(f"p99 over {len(runs)} runs: median {statistics.median(p99s):.2f} ms, worst {p99s[-1]:.2f} ms")
    print(
        f"batch of 1,000 messages: median {b['median_ms']:.0f} ms, max {b['max_ms']:.0f} ms "
        f"({1000 / (b['median_ms'] / 1000):.0f} messages/s)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
