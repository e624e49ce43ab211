"""The `kb` command: ingest, upload, quarantine, search, ask, serve, eval, feedback export."""
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
    for source, note in report.notes:
        err.print(f"[cyan]说明 note[/cyan] {source}: {note}")
    words = report.dictionary
    if words is not None and (words.user_changed or words.retokenized):
        what = ("用户词典自上次导入后已修改 (user dictionary changed)" if words.user_changed
                else "词表已变 (word list changed)")
        err.print(f"[cyan]说明 note[/cyan] {what}: 全部段落已按新词表重新切词 (every passage re-tokenized)")
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
    if words is not None:
        table.add_row("词典 dictionary", f"通用 {words.general} + 用户 {words.user} 词 words")
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
    from qa.service import KnowledgeService

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
    from qa.service import KnowledgeService

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


@app.command("eval")
def eval_(
    dataset: Path = typer.Option(..., "--dataset", help="数据集目录 (passages.jsonl 或 dataset.yaml + questions.jsonl)"),
    distractors: Path = typer.Option(None, help="干扰文档目录 (extra documents to ingest)"),
    modes: str = typer.Option("dense,bm25,hybrid", help="检索方式, 逗号分隔; hybrid:0.5 = 稠密权重 0.5 的融合"),
    answerer: str = typer.Option("extractive", help="extractive | llm | extractive,llm (both, side by side)"),
    limit: int = typer.Option(None, help="只评测前 N 个问题"),
    questions: str = typer.Option("questions.jsonl", help="问题文件名 (如 questions_500.jsonl)"),
    negatives: int = typer.Option(0, help="去掉 N 个问题的金标段落, 使其不可回答, 以测拒答 (make N questions unanswerable)"),
    out: Path = typer.Option(None, help="报告目录 (默认 KB_DATA_DIR/eval/<dataset>-<time>)"),
    index: Path = typer.Option(None, "--index", help="复用此索引目录 (增量导入; 默认每次新建临时索引) "
                                                    "(reuse an index folder instead of a fresh one)"),
    compare: Path = typer.Option(None, "--compare", help="与基线 report.json 比较"),
) -> None:
    """评测: 在临时索引上跑评测集, 输出检索与回答指标 (run an eval set)."""
    import json
    import shutil
    import time

    from eval.report import compare as compare_reports
    from eval.report import kind_table, latency_table, metrics_table, write_report
    from eval.runner import EvalOptions, evaluate

    settings = get_settings()
    chosen = tuple(m.strip() for m in modes.split(",") if m.strip())
    bad = [m for m in chosen if m.partition(":")[0] not in ("dense", "bm25", "hybrid")]
    if bad or not answerer or any(a.strip() not in ("extractive", "llm") for a in answerer.split(",")):
        err.print(f"[red]错误[/red]: 无效的 --modes {bad} 或 --answerer {answerer!r}")
        raise typer.Exit(2)
    options = EvalOptions(modes=chosen, answerer=answerer, distractors=distractors, limit=limit, questions=questions,
                          negatives=negatives, index=index)
    try:
        with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                      TimeRemainingColumn(), console=err, transient=True) as bar:
            tasks: dict[str, int] = {}

            def progress(mode: str, done: int, total: int) -> None:
                if mode not in tasks:
                    tasks[mode] = bar.add_task(f"评测 {mode}", total=total)
                bar.update(tasks[mode], completed=done)

            report = evaluate(dataset, options=options, base=settings, progress=progress)
    except KBError as exc:
        _fail(exc)
    out = out or settings.data_dir / "eval" / f"{report['dataset']}-{time.strftime('%Y%m%d-%H%M%S')}"
    paths = write_report(report, out)
    latest = settings.data_dir / "eval" / "latest"
    shutil.rmtree(latest, ignore_errors=True)
    shutil.copytree(out, latest)
    console.print(metrics_table(report))
    console.print(latency_table(report))
    for run in report["runs"]:
        console.print(f"[bold]{run['name']}[/bold] per kind:")
        console.print(kind_table(run))
    for run in report["runs"]:
        console.print(f"{run['name']} refusal threshold calibration: {run.get('calibration')}")
    console.print(f"报告 report: {paths['md']}  {paths['json']}  {paths['png']}")
    if compare:
        console.print(compare_reports(report, json.loads(compare.read_text(encoding="utf-8"))))


@app.command()
def bench(
    sizes: str = typer.Option("1000,10000,100000", help="索引规模 (chunks), 逗号分隔"),
    files: int = typer.Option(None, help="吞吐测试只用前 N 个文件"),
    seconds: float = typer.Option(20, help="并发测试每档秒数"),
    skip: str = typer.Option("", help="跳过: ingest,queries,service,ocr"),
) -> None:
    """基准测试: 导入吞吐、查询延迟与内存、并发吞吐、OCR 准确率 (benchmarks; prints figures)."""
    import json

    from eval import bench as b

    settings = get_settings()
    questions = b.questions_of(Path("eval/sets/bundled"))
    results: dict = {}
    if "ingest" not in skip:
        results["ingest"] = b.bench_ingest(settings.corpus_dir, settings, files=files)
        console.print_json(json.dumps(results["ingest"], ensure_ascii=False))
    if "queries" not in skip:
        results["queries"] = b.bench_queries(settings.corpus_dir, settings, questions=questions,
                                             sizes=[int(s) for s in sizes.split(",") if s.strip()])
    if "ocr" not in skip:
        from eval.ocrbench import bench_ocr

        results["ocr"] = bench_ocr()  # character accuracy on generated scanned pages, pages/s
        console.print_json(json.dumps(results["ocr"], ensure_ascii=False))
    if "service" not in skip:
        from index.kbindex import KnowledgeBase

        KnowledgeBase.open(settings).ingest(settings.corpus_dir)
        results["service"] = b.bench_service(settings.data_dir, questions, seconds=seconds)
        for row in results["service"]:
            console.print(row)
    out = settings.data_dir / "bench.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    console.print(f"结果 results: {out}")


@app.command()
def loadtest(
    chunks: int = typer.Option(10_000, help="把索引扩充到这么多块 (synthetic scale-up)"),
    clients: int = typer.Option(32, help="并发客户端数"),
    seconds: float = typer.Option(60, help="持续秒数"),
    hostile: bool = typer.Option(False, "--hostile/--no-hostile",
                                 help="同时上传恶意文件 (zip 炸弹、YAML 别名炸弹、病态长行、百万空段落、超大请求体) 与一份正常文件"),
) -> None:
    """负载测试: 并发提问 + 后台导入, 在索引的临时副本上 (load test on a throwaway copy of the index)."""
    import json

    from eval import bench as b

    settings = get_settings()
    result = b.load_test(settings.corpus_dir, settings, b.questions_of(Path("eval/sets/bundled")),
                         chunks=chunks, clients=clients, seconds=seconds, hostile=hostile)
    console.print_json(json.dumps(result, ensure_ascii=False))
    out = settings.data_dir / ("loadtest-hostile.json" if hostile else "loadtest.json")
    out.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    console.print(f"结果 results: {out}")
    failed = result["errors"] or not result["server_rss_mb"]["below_limit"]
    if hostile:
        failed = failed or not (result["good_upload_indexed"] and result["every_hostile_as_expected"]
                                and result["oversize_body_status"] == 413)
    if failed:
        raise typer.Exit(1)


_RESULT_LABEL = {"ingested": "[green]已导入 ingested[/green]", "duplicate": "[yellow]重复 duplicate[/yellow]",
                 "quarantined": "[red]已隔离 quarantined[/red]", "failed": "[red]失败 failed[/red]"}


@app.command()
def upload(
    files: list[Path] = typer.Argument(..., help="要上传的文件 (.md .txt .pdf .docx .pptx .html)"),
    type_: str = typer.Option(None, "--type", help="lecture | case | report (默认: 文件自带的元数据, 否则 report)"),
    access: str = typer.Option(None, help="public | internal (默认: 文件自带的元数据, 否则 internal)"),
    title: str = typer.Option(None, help="标题 (仅单个文件)"),
    cohort: str = typer.Option(None, help="班次"),
    date: str = typer.Option(None, help="日期, 如 2024-05-20"),
    topics: str = typer.Option(None, help="专题, 逗号分隔"),
    pishi: bool = typer.Option(None, "--pishi/--no-pishi", help="获批示 (默认: 文件自带的元数据)"),
) -> None:
    """上传资料: 与网页上传相同的检查、隔离与逐个文件的结果 (upload files as the web page does)."""
    from index.kbindex import KnowledgeBase
    from ingest.metadata import ACCESS, TYPES
    from ingest.uploads import Incoming, Jobs, UploadMeta, UploadService

    if (type_ is not None and type_ not in TYPES) or (access is not None and access not in ACCESS):
        err.print(f"[red]错误[/red]: --type 应为 {' | '.join(TYPES)}, --access 应为 {' | '.join(ACCESS)}")
        raise typer.Exit(2)
    settings = get_settings()
    service = UploadService.from_settings(settings)
    opened = []
    try:
        for path in files:
            opened.append(path.open("rb"))
            opened[-1].seek(0, 2)
        incoming = [Incoming(path.name, handle.tell(), handle) for path, handle in zip(files, opened)]
        meta = UploadMeta(type=type_, access=access, pishi=pishi, title=title, cohort=cohort, date=date, topics=topics)
        batch, staged = service.stage(incoming, meta)
        job = Jobs(service).submit(KnowledgeBase.open(settings), batch, staged, background=False)
    except OSError as exc:
        err.print(f"[red]错误[/red]: 无法读取文件 (cannot read): {exc}")
        raise typer.Exit(2)
    except KBError as exc:
        _fail(exc)
    finally:
        for handle in opened:
            handle.close()
    if job["status"] == "failed":
        err.print(f"[red]导入失败 (job failed)[/red]: {job['error']}")
        raise typer.Exit(1)
    for result in job["results"]:
        detail = result.get("reason") or result.get("duplicate_of") or ""
        console.print(f"{result['file']} → {result['stored_as']}: {_RESULT_LABEL.get(result['status'], result['status'])} {detail}")
    if any(r["status"] in ("failed", "quarantined") for r in job["results"]):
        raise typer.Exit(1)


@app.command()
def quarantine(delete: str = typer.Option(None, "--delete", help="删除隔离区中的该文件")) -> None:
    """隔离区: 列出 (或删除) 无法导入的上传文件及原因 (list or delete quarantined uploads)."""
    from ingest.quarantine import Quarantine

    folder = Quarantine(get_settings().quarantine_dir)
    if delete:
        if not folder.remove(delete):
            err.print(f"[red]错误[/red]: 隔离区中没有该文件 (not in quarantine): {delete}")
            raise typer.Exit(1)
        console.print(f"已删除 (deleted) {delete}")
        return
    entries = folder.list()
    if not entries:
        console.print("隔离区为空 (quarantine is empty)")
    for entry in entries:
        console.print(f"{entry.name} ({entry.size} bytes): {entry.reason}")


feedback_app = typer.Typer(help="学员反馈 (trainees' feedback): 导出已审核的反馈为评测集", no_args_is_help=True)
app.add_typer(feedback_app, name="feedback")


@feedback_app.command("export")
def feedback_export(folder: Path = typer.Argument(..., help="输出目录 (kb eval --dataset 该目录)")) -> None:
    """导出已审核的反馈为评测集 (reviewed feedback as an eval dataset that kb eval runs as is)."""
    from feedback.export import dataset_files, write_folder
    from feedback.store import FeedbackStore
    from index.bm25 import KeywordIndex

    settings = get_settings()
    if not settings.feedback_db.exists():
        err.print(f"[red]错误[/red]: 尚无反馈 (no feedback yet: {settings.feedback_db} missing)")
        raise typer.Exit(1)
    items = FeedbackStore(settings.feedback_db).reviewed()
    files = dataset_files(items, KeywordIndex.load(settings.data_dir / "bm25"))
    write_folder(files, folder)
    count = files["questions.jsonl"].count("\n")
    console.print(f"已导出 {count} 条已审核反馈 (exported {count} reviewed items) → {folder}")
    console.print(f"运行评测 (run it): kb eval --dataset {folder}")


@app.command()
def serve(host: str = typer.Option("127.0.0.1", help="监听地址"), port: int = typer.Option(8000, help="端口"),
          workers: int = typer.Option(1, help="uvicorn 进程数 (多进程需 KB_CHROMA_URL)"),
          ingest: Path = typer.Option(None, "--ingest", help="启动后在后台导入该文件夹; 已导入的资料立即可问 "
                                                            "(ingest this folder in the background: KB_SERVE_INGEST)")) -> None:
    """启动网页与 API 服务 (serve the pages and the API)."""
    import os

    import uvicorn

    if ingest is not None:
        if not ingest.is_dir():
            err.print(f"[red]错误[/red]: 文件夹不存在 (no such folder): {ingest}")
            raise typer.Exit(2)
        os.environ["KB_SERVE_INGEST"] = str(ingest.resolve())  # read by the app factory in every worker
        get_settings.cache_clear()

    console.print(f"学习助手: http://{host}:{port}/  教师检索: http://{host}:{port}/search  API 文档: http://{host}:{port}/docs")
    uvicorn.run("api.app:create_app", factory=True, host=host, port=port, workers=workers)


def main() -> None:  # pragma: no cover - console entry point
    try:
        app()
    except KBError as exc:
        err.print(f"错误 ({exc.code}): {exc}")
        sys.exit(1)
