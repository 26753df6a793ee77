"""`txlguard audit`: a thin skin over :func:`txlguard.batch.run_audit` (Chinese messages, exit 2 on bad input)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from txlguard.cli_common import fail, out


class Engine(StrEnum):
    local = "local"
    spark = "spark"


def audit(
    inputs: Annotated[
        list[str], typer.Argument(help="CSV、JSONL 或 Parquet 文件，可用通配符（如 'data/*.csv'）")
    ],
    out_dir: Annotated[
        Path, typer.Option("--out", help="输出目录（可续跑：同样的命令再运行一次会跳过已完成的分块）")
    ],
    engine: Annotated[
        Engine,
        typer.Option(
            "--engine",
            help="local：本机多进程（默认）；spark：Apache Spark（需 pip install 'txlguard\\[spark]' 和 Java 17）",
        ),
    ] = Engine.local,
    spark_master: Annotated[
        str | None,
        typer.Option("--spark-master", help="Spark 的 master，默认 local[进程数]；集群上请用 spark-submit"),
    ] = None,
    column_map: Annotated[
        list[str] | None,
        typer.Option(
            "--column-map", help="字段=列名，逗号分隔，如 id=msg_id,text=content,borrower_id=case_no"
        ),
    ] = None,
    chunk_size: Annotated[
        int, typer.Option("--chunk-size", help="每个分块的记录数（Spark：每个 Arrow 批次的记录数）")
    ] = 10_000,
    processes: Annotated[int | None, typer.Option("--processes", help="进程数（默认：全部 CPU 核）")] = None,
    restart: Annotated[bool, typer.Option("--restart", help="丢弃输出目录里已有的结果，从头开始")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", help="不显示进度条")] = False,
) -> None:
    """审计大批催收记录：逐条检查违规内容，按借款人检查联系时段和频率，输出 Parquet 结果、汇总 JSON 和 HTML 报告。"""
    from txlguard.batch import BatchInputError, run_audit

    if processes is not None and processes < 1:
        fail("--processes 至少为 1")
    if spark_master is not None and engine is not Engine.spark:
        fail("--spark-master 只用于 --engine spark")
    try:
        if engine is Engine.spark:
            from txlguard.batch.spark import run_spark_audit

            outcome = run_spark_audit(
                inputs,
                out_dir,
                column_map=column_map,
                batch_rows=chunk_size,
                master=spark_master,
                processes=processes,
                restart=restart,
                progress=not quiet,
            )
        else:
            outcome = run_audit(
                inputs,
                out_dir,
                column_map=column_map,
                chunk_size=chunk_size,
                processes=processes,
                progress=not quiet,
                restart=restart,
            )
    except BatchInputError as exc:
        fail(str(exc))
    except KeyboardInterrupt:
        fail("已中断。已完成的分块已保存，用同样的命令再运行一次即可从中断处继续")
    totals = outcome.summary["totals"]
    rate = outcome.records / outcome.seconds if outcome.seconds else 0.0
    resumed = f"（跳过上次已完成的 {outcome.skipped} 个分块）" if outcome.skipped else ""
    out.print(
        f"审计完成：{totals['records']:,} 条记录，{totals['flagged']:,} 条有违规标签，"
        f"{totals['log_findings']:,} 项时段/频率违规，{totals['rejected']:,} 行无法审计{resumed}；"
        f"本次处理 {outcome.records:,} 条，{rate:,.0f} 条/秒",
        highlight=False,
    )
    out.print(
        f"结果：{out_dir / 'summary.html'}、{out_dir / 'summary.json'}、{out_dir / 'results'}/",
        highlight=False,
    )
    if totals["rejected"]:
        out.print(f"无法审计的行及原因：{out_dir / 'rejects.jsonl'}", highlight=False)
