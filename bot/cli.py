"""The `policybot` command line: one subcommand per job, all on the same engine and knowledge."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path

from bot import __version__
from bot.engine import CLARIFY, Engine
from bot.evaluation import calibrate, evaluate, load_cases
from bot.knowledge import Knowledge, KnowledgeDirMissing, KnowledgeError, check, load
from bot.render import as_text

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


class CommandError(Exception):
    """Ends a command with one clear line on stderr and exit code 2."""


def knowledge_dir(args: argparse.Namespace) -> Path:
    return Path(args.knowledge or os.environ.get("POLICYBOT_KNOWLEDGE") or "knowledge")


def load_knowledge(args: argparse.Namespace) -> Knowledge:
    try:
        return load(knowledge_dir(args))
    except KnowledgeDirMissing as exc:
        raise CommandError(str(exc)) from exc
    except KnowledgeError as exc:
        details = "\n".join(map(str, exc.problems))
        raise CommandError(f"知识库有错误，先运行 policybot validate 修正：\n{details}") from exc


def cmd_ask(args: argparse.Namespace) -> int:
    """Answer one question, or one per line of standard input with --jsonl."""
    knowledge = load_knowledge(args)
    engine = Engine(knowledge)
    if args.jsonl:
        for line in sys.stdin:
            answer = engine.answer(line.rstrip("\r\n"))
            print(json.dumps(answer.to_dict(), ensure_ascii=False), flush=True)
        return EXIT_OK
    if args.question is None:
        raise CommandError('请给出问题，例如：policybot ask "复工复产去哪个窗口办理"')
    answer = engine.answer(args.question)
    if args.json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(as_text(answer, knowledge))
    return EXIT_OK


def cmd_chat(args: argparse.Namespace) -> int:
    """A conversation in the terminal; a number picks from a "您是想问" list."""
    knowledge = load_knowledge(args)
    engine = Engine(knowledge)
    _enable_line_editing()
    print(knowledge.texts.welcome.strip())
    print("（输入 q 或按 Ctrl-D 退出）")
    choices: tuple = ()
    while True:
        try:
            line = input("\n问> ")
        except (EOFError, KeyboardInterrupt):
            print()
            return EXIT_OK
        if line.strip().lower() in {"q", "quit", "exit", "退出"}:
            return EXIT_OK
        picked = line.strip()
        if picked.isdigit() and 1 <= int(picked) <= len(choices):
            answer = engine.entry_answer(knowledge.by_id[choices[int(picked) - 1].id])
        else:
            answer = engine.answer(line)
        choices = answer.choices if answer.status == CLARIFY else ()
        print(as_text(answer, knowledge))


def _enable_line_editing() -> None:
    """Arrow keys and history in `chat`, kept between sessions where readline exists."""
    try:
        import readline
    except ImportError:  # Windows without pyreadline: plain input still works
        return
    history = Path.home() / ".policybot_history"
    with contextlib.suppress(OSError):
        readline.read_history_file(history)
    import atexit

    atexit.register(_save_history, readline, history)


def _save_history(readline, history: Path) -> None:
    try:
        readline.set_history_length(1000)
        readline.write_history_file(history)
    except OSError:
        pass


def cmd_validate(args: argparse.Namespace) -> int:
    """Check the knowledge; errors make it unusable, warnings are worth fixing."""
    try:
        knowledge, problems = check(knowledge_dir(args))
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


def cmd_eval(args: argparse.Namespace) -> int:
    """Measure the engine on an eval file; --calibrate suggests thresholds for bot.yaml."""
    knowledge = load_knowledge(args)
    path = Path(args.file) if args.file else knowledge_dir(args) / "eval" / "dev.yaml"
    if not path.is_file():
        raise CommandError(f"评测文件不存在: {path}")
    cases = load_cases(path)
    engine = Engine(knowledge)
    if args.calibrate:
        engine.thresholds = calibrate(engine, cases)
    report = evaluate(engine, cases)
    for case, status, entry_id, score in report.failures:
        expected = case.expected or "(不应回答)"
        print(
            f"FAIL {case.question!r}: 期望 {expected}，得到 {status} {entry_id or ''} {score:.2f}"
        )
    print(report.summary())
    print(
        f"thresholds: answer={engine.thresholds.answer:.2f} "
        f"margin={engine.thresholds.margin:.2f} clarify={engine.thresholds.clarify:.2f}"
    )
    if args.calibrate:
        t = engine.thresholds
        print("\n# 把下面三行写进 bot.yaml：")
        values = f"answer: {t.answer:.2f}, margin: {t.margin:.2f}, clarify: {t.clarify:.2f}"
        print(f"thresholds: {{{values}}}")
    return EXIT_OK


def cmd_run(args: argparse.Namespace) -> int:
    """Run the Telegram bot until SIGINT/SIGTERM: long polling, or a webhook server."""
    from bot.service import Service
    from bot.settings import ConfigError, Settings
    from bot.tg.app import configure_logging, run

    try:
        settings = Settings.from_env(knowledge=args.knowledge)
    except ConfigError as exc:
        raise CommandError(str(exc)) from exc
    load_knowledge(args)  # fail before connecting, with the errors listed
    configure_logging(settings)
    run(
        settings,
        Service.open(settings.knowledge),
        webhook_url=args.webhook_url,
        listen=args.listen,
        port=args.port,
        secret_token=args.secret_token or os.environ.get("TELEGRAM_WEBHOOK_SECRET"),
    )
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="policybot",
        description="营商环境政策问答机器人：从 YAML 知识库回答企业的问题。",
    )
    parser.add_argument("--version", action="version", version=f"policybot {__version__}")
    parser.add_argument(
        "--knowledge",
        metavar="DIR",
        help="知识库目录（默认 $POLICYBOT_KNOWLEDGE 或 ./knowledge）",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, handler: Callable, help: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help, description=help)
        sub.set_defaults(handler=handler)
        return sub

    ask = command("ask", cmd_ask, "回答一个问题")
    ask.add_argument("question", nargs="?", help="问题")
    output = ask.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="输出一个 JSON 对象")
    output.add_argument("--jsonl", action="store_true", help="从标准输入逐行读问题，逐行输出 JSON")

    command("chat", cmd_chat, "在终端里对话")

    validate = command("validate", cmd_validate, "检查知识库")
    validate.add_argument("--strict", action="store_true", help="有警告也返回失败")

    run = command("run", cmd_run, "运行 Telegram 机器人（需要 TELEGRAM_BOT_TOKEN）")
    run.add_argument(
        "--webhook-url", metavar="URL", help="用 webhook 代替长轮询：Telegram 访问的公网地址"
    )
    run.add_argument("--listen", default="0.0.0.0", help="webhook 监听地址（默认 0.0.0.0）")
    run.add_argument("--port", type=int, default=8443, help="webhook 端口（默认 8443）")
    run.add_argument(
        "--secret-token",
        metavar="S",
        help="webhook 密钥（默认 $TELEGRAM_WEBHOOK_SECRET），Telegram 放在请求头里",
    )

    evaluation = command("eval", cmd_eval, "用评测集衡量回答质量")
    evaluation.add_argument("file", nargs="?", help="评测文件（默认 知识库/eval/dev.yaml）")
    evaluation.add_argument("--calibrate", action="store_true", help="在评测集上校准阈值")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return args.handler(args)
    except CommandError as exc:
        print(f"policybot: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # `policybot ask --jsonl | head` closing early is not an error
        sys.stderr.close()
        return EXIT_OK
