"""What every `txlguard` sub-command shares: exit codes, output formats, consoles and the bad-input exit."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import NoReturn

import typer
from rich.console import Console
from rich.markdown import Markdown
from rich.markup import escape

EXIT_OK, EXIT_FINDINGS, EXIT_BAD_INPUT, EXIT_INTERNAL = 0, 1, 2, 3

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)
doc = Console()  # wraps rendered Markdown to the terminal (80 columns when piped) instead of cropping it


class Format(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"


class FailOn(StrEnum):
    never = "never"
    unlawful = "unlawful"
    likely = "likely"


def fail(message_zh: str) -> NoReturn:
    """Bad input: a Chinese message on stderr and exit code 2 (DESIGN.md)."""
    err.print(f"[bold red]错误：[/]{escape(message_zh)}", highlight=False)
    raise typer.Exit(EXIT_BAD_INPUT)


def read_input(source: str, what: str) -> bytes:
    """Bytes from a path or '-' (stdin), with a Chinese error for a missing or unreadable file."""
    if source == "-":
        return sys.stdin.buffer.read()
    path = Path(source)
    if not path.exists():
        fail(f"找不到{what}文件：{source}")
    if path.is_dir():
        fail(f"{source} 是一个目录，请给出{what}文件")
    if not path.is_file():
        fail(f"{source} 不是普通文件，请给出{what}文件")
    try:
        return path.read_bytes()
    except OSError as exc:
        fail(f"无法读取{what}文件 {source}：{exc.strerror}")


def input_name(source: str, *, basename: bool = False) -> str:
    """How messages name an input: 标准输入 for '-', else the path (or its file name)."""
    if source == "-":
        return "标准输入"
    return Path(source).name if basename else source


def show_markdown(document: str, fmt: Format) -> None:
    """Markdown as is for --format markdown; rendered (wrapped, not cropped) for --format text."""
    if fmt is Format.text:
        doc.print(Markdown(document))
    else:
        sys.stdout.write(document + "\n")


def fails_on(verdict: str, fail_on: FailOn) -> bool:
    """Whether --fail-on asks for exit code 1 for this verdict."""
    if fail_on is FailOn.never:
        return False
    return verdict == "unlawful" or (fail_on is FailOn.likely and verdict == "likely_unlawful")
