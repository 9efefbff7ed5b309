"""`ask` (one question, or one per line) and `eval` (the engine measured on an eval set)."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from bot.channels.cli.common import EXIT_OK, CommandError, build, load_knowledge, open_log
from bot.settings import Settings

# The engine loads in the commands below, not at the top: every `policybot` command (`health`
# and `--version` too) imports this module to build the parser.


def register(add) -> None:
    ask = add("ask", cmd_ask, "回答一个问题")
    ask.add_argument("question", nargs="?", help="问题")
    output = ask.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="输出一个 JSON 对象")
    output.add_argument("--jsonl", action="store_true", help="从标准输入逐行读问题，逐行输出 JSON")
    ask.add_argument("--log", action="store_true", help="把问答写入交流记录")

    evaluation = add("eval", cmd_eval, "用评测集衡量回答质量")
    evaluation.add_argument("file", nargs="?", help="评测文件（默认 知识库/eval/dev.yaml）")
    evaluation.add_argument("--calibrate", action="store_true", help="在评测集上校准阈值")


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    """Answer one question, or one per line of standard input with --jsonl."""
    from bot.app import Request, Service
    from bot.channels.render import as_json, as_text
    from bot.text.terminal import terminal_json

    if args.question is None and not args.jsonl:
        raise CommandError('请给出问题，例如：policybot ask "复工复产去哪个窗口办理"')
    log = open_log(settings) if args.log else None
    service = Service(settings.knowledge, build(settings), log)
    user = getpass.getuser() if log else None
    try:
        if args.jsonl:
            for line in sys.stdin:
                turn = service.ask(
                    Request(line.rstrip("\r\n"), "ask", "cli", user, conversation=False)
                )
                print(terminal_json(as_json(turn)), flush=True)
            return EXIT_OK
        turn = service.ask(Request(args.question, "ask", "cli", user, conversation=False))
        if args.json:
            print(terminal_json(as_json(turn), indent=2))
        else:
            print(as_text(turn.answer, turn.knowledge))
        return EXIT_OK
    finally:
        if log is not None:
            log.close()  # what a busy log held gets its time, or is said to be lost


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    """Measure the engine on an eval file; --calibrate suggests thresholds for bot.yaml."""
    from bot.engine.core import Engine
    from bot.engine.evaluation import calibrate, evaluate, load_cases

    knowledge = load_knowledge(settings)
    path = Path(args.file) if args.file else settings.knowledge / "eval" / "dev.yaml"
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
    for label, met in report.targets(path.stem):
        print(f"target {'met ' if met else 'MISS'}  {label}")
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
