"""`txlguard keys …` and `txlguard serve`: API keys for the compliance endpoints, and the HTTP server.

A key is shown once, when it is created (only its SHA-256 is stored); `keys list` shows its first
characters. Keys live in the same store as cases (``TXLGUARD_DATABASE_URL``).
"""

from __future__ import annotations

import json
import os
import sys
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from txlguard.case_cli import ListFormat, local, opened_store, store_errors
from txlguard.cli_common import err, fail, out

keys_app = typer.Typer(
    help="API 密钥：调用合规接口（POST /v1/check）时使用，只保存哈希。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@keys_app.command("create")
def keys_create(
    name: Annotated[str, typer.Option("--name", "-n", help="密钥名称，如“催收质检系统”")],
) -> None:
    """新建 API 密钥，只输出密钥本身（只显示这一次，请妥善保存）。"""
    if not name.strip():
        fail("密钥名称不能为空")
    with opened_store() as store, store_errors():
        info, secret = store.create_api_key(name)
    sys.stdout.write(secret + "\n")
    err.print(f"已创建密钥 {info.id}（{escape(info.name)}）；密钥只显示这一次。", highlight=False)


@keys_app.command("list")
def keys_list(fmt: Annotated[ListFormat, typer.Option("--format")] = ListFormat.text) -> None:
    """列出 API 密钥（只显示开头几个字符）。"""
    with opened_store() as store:
        keys = store.api_keys()
    if fmt is ListFormat.json:
        sys.stdout.write(
            json.dumps([k.model_dump(mode="json") for k in keys], ensure_ascii=False, indent=2) + "\n"
        )
        return
    if not keys:
        out.print("还没有 API 密钥。用 txlguard keys create --name 名称 新建一个。", highlight=False)
        return
    table = Table("编号", "名称", "开头", "创建时间", "最近使用", "状态")
    for k in keys:
        state = "有效" if k.active else f"已吊销（{local(k.revoked_at)}）"
        table.add_row(
            str(k.id), escape(k.name), k.prefix + "…", local(k.created_at), local(k.last_used_at), state
        )
    out.print(table)


@keys_app.command("revoke")
def keys_revoke(key_id: Annotated[int, typer.Argument(help="密钥编号（见 txlguard keys list）")]) -> None:
    """吊销 API 密钥：之后用它的请求得到 403（运行中的服务最多几秒后生效）。"""
    with opened_store() as store, store_errors():
        info = store.revoke_api_key(key_id)
    out.print(f"已吊销密钥 {info.id}（{escape(info.name)}，{info.prefix}…）", highlight=False)


def serve(
    host: Annotated[str, typer.Option(help="监听地址；默认只接受本机连接")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="端口")] = 8000,
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database-url", help="案件数据库地址（默认 $TXLGUARD_DATABASE_URL 或用户目录中的 SQLite）"
        ),
    ] = None,
    blob_dir: Annotated[str | None, typer.Option("--blob-dir", help="证据原件目录")] = None,
    workers: Annotated[int, typer.Option(help="工作进程数")] = 1,
) -> None:
    """启动 HTTP API（OpenAPI 文档在 /docs）。"""
    import logging

    import uvicorn

    from txlguard.store import open_store

    if database_url:
        os.environ["TXLGUARD_DATABASE_URL"] = database_url  # the workers build their settings from it
    if blob_dir:
        os.environ["TXLGUARD_BLOB_DIR"] = blob_dir
    try:
        open_store().close()  # migrate once here, and fail with a clear message before listening
    except Exception as exc:
        fail(f"无法打开案件数据库（{type(exc).__name__}）：{str(exc).splitlines()[0] if str(exc) else ''}")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    err.print(f"txlguard API：http://{host}:{port}/docs", highlight=False)
    uvicorn.run(
        "txlguard.service.app:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=False,  # txlguard.access logs route templates only: no query strings, ids or bodies
        log_level="info",
    )
