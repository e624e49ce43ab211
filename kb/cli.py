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

            report = kbase.ingest(folder, progress=progress)
    except KBError as exc:
        _fail(exc)
    for source, reason in report.failed:
        err.print(f"[red]失败 failed[/red] {source}: {reason}")
    for source, warning in report.warnings:
        err.print(f"[yellow]警告 warning[/yellow] {source}: {warning}")
    table = Table(title="导入结果 (ingest summary)", show_header=False)
    table.add_column("项目")
    table.add_column("数量", justify="right")
    for label, value in (
        ("新增文件 added", len(report.added)), ("更新文件 updated", len(report.updated)),
        ("未变文件 unchanged", len(report.unchanged)), ("删除文件 deleted", len(report.deleted)),
        ("失败文件 failed", len(report.failed)), ("本次嵌入块 chunks embedded", report.chunks_embedded),
        ("索引总块数 chunks in index", report.chunks_total), ("用时 seconds", f"{report.seconds:.1f}"),
    ):
        table.add_row(label, str(value))
    console.print(table)
    if report.failed and not (report.added or report.updated or report.unchanged):
        raise typer.Exit(1)


def _filters(type_: list[str] | None, cohort, year, topic, pishi, kind=None):
    from index.filters import Filters

    return Filters(types=tuple(type_ or ()), cohort=cohort, year_from=year, year_to=year,
                   topic=topic, pishi=pishi, kind=kind)


@app.command()
def search(
    query: str = typer.Argument(..., help="检索词或问题"),
    type_: list[str] = typer.Option(None, "--type", help="lecture | case | report"),
    cohort: str = typer.Option(None, help="班次, 如 第33期中青班"),
    year: int = typer.Option(None, help="年份, 如 2024"),
    topic: str = typer.Option(None, help="专题, 如 乡村振兴"),
    pishi: bool = typer.Option(None, "--pishi/--no-pishi", help="是否获得领导批示"),
    ideas: bool = typer.Option(False, "--ideas", help="只检索金点子 (golden ideas only)"),
    mode: str = typer.Option(None, help="dense | bm25 | hybrid"),
    k: int = typer.Option(10, "-k", "--top", help="返回条数"),
) -> None:
    """检索资料与金点子 (search passages and golden ideas)."""
    from index.kbindex import KnowledgeBase
    from index.service import KnowledgeService

    try:
        service = KnowledgeService(KnowledgeBase.open(get_settings()))
        result = service.search(query, filters=_filters(type_, cohort, year, topic, pishi, "idea" if ideas else None),
                                mode=mode, k=k)
    except KBError as exc:
        _fail(exc)
    if not result.hits:
        console.print("没有找到相关内容 (no results)")
    for i, hit in enumerate(result.hits, 1):
        m = hit.meta
        where = " > ".join(x for x in (m.get("section"),) if x) or "—"
        label = f"金点子{m['idea_no']}" if m.get("kind") == "idea" else "段落"
        console.print(f"[bold]{i}. {m.get('title')}[/bold]  [dim]{m.get('type')} {m.get('cohort') or m.get('author')} "
                      f"{m.get('date')} {label} {where} p.{m.get('page') or '-'} score={hit.score:.3f}[/dim]")
        console.print("   " + hit.text[:160].replace("\n", " "))


@app.command()
def ask(question: str = typer.Argument(..., help="问题"),
        mode: str = typer.Option(None, help="dense | bm25 | hybrid")) -> None:
    """提问并给出带引用的回答 (ask; answer with cited sources)."""
    from index.kbindex import KnowledgeBase
    from index.service import KnowledgeService

    try:
        answer = KnowledgeService(KnowledgeBase.open(get_settings())).ask(question, mode=mode)
    except KBError as exc:
        _fail(exc)
    console.print(f"[bold]答：[/bold]{answer.answer}")
    shown = answer.related[:3] if answer.refused else answer.citations
    console.print("[bold]最接近的段落:[/bold]" if answer.refused else "[bold]来源:[/bold]")
    for c in shown:
        console.print(f"  [{c.n}] {c.title} · {c.section or '—'} · p.{c.page or '-'}")
        console.print(f"      [dim]{(c.quote or c.snippet)[:120]}[/dim]")
    console.print(f"[dim]evidence={answer.evidence:.2f} timings(ms)={answer.timings}[/dim]")


@app.command()
def serve(host: str = typer.Option("127.0.0.1", help="监听地址"), port: int = typer.Option(8000, help="端口"),
          workers: int = typer.Option(1, help="uvicorn 进程数 (多进程需 KB_CHROMA_URL)")) -> None:
    """启动网页与 API 服务 (serve the pages and the API)."""
    import uvicorn

    console.print(f"学习助手: http://{host}:{port}/  教师检索: http://{host}:{port}/search  API 文档: http://{host}:{port}/docs")
    uvicorn.run("api.app:create_app", factory=True, host=host, port=port, workers=workers)


def main() -> None:  # pragma: no cover - console entry point
    try:
        app()
    except KBError as exc:
        err.print(f"错误 ({exc.code}): {exc}")
        sys.exit(1)
