"""Commands that change or check the knowledge: `validate`, `teach`, `import`, `ingest`."""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path

from bot.authoring.disk import Busy, held, reason, within
from bot.channels.cli.common import EXIT_OK, EXIT_PROBLEMS, CommandError, load_knowledge
from bot.settings import Settings

# The authoring tools (and the engine some of them build) load in the commands below, not at
# the top: every `policybot` command (`health` and `--version` too) imports this module.


def register(add) -> None:
    taught = add("teach", cmd_teach, "把一个问法加为条目的相似问")
    taught.add_argument("question", help="用户的问法")
    taught.add_argument("entry_id", help="条目 id")

    imported = add("import", cmd_import, "导入已有的问答表（CSV、TXT、XLSX、JSONL）")
    imported.add_argument("file", help="问答文件")
    imported.add_argument(
        "--into", required=True, metavar="DIR", help="写入的知识库目录（不存在就新建）"
    )

    ingested = add("ingest", cmd_ingest, "添加政策文件（本地文件或网址）到知识库的来源文档")
    ingested.add_argument("source", metavar="FILE|URL", help=".txt、.md、.html 文件，或网页地址")
    ingested.add_argument("--title", help="标题（默认从文件读出）")
    ingested.add_argument("--publisher", help="发布单位")
    ingested.add_argument("--date", help="发布日期，如 2023-03-15（网页里找不到时必须给出）")

    checked = add("validate", cmd_validate, "检查知识库")
    checked.add_argument("--strict", action="store_true", help="有警告也返回失败")


def cmd_validate(args: argparse.Namespace, settings: Settings) -> int:
    """Check the knowledge; errors make it unusable, warnings are worth fixing."""
    from bot.authoring.checks import validate
    from bot.knowledge.model import KnowledgeDirMissing

    try:
        knowledge, problems = validate(settings.knowledge)
    except KnowledgeDirMissing as exc:
        raise CommandError(str(exc)) from exc
    for problem in problems:
        print(problem)
    errors = sum(problem.severity == "error" for problem in problems)
    warnings = len(problems) - errors
    if knowledge is not None:
        print(
            f"知识库有效：{len(knowledge.entries)} 个条目，{len(knowledge.categories)} 个分类，"
            f"{len(knowledge.documents)} 份来源文档，版本 {knowledge.version}；"
            f"{warnings} 个警告"
        )
    else:
        print(f"知识库无效：{errors} 个错误，{warnings} 个警告", file=sys.stderr)
    if errors or (args.strict and warnings):
        return EXIT_PROBLEMS
    return EXIT_OK


def cmd_teach(args: argparse.Namespace, settings: Settings) -> int:
    """Add a real user's phrasing to an entry's similar questions, keeping the file's layout."""
    from bot.authoring.teach import TeachRefused, teach

    try:
        taught = teach(load_knowledge(settings), args.question, args.entry_id)
    except TeachRefused as exc:
        print(f"policybot: 未添加：{exc}", file=sys.stderr)
        return EXIT_PROBLEMS
    except OSError as exc:
        raise CommandError(
            f"未添加：{_unwritten(exc, settings.knowledge)}（知识库没有改动）"
        ) from exc
    print(f"已把 “{taught.question}” 加为 {taught.entry_id} 的相似问（{taught.path}）")
    return EXIT_OK


def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    """Turn a department's FAQ spreadsheet into knowledge YAML."""
    from bot.authoring.importer import ColumnsError, import_faq, print_progress

    source = Path(args.file)
    if not source.is_file():
        raise CommandError(f"文件不存在: {source}")
    into = Path(args.into)
    try:
        # A folder the console serves may be written meanwhile (ids the import found free).
        with held(into) if into.is_dir() else contextlib.nullcontext():
            report = import_faq(source, into, print_progress)
    except Busy as exc:
        raise CommandError(f"未导入：{exc}") from exc
    except ColumnsError as exc:
        print(f"policybot: {exc}", file=sys.stderr)
        return EXIT_PROBLEMS
    except OSError as exc:
        raise CommandError(f"无法导入 {source}：{_unwritten(exc, into)}") from exc
    except (ValueError, KeyError) as exc:
        raise CommandError(f"无法导入 {source}: {exc}") from exc
    print(report.summary())
    print(f"下一步：policybot --knowledge {args.into} validate")
    return EXIT_OK


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    """Add a policy document (file or URL) to the knowledge's sources."""
    from bot.authoring.ingest import IngestError, ingest
    from bot.knowledge.model import check

    directory = settings.knowledge
    if not directory.is_dir():
        raise CommandError(f"知识库目录不存在: {directory}")
    try:
        done = ingest(args.source, directory, args.title, args.publisher, args.date)
    except IngestError as exc:
        raise CommandError(str(exc)) from exc
    except OSError as exc:
        raise CommandError(f"无法添加 {args.source}：{_unwritten(exc, directory)}") from exc
    verb = "已更新" if done.updated else "已添加"
    print(f"{verb}文档 {done.id}：《{done.title}》，{done.date}，{done.passages} 段（{done.path}）")
    _, problems = check(directory)
    errors = [p for p in problems if p.severity == "error"]
    for problem in errors:
        print(problem)
    if errors:
        print("知识库现在有错误：运行中的机器人会继续使用旧版本，直到修正。", file=sys.stderr)
        return EXIT_PROBLEMS
    return EXIT_OK


def _unwritten(exc: OSError, directory: Path) -> str:
    """A knowledge file the disk refused, said as the console says it (a traceback was all a
    read-only folder or a full disk got here: probe16); any other failure as Python says it.
    Each file is written whole (`bot.authoring.disk`), so those already written can stay."""
    if not within(exc, directory):
        return str(exc)
    return f"{reason(exc)}，写不进 {exc.filename}"
