"""The `kb` command: ingest, search, ask, serve, eval."""
from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from kb.errors import KBError
from kb.settings import get_settings

app = typer.Typer(help="学习助手 — 干部培训资料知识库 (training-materials knowledge base)", no_args_is_help=True)
console = Console()
err = Console(stderr=True)


@app.callback()
def _root() -> None:
    """学习助手 — 干部培训资料知识库 (training-materials knowledge base)."""


def _fail(exc: KBError) -> None:
    err.print(f"[red]错误 ({exc.code})[/red]: {exc}")
    raise typer.Exit(1)


@app.command()
def ingest(folder: Path = typer.Argument(..., help="要导入的资料目录或文件, 如 corpus/")) -> None:
    """导入资料: 增量嵌入并写入索引 (ingest a folder incrementally)."""
    from index.kbindex import KnowledgeBase

    if not folder.exists():
        err.print(f"[red]错误[/red]: 目录不存在 (no such folder): {folder}")
        raise typer.Exit(2)
    try:
        kbase = KnowledgeBase.open(get_settings())
        with Progress(TextColumn("[bold]嵌入 embedding"), BarColumn(), MofNCompleteColumn(),
                      TimeRemainingColumn(), TextColumn("{task.description}"), console=err,
                      transient=True) as bar:
            task = bar.add_task("", total=None)

            def progress(done: int, total: int, source: str) -> None:
                bar.update(task, completed=done, total=total, description=source)

            report = kbase.ingestor().run(folder, progress=progress)
    except KBError as exc:
        _fail(exc)
    for source, reason in report.failed:
        err.print(f"[red]失败 failed[/red] {source}: {reason}")
    for source, warning in report.warnings:
        err.print(f"[yellow]警告 warning[/yellow] {source}: {warning}")
    table = Table(title="导入结果 (ingest summary)")
    for column in ("新增 added", "更新 updated", "未变 unchanged", "删除 deleted", "失败 failed",
                   "嵌入块 embedded", "索引总块数 chunks", "秒 seconds"):
        table.add_column(column, justify="right")
    table.add_row(*(str(len(x)) for x in (report.added, report.updated, report.unchanged,
                                           report.deleted, report.failed)),
                  str(report.chunks_embedded), str(report.chunks_total), f"{report.seconds:.1f}")
    console.print(table)
    if report.failed and not (report.added or report.updated or report.unchanged):
        raise typer.Exit(1)


def main() -> None:  # pragma: no cover - console entry point
    try:
        app()
    except KBError as exc:
        err.print(f"错误 ({exc.code}): {exc}")
        sys.exit(1)
