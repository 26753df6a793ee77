"""The ``spark-submit`` entry: audit a Hive/catalog table or Parquet on a cluster.

    spark-submit --master yarn --deploy-mode client \\
        "$(python -c 'import txlguard.batch.spark_job as m; print(m.__file__)')" \\
        --table dw.collection_records --out /mnt/shared/audit-2025-06

Every node needs txlguard installed (``pip install 'txlguard[spark]'``, or a packed environment
shipped with ``--archives``); the session's master and resources come from ``spark-submit``.
Client deploy mode keeps the driver where ``--out`` is a local path; it must be a shared file
system that the executors write to as well.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="txlguard.batch.spark_job", description="用 Spark 审计催收记录（Hive 表或 Parquet）"
    )
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--table", help="Spark/Hive 表名，如 dw.collection_records")
    source.add_argument("--parquet", help="Parquet 文件或目录（hdfs://、s3a://、本地路径均可）")
    parser.add_argument("--out", required=True, help="输出目录（驱动程序和执行器都能访问的共享路径）")
    parser.add_argument(
        "--column-map", action="append", help="字段=列名，逗号分隔，如 id=msg_id,text=content"
    )
    parser.add_argument("--batch-rows", type=int, default=10_000, help="每个 Arrow 批次的记录数")
    parser.add_argument("--restart", action="store_true", help="丢弃输出目录里已有的结果")
    args = parser.parse_args(argv)

    from pyspark.sql import SparkSession  # type: ignore[import-not-found,unused-ignore]

    from txlguard.batch.schema import BatchInputError
    from txlguard.batch.spark import run_spark_source_audit

    spark = (
        SparkSession.builder.appName("txlguard-audit")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .enableHiveSupport()
        .getOrCreate()
    )
    try:
        outcome = run_spark_source_audit(
            spark,
            args.table or args.parquet,
            args.out,
            kind="table" if args.table else "parquet",
            column_map=args.column_map,
            batch_rows=args.batch_rows,
            restart=args.restart,
        )
    except BatchInputError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    finally:
        spark.stop()
    totals = outcome.summary["totals"]
    print(
        f"审计完成：{totals['records']:,} 条记录，{totals['flagged']:,} 条有违规标签，"
        f"{totals['log_findings']:,} 项时段/频率违规，{totals['rejected']:,} 行无法审计；结果在 {outcome.out}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
